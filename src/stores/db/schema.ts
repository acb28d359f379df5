// Tables, as upstream's models (flyteadmin/pkg/repositories/models) mapped to SQLite: an integer surrogate
// `id` as the rowid primary key, the natural key as a UNIQUE index, timestamps as RFC 3339 UTC text so
// string comparison in list filters orders them correctly.
import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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

/** Columns of everything keyed by an execution (project, domain, name). */
const executionKey = {
  executionProject: text("execution_project").notNull(),
  executionDomain: text("execution_domain").notNull(),
  executionName: text("execution_name").notNull(),
};

export const executions = sqliteTable(
  "executions",
  {
    ...baseModel,
    ...executionKey,
    launchPlanId: integer("launch_plan_id"),
    workflowId: integer("workflow_id"),
    taskId: integer("task_id"),
    /** core.WorkflowExecution.Phase name. */
    phase: text("phase").notNull().default("UNDEFINED"),
    /** admin.ExecutionSpec, binary (resolved security context, system metadata, principal). */
    spec: blob("spec", { mode: "buffer" }).notNull(),
    /** admin.ExecutionClosure, binary. */
    closure: blob("closure", { mode: "buffer" }),
    startedAt: text("started_at"),
    executionCreatedAt: text("execution_created_at"),
    executionUpdatedAt: text("execution_updated_at"),
    /** Nanoseconds. */
    duration: integer("duration").notNull().default(sql`0`),
    abortCause: text("abort_cause").notNull().default(""),
    /** admin.ExecutionMetadata.ExecutionMode. */
    mode: integer("mode").notNull().default(sql`0`),
    sourceExecutionId: integer("source_execution_id"),
    parentNodeExecutionId: integer("parent_node_execution_id"),
    cluster: text("cluster").notNull().default(""),
    inputsUri: text("inputs_uri").notNull().default(""),
    userInputsUri: text("user_inputs_uri").notNull().default(""),
    errorKind: text("error_kind"),
    errorCode: text("error_code"),
    user: text("user").notNull().default(""),
    /** admin.ExecutionState: ACTIVE=0, ARCHIVED=1. */
    state: integer("state").notNull().default(sql`0`),
    /** "launch_plan" or "task". */
    launchEntity: text("launch_entity").notNull().default(""),
  },
  (t) => [
    uniqueIndex("executions_key_idx").on(t.executionProject, t.executionDomain, t.executionName),
    index("executions_launch_plan_id_idx").on(t.launchPlanId),
    index("executions_workflow_id_idx").on(t.workflowId),
    index("executions_task_id_idx").on(t.taskId),
    index("executions_error_kind_idx").on(t.errorKind),
    index("executions_user_idx").on(t.user),
    index("executions_state_idx").on(t.state),
    index("idx_executions_created_at").on(t.executionCreatedAt),
    index("idx_executions_phase").on(t.phase),
    index("executions_started_at_idx").on(t.executionProject, t.executionDomain, t.startedAt),
    // Console and flytectl list a project/domain newest first, often with a phase filter.
    index("executions_created_idx").on(t.executionProject, t.executionDomain, t.executionCreatedAt),
  ],
);

export const executionTags = sqliteTable(
  "execution_tags",
  {
    ...baseModel,
    ...executionKey,
    key: text("key").notNull(),
    value: text("value").notNull().default(""),
  },
  (t) => [
    uniqueIndex("execution_tags_key_idx").on(t.executionProject, t.executionDomain, t.executionName, t.key, t.value),
    index("execution_tags_tag_key_idx").on(t.key),
    index("execution_tags_value_idx").on(t.value),
  ],
);

export const executionEvents = sqliteTable(
  "execution_events",
  {
    ...baseModel,
    ...executionKey,
    requestId: text("request_id").notNull().default(""),
    occurredAt: text("occurred_at"),
    phase: text("phase").notNull(),
  },
  (t) => [uniqueIndex("execution_events_key_idx").on(t.executionProject, t.executionDomain, t.executionName, t.phase)],
);

export const nodeExecutions = sqliteTable(
  "node_executions",
  {
    ...baseModel,
    ...executionKey,
    nodeId: text("node_id").notNull(),
    /** core.NodeExecution.Phase name. */
    phase: text("phase").notNull().default("UNDEFINED"),
    inputUri: text("input_uri").notNull().default(""),
    /** admin.NodeExecutionClosure, binary. */
    closure: blob("closure", { mode: "buffer" }),
    startedAt: text("started_at"),
    nodeExecutionCreatedAt: text("node_execution_created_at"),
    nodeExecutionUpdatedAt: text("node_execution_updated_at"),
    duration: integer("duration").notNull().default(sql`0`),
    /** admin.NodeExecutionMetaData, binary. */
    nodeExecutionMetadata: blob("node_execution_metadata", { mode: "buffer" }),
    parentId: integer("parent_id"),
    parentTaskExecutionId: integer("parent_task_execution_id"),
    errorKind: text("error_kind"),
    errorCode: text("error_code"),
    cacheStatus: text("cache_status"),
    dynamicWorkflowRemoteClosureReference: text("dynamic_workflow_remote_closure_reference").notNull().default(""),
    /** Our own bookkeeping (event version), JSON. */
    internalData: blob("internal_data", { mode: "buffer" }),
  },
  (t) => [
    uniqueIndex("node_executions_key_idx").on(t.executionProject, t.executionDomain, t.executionName, t.nodeId),
    index("node_executions_node_id_idx").on(t.nodeId),
    index("node_executions_parent_id_idx").on(t.parentId),
    index("node_executions_parent_task_execution_id_idx").on(t.parentTaskExecutionId),
    index("node_executions_error_kind_idx").on(t.errorKind),
  ],
);

