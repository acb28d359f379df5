// The list column sets (kernel/lists/entities.ts) are written out because the kernel may not import the
// stores; this holds each to the drizzle table its entity names, so the schema stays the one source.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { getTableColumns, getTableName } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { entityColumns, type Entity } from "../src/kernel/lists/entities";
import { parseFilters } from "../src/kernel/lists/filters";
import * as schema from "../src/stores/db/schema";

/**
 * The table each entity's filters and sort keys render against, joined ones included (launch plan
 * lists join workflows; execution lists join launch plans, workflows, tasks and tags; task execution
 * lists join tasks, node executions and executions). A Record, so a new entity must be placed here.
 */
const tableOf: Record<Entity, SQLiteTable | null> = {
  project: schema.projects,
  task: schema.tasks,
  workflow: schema.workflows,
  launch_plan: schema.launchPlans,
  execution: schema.executions,
  node_execution: schema.nodeExecutions,
  task_execution: schema.taskExecutions,
  // Names from the entity tables joined to their metadata: the metadata table's shape.
  entities: schema.namedEntityMetadata,
  named_entity_metadata: schema.namedEntityMetadata,
  signal: schema.signals,
  execution_tag: schema.executionTags,
  // Admin tags live in execution_tags here; the parser renames admin_tag.name to execution_tag.key.
  admin_tag: schema.executionTags,
  // Upstream's join of executions and admin tags has no table here, and no list allows it.
  execution_admin_tag: null,
};

const columnsOf = (t: SQLiteTable) => new Set(Object.values(getTableColumns(t)).map((c) => c.name));
const baseColumns = ["id", "created_at", "updated_at", "deleted_at"];
const sorted = (s: Iterable<string>) => [...s].sort();

describe("list column sets against the drizzle schema", () => {
  const entities = Object.keys(entityColumns) as Entity[];

  test("every entity has a row here", () => {
    expect(sorted(Object.keys(tableOf))).toEqual(sorted(entities));
  });

  // Each set is exactly its table's columns: a column added to or dropped from either side fails.
  const mirrors: Entity[] = [
    "project",
    "task",
    "workflow",
    "launch_plan",
    "execution",
    "node_execution",
    "task_execution",
    "named_entity_metadata",
    "signal",
    "execution_tag",
  ];
  for (const entity of mirrors) {
    test(`${entity}: the columns of ${getTableName(tableOf[entity] as SQLiteTable)}`, () => {
      expect(sorted(entityColumns[entity])).toEqual(sorted(columnsOf(tableOf[entity] as SQLiteTable)));
    });
  }

  test("entities: named_entity_metadata's columns without the row's own", () => {
    const expected = [...columnsOf(schema.namedEntityMetadata)].filter((c) => !baseColumns.includes(c));
    expect(sorted(entityColumns.entities)).toEqual(sorted(expected));
  });

  test("every column a filter may name lands, after the parser's renames, on a column of its table", () => {
    const stray: string[] = [];
    for (const entity of entities) {
      for (const column of entityColumns[entity]) {
        const [f] = parseFilters(`eq(${entity}.${column},1)`, entity, [entity]);
        const table = tableOf[f.entity];
        if (table === null) continue;
        if (!columnsOf(table).has(f.field)) stray.push(`${entity}.${column} → ${getTableName(table)}.${f.field}`);
      }
    }
    expect(stray).toEqual([]);
  });

  test("no list allows execution_admin_tag, which has no table", () => {
    const src = join(import.meta.dir, "../src");
    const naming = (readdirSync(src, { recursive: true, encoding: "utf8" }) as string[])
      .filter((f) => f.endsWith(".ts") && !f.startsWith(join("kernel", "lists")) && !f.startsWith("gen"))
      .filter((f) => readFileSync(join(src, f), "utf8").includes('"execution_admin_tag"'));
    expect(naming).toEqual([]);
  });

  test("admin tags are execution tags: admin_tag.name filters on execution_tags.key", () => {
    const [f] = parseFilters("eq(admin_tag.name,x)", "execution", ["admin_tag"]);
    expect([f.entity, f.field]).toEqual(["execution_tag", "key"]);
  });
});
