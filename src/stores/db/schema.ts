// Tables, as upstream's models (flyteadmin/pkg/repositories/models) mapped to SQLite: an integer surrogate
// `id` as the rowid primary key, the natural key as a UNIQUE index, timestamps as RFC 3339 UTC text so
// string comparison in list filters orders them correctly.
import { sql } from "drizzle-orm";
import { blob, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const baseModel = {
  id: integer("id").primaryKey({ autoIncrement: true }),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
  deletedAt: text("deleted_at"),
};

export const projects = sqliteTable(
  "projects",
  {
    ...baseModel,
    identifier: text("identifier").notNull().unique(),
    name: text("name").notNull().default(""),
    description: text("description").notNull().default(""),
    /** The whole admin.Project message (binary), as upstream; only its labels are read back. */
    labels: blob("labels", { mode: "buffer" }),
    state: integer("state").notNull().default(sql`0`),
  },
  (t) => [index("projects_state_idx").on(t.state), index("projects_deleted_at_idx").on(t.deletedAt)],
);

export type ProjectRow = typeof projects.$inferSelect;

/** Columns shared by versioned entities keyed (project, domain, name, version). */
const versionedKey = {
  project: text("project").notNull(),
  domain: text("domain").notNull(),
  name: text("name").notNull(),
  version: text("version").notNull(),
};

export const tasks = sqliteTable(
  "tasks",
  {
    ...baseModel,
    ...versionedKey,
    /** admin.TaskClosure{compiled_task, created_at}, binary. */
    closure: blob("closure", { mode: "buffer" }).notNull(),
    digest: blob("digest", { mode: "buffer" }),
    type: text("type").notNull().default(""),
    shortDescription: text("short_description").notNull().default(""),
  },
  (t) => [
    uniqueIndex("tasks_key_idx").on(t.project, t.domain, t.name, t.version),
    index("task_project_domain_name_idx").on(t.project, t.domain, t.name),
    index("task_project_domain_idx").on(t.project, t.domain),
    index("tasks_created_at_idx").on(t.createdAt),
  ],
);

export const workflows = sqliteTable(
  "workflows",
  {
    ...baseModel,
    ...versionedKey,
    /** core.TypedInterface of the template, binary. */
    typedInterface: blob("typed_interface", { mode: "buffer" }),
    /** Blob-store URI of the offloaded admin.WorkflowClosure. */
    remoteClosureIdentifier: text("remote_closure_identifier").notNull(),
    digest: blob("digest", { mode: "buffer" }),
    shortDescription: text("short_description").notNull().default(""),
  },
  (t) => [
    uniqueIndex("workflows_key_idx").on(t.project, t.domain, t.name, t.version),
    index("workflow_project_domain_name_idx").on(t.project, t.domain, t.name),
    index("workflow_project_domain_idx").on(t.project, t.domain),
    index("workflows_created_at_idx").on(t.createdAt),
  ],
);

export const launchPlans = sqliteTable(
  "launch_plans",
  {
    ...baseModel,
    ...versionedKey,
    /** admin.LaunchPlanSpec with default_inputs replaced by the expected inputs, binary. */
    spec: blob("spec", { mode: "buffer" }).notNull(),
    workflowId: integer("workflow_id").notNull(),
    /** admin.LaunchPlanClosure{expected_inputs, expected_outputs}, binary. */
    closure: blob("closure", { mode: "buffer" }).notNull(),
    state: integer("state").notNull().default(sql`0`),
    digest: blob("digest", { mode: "buffer" }),
    scheduleType: text("schedule_type").notNull().default("NONE"),
    launchConditionType: text("launch_condition_type"),
  },
  (t) => [
    uniqueIndex("launch_plans_key_idx").on(t.project, t.domain, t.name, t.version),
    index("lp_project_domain_name_idx").on(t.project, t.domain, t.name),
    index("lp_project_domain_state_idx").on(t.project, t.domain, t.state),
    index("launch_plans_workflow_id_idx").on(t.workflowId),
    index("launch_plans_created_at_idx").on(t.createdAt),
    index("idx_launch_plans_launch_conditions").on(t.launchConditionType).where(sql`launch_condition_type IS NOT NULL`),
  ],
);

export const namedEntityMetadata = sqliteTable(
  "named_entity_metadata",
  {
    ...baseModel,
    resourceType: integer("resource_type").notNull(),
    project: text("project").notNull(),
    domain: text("domain").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    state: integer("state").notNull().default(sql`0`),
  },
  (t) => [uniqueIndex("named_entity_metadata_key_idx").on(t.resourceType, t.project, t.domain, t.name)],
);

export const descriptionEntities = sqliteTable(
  "description_entities",
  {
    ...baseModel,
    resourceType: integer("resource_type").notNull(),
    ...versionedKey,
    shortDescription: text("short_description").notNull().default(""),
    /** admin.Description, binary. */
    longDescription: blob("long_description", { mode: "buffer" }),
    link: text("link").notNull().default(""),
  },
  (t) => [
    uniqueIndex("description_entities_key_idx").on(t.resourceType, t.project, t.domain, t.name, t.version),
    index("description_entities_name_idx").on(t.resourceType, t.project, t.domain, t.name),
  ],
);

/** The native scheduler's view of active launch-plan schedules, read directly by the schedule runner. */
export const schedulableEntities = sqliteTable(
  "schedulable_entities",
  {
    ...baseModel,
    ...versionedKey,
    cronExpression: text("cron_expression"),
    fixedRateValue: integer("fixed_rate_value"),
    /** admin.FixedRateUnit: MINUTE=0, HOUR=1, DAY=2. */
    unit: integer("unit"),
    kickoffTimeInputArg: text("kickoff_time_input_arg"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
  },
  (t) => [uniqueIndex("schedulable_entities_key_idx").on(t.project, t.domain, t.name, t.version)],
);
