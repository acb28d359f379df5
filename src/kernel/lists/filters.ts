// Upstream's list filter grammar, parsed once for every List RPC:
//   filters = expr ("+" expr)* ; expr = func "(" field "," value ")" ; value lists are ";"-separated.
// Fields are DB column names, optionally prefixed by an entity ("launch_plan.name"); each list allows
// its own set of entities. Parsing is pure; stores/db renders the result to SQL.
import { invalidArgument, invalidValue } from "../errors";
import { entityColumns, type Entity } from "./entities";
import { parseGoDurationNanos } from "../duration";

export type FilterOp = "contains" | "not_like" | "gt" | "gte" | "lt" | "lte" | "eq" | "ne" | "value_in" | "value_not_in";

export interface Filter {
  entity: Entity;
  field: string;
  op: FilterOp;
  /** One value for single-value ops, one or more for value_in / value_not_in. */
  values: string[];
}

/** Human names used in upstream's error messages. */
const opNames: Record<FilterOp, string> = {
  contains: "contains",
  not_like: "not like",
  gt: "greater than",
  gte: "greater than or equal",
  lt: "less than",
  lte: "less than or equal",
  eq: "equal",
  ne: "not equal",
  value_in: "value in",
  value_not_in: "value not in",
};

const repeatedOps = new Set<FilterOp>(["value_in", "value_not_in"]);

// Greedy like upstream's `(.+)\((.+),\s?(.+)\)`: the last ", " splits field from value.
const exprPattern = /^(.+)\((.+),\s?(.+)\)$/s;

const entityPrefixes: Entity[] = [
  "task",
  "workflow",
  "launch_plan",
  "execution",
  "node_execution",
  "task_execution",
  "entities",
  "named_entity_metadata",
  "project",
  "signal",
  "admin_tag",
  "execution_admin_tag",
  "execution_tag",
];

function splitField(field: string, primary: Entity): [Entity, string] {
  for (const prefix of entityPrefixes) {
    if (field.startsWith(`${prefix}.`)) return [prefix, field.slice(prefix.length + 1)];
  }
  return [primary, field];
}

export function isFilterOp(name: string): name is FilterOp {
  return Object.hasOwn(opNames, name);
}

// Execution-keyed tables name their key columns execution_project/domain/name; upstream renames the
// plain names after checking them against the column set (so on task executions `name` means the
// execution's name). Admin tags moved to execution_tags, keyed by `key`.
const executionKeyed = new Set<Entity>(["execution", "node_execution", "task_execution", "signal"]);
const executionKeyFields = new Set(["project", "domain", "name"]);

function customized(entity: Entity, field: string): [Entity, string] {
  if (executionKeyed.has(entity) && executionKeyFields.has(field)) return [entity, `execution_${field}`];
  if (entity === "admin_tag" && field === "name") return ["execution_tag", "key"];
  return [entity, field];
}

/** Durations are stored in nanoseconds; filters give seconds or a Go duration ("1h2m"). */
function durationNanos(v: string): string {
  if (/^\d+(\.\d+)?$/.test(v)) return String(Math.round(Number(v) * 1e9));
  try {
    return String(parseGoDurationNanos(v));
  } catch {
    throw invalidArgument(`invalid duration value: ${v}`);
  }
}

/** A filter the server adds itself (project = x and the like); no parsing, already trusted. */
export function eq(entity: Entity, field: string, value: string): Filter {
  return { entity, field, op: "eq", values: [value] };
}

// The columns that place a row under its owner — a project/domain (and name), an execution, a node, a
// parent — per entity, in the order the filters are built. Managers say what they scope a list by; only
// this file names the columns (each is in that entity's column set, entities.ts).
const scopeColumns = {
  task: { project: "project", domain: "domain", name: "name" },
  workflow: { project: "project", domain: "domain", name: "name" },
  launch_plan: { project: "project", domain: "domain", name: "name" },
  execution: { project: "execution_project", domain: "execution_domain", name: "execution_name" },
  signal: { project: "execution_project", domain: "execution_domain", name: "execution_name" },
  node_execution: {
    project: "execution_project",
    domain: "execution_domain",
    name: "execution_name",
    parentId: "parent_id",
    parentTaskExecutionId: "parent_task_execution_id",
  },
  task_execution: {
    project: "execution_project",
    domain: "execution_domain",
    name: "execution_name",
    nodeId: "node_id",
    retryAttempt: "retry_attempt",
  },
} as const satisfies Partial<Record<Entity, Record<string, string>>>;

export type ScopedEntity = keyof typeof scopeColumns;
/** The parts of an entity's scope a list gives; a part left undefined adds no filter. */
export type Scope<E extends ScopedEntity> = { readonly [K in keyof (typeof scopeColumns)[E]]?: string | number };

/** Equality filters for the given parts of `entity`'s scope, always in the column order above. */
export function scopeFilters<E extends ScopedEntity>(entity: E, scope: Scope<E>): Filter[] {
  const columns: Readonly<Record<string, string>> = scopeColumns[entity];
  const parts: Readonly<Record<string, string | number | undefined>> = scope;
  const filters: Filter[] = [];
  for (const [part, column] of Object.entries(columns)) {
    const value = parts[part];
    if (value !== undefined) filters.push(eq(entity, column, String(value)));
  }
  return filters;
}

/** Rows in one state (an ExecutionState or LaunchPlanState number). */
export const stateIs = (entity: "execution" | "launch_plan", state: number): Filter => eq(entity, "state", String(state));

/** Whether any of these (a caller's) filters is on a `state` column, of whichever entity. */
export const filtersOnState = (filters: readonly Filter[]): boolean => filters.some((f) => f.field === "state");

/** Description rows of one resource type; description lists filter as the described entity (task or workflow). */
export const resourceTypeIs = (entity: "task" | "workflow", resourceType: number): Filter => eq(entity, "resource_type", String(resourceType));

/** Executions in any of these phases (phase names, as stored). */
export const phaseIn = (entity: "execution", phases: string[]): Filter => ({ entity, field: "phase", op: "value_in", values: phases });

/**
 * Parses a request's `filters` string for a list whose primary entity is `primary` and which may also
 * filter on `allowed` entities. Empty input gives no filters.
 */
export function parseFilters(text: string, primary: Entity, allowed: readonly Entity[] = [primary]): Filter[] {
  if (text === "") return [];
  return text.split("+").map((expr) => {
    const m = exprPattern.exec(expr);
    if (!m) throw invalidValue("filters");
    const [, fn, rawField, rawValue] = m;
    const [entity, field] = splitField(rawField, primary);
    if (!allowed.includes(entity)) throw invalidArgument(`'${entity}' entity is not allowed in filters`);
    if (!entityColumns[entity].has(field)) throw invalidArgument(`'${entity}.${field}' is invalid filter`);
    if (!isFilterOp(fn)) throw invalidArgument(`unrecognized filter function: ${fn}`);
    const values = rawValue.split(";").map((v) => (field === "duration" ? durationNanos(v) : v));
    if (!repeatedOps.has(fn) && values.length !== 1) throw invalidArgument(`invalid single value filter expression: ${opNames[fn]}`);
    const [e, f] = customized(entity, field);
    return { entity: e, field: f, op: fn, values };
  });
}