export const nodeExecutionEvents = sqliteTable(
  "node_execution_events",
  {
    ...baseModel,
    ...executionKey,
    nodeId: text("node_id").notNull(),
    requestId: text("request_id").notNull().default(""),
    occurredAt: text("occurred_at"),
    phase: text("phase").notNull(),
  },
  (t) => [uniqueIndex("node_execution_events_key_idx").on(t.executionProject, t.executionDomain, t.executionName, t.nodeId, t.phase)],
);

export const taskExecutions = sqliteTable(
  "task_executions",
  {
    ...baseModel,
    ...versionedKey,
    ...executionKey,
    nodeId: text("node_id").notNull(),
    retryAttempt: integer("retry_attempt").notNull().default(sql`0`),
    /** core.TaskExecution.Phase name. */
    phase: text("phase").notNull().default("UNDEFINED"),
    phaseVersion: integer("phase_version").notNull().default(sql`0`),
    inputUri: text("input_uri").notNull().default(""),
    /** admin.TaskExecutionClosure, binary. */
    closure: blob("closure", { mode: "buffer" }),
    startedAt: text("started_at"),
    taskExecutionCreatedAt: text("task_execution_created_at"),
    taskExecutionUpdatedAt: text("task_execution_updated_at"),
    duration: integer("duration").notNull().default(sql`0`),
  },
  (t) => [
    uniqueIndex("task_executions_key_idx").on(
      t.project,
      t.domain,
      t.name,
      t.version,
      t.executionProject,
      t.executionDomain,
      t.executionName,
      t.nodeId,
      t.retryAttempt,
    ),
    index("idx_task_executions_exec").on(t.executionProject, t.executionDomain, t.executionName, t.nodeId),
  ],
);

/** Matchable attributes; "" in a key column means "any". */
export const resources = sqliteTable(
  "resources",
  {
    ...baseModel,
    project: text("project").notNull().default(""),
    domain: text("domain").notNull().default(""),
    workflow: text("workflow").notNull().default(""),
    launchPlan: text("launch_plan").notNull().default(""),
    /** admin.MatchableResource enum name. */
    resourceType: text("resource_type").notNull(),
    /** project=5, project+domain=10, workflow=100, launch plan=1000. */
    priority: integer("priority").notNull().default(sql`0`),
    /** admin.MatchingAttributes, binary. */
    attributes: blob("attributes", { mode: "buffer" }).notNull(),
  },
  (t) => [uniqueIndex("resource_idx").on(t.project, t.domain, t.workflow, t.launchPlan, t.resourceType)],
);

export const signals = sqliteTable(
  "signals",
  {
    ...baseModel,
    ...executionKey,
    signalId: text("signal_id").notNull(),
    /** core.LiteralType, binary. */
    type: blob("type", { mode: "buffer" }).notNull(),
    /** core.Literal, binary; NULL until set. */
    value: blob("value", { mode: "buffer" }),
  },
  (t) => [uniqueIndex("signals_key_idx").on(t.executionProject, t.executionDomain, t.executionName, t.signalId)],
);

/**
 * The self-hosted OAuth2 server's marks on tokens: kind "used" (a code or refresh token was redeemed;
 * the primary key makes a second redemption lose) or "revoked" (a token's jti or a grant family's id).
 * A row may be deleted once `expires_at` (epoch seconds) has passed: the token is dead by then anyway.
 */
export const oauthTokenMarks = sqliteTable(
  "oauth_token_marks",
  {
    kind: text("kind").notNull(),
    tokenId: text("token_id").notNull(),
    family: text("family").notNull().default(""),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.tokenId] }), index("oauth_token_marks_expires_idx").on(t.expiresAt)],
);

/** Device codes of the device authorization grant (RFC 8628), keyed by the device code's SHA-256. */
export const oauthDeviceCodes = sqliteTable(
  "oauth_device_codes",
  {
    deviceCodeHash: text("device_code_hash").primaryKey(),
    userCode: text("user_code").notNull().unique(),
    clientId: text("client_id").notNull(),
    /** Requested scopes, space-separated. */
    scopes: text("scopes").notNull().default(""),
    /** pending, approved, denied or redeemed. */
    status: text("status").notNull(),
    subject: text("subject").notNull().default(""),
    /** The approving user's UserInfoResponse JSON; NULL until approved. */
    userInfo: text("user_info"),
    interval: integer("interval").notNull(),
    lastPolledAtMs: integer("last_polled_at_ms").notNull().default(sql`0`),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("oauth_device_codes_expires_idx").on(t.expiresAt)],
);

export { scheduleFireTimes, schedulerLeases } from "./schema-scheduler";
