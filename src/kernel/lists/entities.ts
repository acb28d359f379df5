// Column sets per entity, as upstream's models: the names a list filter or sort_by may use. Each set is
// its table's columns in stores/db/schema.ts, written out because the kernel imports nothing of ours;
// test/schema-columns.test.ts holds every set to its table, so neither can change alone.
export type Entity =
  | "task"
  | "workflow"
  | "launch_plan"
  | "execution"
  | "node_execution"
  | "task_execution"
  | "entities"
  | "named_entity_metadata"
  | "project"
  | "signal"
  | "admin_tag"
  | "execution_admin_tag"
  | "execution_tag";

// The column groups the schema shares between tables.
const base = ["id", "created_at", "updated_at", "deleted_at"];
const versionedKey = ["project", "domain", "name", "version"];
const executionKey = ["execution_project", "execution_domain", "execution_name"];

export const entityColumns: Record<Entity, ReadonlySet<string>> = {
  project: new Set([...base, "identifier", "name", "description", "labels", "state"]),
  task: new Set([...base, ...versionedKey, "closure", "digest", "type", "short_description"]),
  workflow: new Set([...base, ...versionedKey, "typed_interface", "remote_closure_identifier", "digest", "short_description"]),
  launch_plan: new Set([...base, ...versionedKey, "spec", "workflow_id", "closure", "state", "digest", "schedule_type", "launch_condition_type"]),
  execution: new Set([
    ...base,
    ...executionKey,
    "launch_plan_id",
    "workflow_id",
    "task_id",
    "phase",
    "closure",
    "spec",
    "started_at",
    "execution_created_at",
    "execution_updated_at",
    "duration",
    "abort_cause",
    "mode",
    "source_execution_id",
    "parent_node_execution_id",
    "cluster",
    "inputs_uri",
    "user_inputs_uri",
    "error_kind",
    "error_code",
    "user",
    "state",
    "launch_entity",
  ]),
  node_execution: new Set([
    ...base,
    ...executionKey,
    "node_id",
    "phase",
    "input_uri",
    "closure",
    "started_at",
    "node_execution_created_at",
    "node_execution_updated_at",
    "duration",
    "node_execution_metadata",
    "parent_id",
    "parent_task_execution_id",
    "error_kind",
    "error_code",
    "cache_status",
    "dynamic_workflow_remote_closure_reference",
    "internal_data",
  ]),
  task_execution: new Set([
    ...base,
    ...versionedKey,
    ...executionKey,
    "node_id",
    "retry_attempt",
    "phase",
    "phase_version",
    "input_uri",
    "closure",
    "started_at",
    "task_execution_created_at",
    "task_execution_updated_at",
    "duration",
  ]),
  // A name joined to its metadata: named_entity_metadata's columns without the row's own.
  entities: new Set(["resource_type", "project", "domain", "name", "description", "state"]),
  named_entity_metadata: new Set([...base, "resource_type", "project", "domain", "name", "description", "state"]),
  signal: new Set([...base, ...executionKey, "signal_id", "type", "value"]),
  // Upstream's admin tag tables, which this server folds into execution_tags (the parser renames
  // admin_tag.name to execution_tag.key).
  admin_tag: new Set([...base, "name"]),
  execution_admin_tag: new Set([...base, ...executionKey, "admin_tag_id"]),
  execution_tag: new Set([...base, ...executionKey, "key", "value"]),
};
