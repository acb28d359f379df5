// `flyteadmin db copy`: an embedded database seeded through the real server, copied into a fresh PostgreSQL,
// served from there with the same entities and a working next insert; the refusals; and the way back.
import { beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toJson, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ExecutionSchema } from "../src/gen/flyteidl/admin/execution_pb";
import { NamedEntitySchema } from "../src/gen/flyteidl/admin/common_pb";
import { NodeExecutionListSchema } from "../src/gen/flyteidl/admin/node_execution_pb";
import { TaskExecutionListSchema } from "../src/gen/flyteidl/admin/task_execution_pb";
import { NodeExecution_Phase as NodePhase, TaskExecution_Phase as TaskPhase, WorkflowExecution_Phase as WfPhase } from "../src/gen/flyteidl/core/execution_pb";
import { LaunchPlanSchema, LaunchPlanState } from "../src/gen/flyteidl/admin/launch_plan_pb";
import { ProjectsSchema } from "../src/gen/flyteidl/admin/project_pb";
import { TaskSchema } from "../src/gen/flyteidl/admin/task_pb";
import { WorkflowSchema } from "../src/gen/flyteidl/admin/workflow_pb";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { LiteralMapSchema } from "../src/gen/flyteidl/core/literals_pb";
import { copyDatabase, copyTables } from "../src/cli/db-copy";
import { loadConfig } from "../src/config/load";
import { silentLogger } from "../src/kernel/log";
import { openDatabase } from "../src/stores/db/client";
import { migrateUp } from "../src/stores/db/migrate";
import { migrations } from "../src/stores/db/migrations";
import { registerTwoNodeWorkflow } from "./fixtures/pyflyte";
import { freshDatabase } from "./helpers/postgres";
import { startTestServer } from "./helpers/server";

const main = join(import.meta.dir, "../src/main.ts");
const dir = mkdtempSync(join(tmpdir(), "flyteadmin-dbcopy-"));
const blobs = join(dir, "blobs");
const seeded = `file:${join(dir, "admin.db")}`;
const scope = { project: "flytesnacks", domain: "development" };
const id = (resourceType: ResourceType, name: string) => ({ resourceType, ...scope, name, version: "v1" });
const taskId = id(ResourceType.TASK, "workflows.example.t1");
const wfId = id(ResourceType.WORKFLOW, "workflows.example.wf");
const lpId = id(ResourceType.LAUNCH_PLAN, "workflows.example.wf");
const execId = { ...scope, name: "copied" };
const inputs = create(LiteralMapSchema, {
  literals: { name: { value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "stringValue", value: "flyte" } } } } } } },
});

