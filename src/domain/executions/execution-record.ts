// The execution row create writes, complete in one write (the cluster is chosen before it): the spec
// as it will run, the closure it starts from (ACTIVE, with the notifications that apply), its lineage
// and the blobs its inputs go to; and the tags it is listed by.
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Notification } from "../../gen/flyteidl/admin/common_pb";
import {
  ExecutionClosureSchema,
  ExecutionSpecSchema,
  ExecutionState,
  type ExecutionClosure,
  type ExecutionMetadata,
  type ExecutionSpec,
} from "../../gen/flyteidl/admin/execution_pb";
import type { LaunchPlanSpec } from "../../gen/flyteidl/admin/launch_plan_pb";
import type { WorkflowExecutionConfig } from "../../gen/flyteidl/admin/matchable_resource_pb";
import { WorkflowExecution_Phase as Phase } from "../../gen/flyteidl/core/execution_pb";
import type { WorkflowExecutionIdentifier } from "../../gen/flyteidl/core/identifier_pb";
import type { BlobStore } from "../../ports/blob";
import type { ExecutionRecord, ExecutionTag } from "../../ports/executions";
import type { LaunchTarget } from "./launch-target";
import type { Lineage } from "./parent-execution";

/** What create has decided about a new execution by the time its row is written. */
export interface NewExecution {
  id: WorkflowExecutionIdentifier;
  acceptedAt: Date;
  /** The spec as it will run (see settleSpec); `metadata` is its metadata. */
  spec: ExecutionSpec;
  metadata: ExecutionMetadata;
  target: LaunchTarget;
  /** The task row of a single-task execution, else null. */
  taskId: number | null;
  lineage: Lineage;
  /** The cluster chosen for it ("" when the launcher does not choose ahead). */
  cluster: string;
  inputsUri: string;
  userInputsUri: string;
}

/** Where the execution's merged inputs and the user's own inputs are written. */
export function inputUris(blobs: BlobStore, metadataPrefix: string, id: WorkflowExecutionIdentifier): { inputsUri: string; userInputsUri: string } {
  const base = [metadataPrefix, id.project, id.domain, id.name];
  return { inputsUri: blobs.uri(...base, "inputs"), userInputsUri: blobs.uri(...base, "user_inputs") };
}

/** Records on the spec what was resolved for the run: parallelism, security context, cluster and namespace. */
export function settleSpec(spec: ExecutionSpec, metadata: ExecutionMetadata, execConfig: WorkflowExecutionConfig, cluster: string, namespace: string): void {
  spec.maxParallelism = execConfig.maxParallelism;
  spec.securityContext = execConfig.securityContext;
  metadata.systemMetadata = { $typeName: "flyteidl.admin.SystemMetadata", executionCluster: cluster, namespace };
}

/** The launch plan's notifications, unless the request overrides them (with a non-empty list) or turns them off. */
export function notificationsFor(spec: ExecutionSpec, lpSpec: LaunchPlanSpec): Notification[] {
  const overrides = spec.notificationOverrides;
  if (overrides.case === "notifications" && overrides.value.notifications.length > 0) return overrides.value.notifications;
  if (overrides.case === "disableAll" && overrides.value) return [];
  return lpSpec.entityMetadata?.notifications ?? [];
}

/** The row to insert and the closure it holds (kept: a refused launch records its failure on it). */
export function executionRow(e: NewExecution): { record: ExecutionRecord; closure: ExecutionClosure } {
  const created = timestampFromDate(e.acceptedAt);
  const closure = create(ExecutionClosureSchema, {
    createdAt: created,
    updatedAt: created,
    notifications: notificationsFor(e.spec, e.target.launchPlanSpec),
    workflowId: e.target.workflowId,
    stateChangeDetails: { state: ExecutionState.EXECUTION_ACTIVE, principal: e.metadata.principal, occurredAt: created },
  });
  const record: ExecutionRecord = {
    project: e.id.project,
    domain: e.id.domain,
    name: e.id.name,
    launchPlanId: e.target.isTask ? null : (e.target.launchPlan.id ?? null),
    workflowId: e.target.workflow.id ?? null,
    taskId: e.taskId,
    phase: Phase[Phase.UNDEFINED],
    spec: toBinary(ExecutionSpecSchema, e.spec),
    closure: toBinary(ExecutionClosureSchema, closure),
    startedAt: null,
    executionCreatedAt: e.acceptedAt.toISOString(),
    executionUpdatedAt: e.acceptedAt.toISOString(),
    duration: 0,
    abortCause: "",
    mode: e.metadata.mode,
    sourceExecutionId: e.lineage.sourceExecutionId,
    parentNodeExecutionId: e.lineage.parentNodeExecutionId,
    cluster: e.cluster,
    inputsUri: e.inputsUri,
    userInputsUri: e.userInputsUri,
    errorKind: null,
    errorCode: null,
    user: e.metadata.principal,
    state: ExecutionState.EXECUTION_ACTIVE,
    launchEntity: e.target.isTask ? "task" : "launch_plan",
  };
  return { record, closure };
}

/** The spec's labels (key and value) and tags (key only), as the execution is listed by them. */
export function executionTags(spec: ExecutionSpec): ExecutionTag[] {
  return [...Object.entries(spec.labels?.values ?? {}).map(([key, value]) => ({ key, value })), ...spec.tags.map((key) => ({ key, value: "" }))];
}