async function cli(args: string[]) {
  const proc = Bun.spawn([process.execPath, main, ...args], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

/** What a server on `url` answers for the seeded entities, as JSON. */
async function entities(url: string) {
  const ts = await startTestServer({ "database.url": url, "storage.local.path": blobs });
  const admin = ts.admin();
  const json = <D extends DescMessage>(schema: D, m: MessageShape<D>) => toJson(schema, m);
  try {
    return {
      projects: json(ProjectsSchema, await admin.listProjects({})),
      task: json(TaskSchema, await admin.getTask({ id: taskId })),
      workflow: json(WorkflowSchema, await admin.getWorkflow({ id: wfId })),
      launchPlan: json(LaunchPlanSchema, await admin.getLaunchPlan({ id: lpId })),
      execution: json(ExecutionSchema, await admin.getExecution({ id: execId })),
      named: json(NamedEntitySchema, await admin.getNamedEntity({ resourceType: ResourceType.WORKFLOW, id: { ...scope, name: wfId.name } })),
      nodes: json(NodeExecutionListSchema, await admin.listNodeExecutions({ workflowExecutionId: execId, limit: 10 })),
      tasks: json(TaskExecutionListSchema, await admin.listTaskExecutions({ nodeExecutionId: { executionId: execId, nodeId: "n0" }, limit: 10 })),
    };
  } finally {
    await ts.close();
  }
}

/** Every row of every table, ordered by primary key, blobs as hex: two databases compare equal with toEqual. */
async function dump(url: string): Promise<Record<string, unknown[]>> {
  const db = await openDatabase({ url });
  try {
    const out: Record<string, unknown[]> = {};
    for (const t of copyTables) {
      const rows = await db.db.query(
        `SELECT ${t.columns.map((c) => `"${c}"`).join(", ")} FROM "${t.name}" ORDER BY ${t.key.map((c) => `"${c}"`).join(", ")}`,
        [],
      );
      out[t.name] = rows.map((r) =>
        t.columns.map((c) => {
          const v = r[c];
          return v instanceof ArrayBuffer || v instanceof Uint8Array ? Buffer.from(v as Uint8Array).toString("hex") : v;
        }),
      );
    }
    return out;
  } finally {
    await db.close();
  }
}

const counts = (d: Record<string, unknown[]>) => Object.fromEntries(Object.entries(d).map(([k, rows]) => [k, rows.length]));

let before: Awaited<ReturnType<typeof entities>>;

beforeAll(async () => {
  const ts = await startTestServer({ "database.url": seeded, "storage.local.path": blobs });
  try {
    const admin = ts.admin();
    await registerTwoNodeWorkflow(admin);
    await admin.updateLaunchPlan({ id: lpId, state: LaunchPlanState.ACTIVE });
    await admin.registerProject({ project: { id: "labelled", name: "labelled", labels: { values: { team: "ml" } } } });
    await admin.updateNamedEntity({ resourceType: ResourceType.WORKFLOW, id: { ...scope, name: wfId.name }, metadata: { description: "copied" } });
    await admin.createExecution({ ...scope, name: execId.name, spec: { launchPlan: lpId, labels: { values: { team: "ml" } } }, inputs });
    // Playing propeller: a running execution with a node and a task execution, and their event rows.
    const occurredAt = timestampFromDate(new Date(Date.UTC(2026, 10, 24, 12, 0, 0)));
    const nodeId = { executionId: execId, nodeId: "n0" };
    await admin.createWorkflowEvent({ event: { executionId: execId, phase: WfPhase.RUNNING, occurredAt, producerId: "propeller" }, requestId: "wf-1" });
    await admin.createNodeEvent({
      event: {
        id: nodeId,
        phase: NodePhase.RUNNING,
        occurredAt,
        producerId: "propeller",
        inputValue: { case: "inputData", value: inputs },
        specNodeId: "n0",
        nodeName: "t1",
      },
    });
    await admin.createTaskEvent({
      event: {
        taskId,
        parentNodeExecutionId: nodeId,
        retryAttempt: 0,
        phase: TaskPhase.RUNNING,
        occurredAt,
        producerId: "propeller",
        logs: [{ name: "k8s", uri: "http://logs/k8s" }],
      },
    });
  } finally {
    await ts.close();
  }
  before = await entities(seeded);
  expect(JSON.stringify(before.nodes)).toContain('"nodeId":"n0"');
  expect(JSON.stringify(before.tasks)).toContain("http://logs/k8s");
}, 60_000);

describe("db copy", () => {
  let pg: string;

  test("file → PostgreSQL: the same entities and ids over the wire, and the next insert gets a fresh id", async () => {
    pg = await freshDatabase();
    const r = await cli(["db", "copy", "--from", seeded, "--to", pg]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    for (const table of ["executions", "execution_tags", "execution_events", "node_executions", "task_executions", "named_entity_metadata"]) {
      expect(r.out).toContain(`"msg":"copied table","table":"${table}","rows":1,`);
    }
    const summary = JSON.parse(r.out.trim().split("\n").at(-1) ?? "{}");
    expect(summary.msg).toBe("copied database");
    expect(summary.rows).toBe(Object.values(counts(await dump(seeded))).reduce((a, b) => a + b, 0));
    expect(await dump(pg)).toEqual(await dump(seeded));
    expect(await entities(pg)).toEqual(before);

    const ts = await startTestServer({ "database.url": pg, "storage.local.path": blobs });
    try {
      const admin = ts.admin();
      await admin.createExecution({ ...scope, name: "after-copy", spec: { launchPlan: lpId }, inputs });
      expect((await admin.getExecution({ id: { ...scope, name: "after-copy" } })).closure?.workflowId?.name).toBe(wfId.name);
      await admin.registerProject({ project: { id: "second", name: "second" } });
    } finally {
      await ts.close();
    }
    const ids = (await dump(pg)).executions.map((row) => (row as unknown[])[0]);
    expect(ids).toEqual([1, 2]);
  }, 60_000);

  test("refuses a target with rows, the same database twice, a missing source and an unmigrated one; writes nothing", async () => {
    const rowsBefore = counts(await dump(pg));
    const used = await cli(["db", "copy", "--from", seeded, "--to", pg]);
    expect(used.code).toBe(2);
    expect(used.err).toContain("is not empty (table description_entities has rows)");
    expect(counts(await dump(pg))).toEqual(rowsBefore);

    const fresh = join(dir, "never.db");
    const same = await cli(["db", "copy", "--from", seeded, "--to", `file:./admin.db`]);
    expect(same.code).toBe(2);
    expect(same.err).toContain("name the same database");

    const missing = await cli(["db", "copy", "--from", `file:${join(dir, "absent.db")}`, "--to", `file:${fresh}`]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`no database at ${join(dir, "absent.db")}`);
    expect(existsSync(join(dir, "absent.db"))).toBe(false);

    const old = `file:${join(dir, "old.db")}`;
    const db = await openDatabase({ url: old });
    await migrateUp(db.db, migrations.slice(0, 2));
    await db.checkpointAndClose();
    const pending = await cli(["db", "copy", "--from", old, "--to", `file:${fresh}`]);
    expect(pending.code).toBe(2);
    expect(pending.err).toContain("has pending migrations (0002_executions, 0003_execution_list_index");
    expect(existsSync(fresh)).toBe(false);

    const noTo = await cli(["db", "copy", "--from", seeded]);
    expect(noTo.code).toBe(2);
    expect(noTo.err).toContain("needs --to URL");
  }, 60_000);

  test("passwords in URLs are not printed", async () => {
    const r = await cli(["db", "copy", "--from", seeded, "--to", "postgres://admin:hunter2@127.0.0.1:1/nope"]);
    expect(r.code).not.toBe(0);
    expect(r.out + r.err).not.toContain("hunter2");
  }, 30_000);

  test("PostgreSQL → file gives the same rows back, and --from defaults to database.url", async () => {
    const back = `file:${join(dir, "back.db")}`;
    const r = await cli(["db", "copy", "--to", back, "--database.url", pg]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const original = await dump(pg);
    expect(counts(await dump(back))).toEqual(counts(original));
    expect(await dump(back)).toEqual(original);
  }, 60_000);

  test("file → file: pages of many rows, composite keys, NULLs and blobs", async () => {
    const from = `file:${join(dir, "many.db")}`;
    const to = `file:${join(dir, "many-copy.db")}`;
    const db = await openDatabase({ url: from });
    await migrateUp(db.db);
    await db.db.transaction(async (tx) => {
      for (let i = 0; i < 1234; i++) {
        await tx.exec("INSERT INTO oauth_token_marks (kind, token_id, family, expires_at) VALUES (?, ?, ?, ?)", [i % 2 ? "used" : "revoked", `t${i}`, "", i]);
        const value = i % 3 ? new Uint8Array([i & 255, 0, 255]) : null;
        await tx.exec(
          "INSERT INTO signals (created_at, updated_at, execution_project, execution_domain, execution_name, signal_id, type, value) VALUES (?, ?, 'p', 'd', ?, 's', ?, ?)",
          ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", `e${i}`, new Uint8Array([1, 2, i & 255]), value],
        );
      }
    });
    await db.checkpointAndClose();
    const r = await copyDatabase(loadConfig({ flags: {} }), from, to, silentLogger);
    expect(r.tables.oauth_token_marks).toBe(1234);
    expect(r.tables.signals).toBe(1234);
    expect(await dump(to)).toEqual(await dump(from));
  }, 60_000);

  test("a copy that fails part way commits nothing: no tables on PostgreSQL, no new target file", async () => {
    const from = `file:${join(dir, "bad.db")}`;
    const db = await openDatabase({ url: from });
    await migrateUp(db.db);
    // Copied before projects, so the target holds rows when the next table fails.
    await db.db.exec(
      "INSERT INTO named_entity_metadata (created_at, updated_at, resource_type, project, domain, name) VALUES ('t', 't', 2, 'p', 'd', 'n')",
      [],
    );
    // SQLite keeps text in an integer column; PostgreSQL's bigint refuses it.
    await db.db.exec("INSERT INTO projects (created_at, updated_at, identifier, state) VALUES ('t', 't', 'bad', 'not a number')", []);
    await db.checkpointAndClose();
    const target = await freshDatabase();
    await expect(copyDatabase(loadConfig({ flags: {} }), from, target, silentLogger)).rejects.toThrow("bigint");
    const pgDb = await openDatabase({ url: target });
    try {
      expect(await pgDb.db.query("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()", [])).toEqual([]);
    } finally {
      await pgDb.close();
    }
    const file = join(dir, "bad-copy.db");
    const other = `file:${join(dir, "bad-src.db")}`;
    const src = await openDatabase({ url: other });
    await migrateUp(src.db, migrations.slice(0, 1));
    await src.checkpointAndClose();
    await expect(copyDatabase(loadConfig({ flags: {} }), other, `file:${file}`, silentLogger)).rejects.toThrow("pending migrations");
    expect(existsSync(file)).toBe(false);
  }, 60_000);
});
