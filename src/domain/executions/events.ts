// Workflow events from propeller, with upstream's rules: a repeated phase is AlreadyExists (except
// QUEUED, which may announce a new cluster), events from another cluster are refused with
// incompatible_cluster, nothing moves out of a terminal phase (already_in_terminal_state), RUNNING does
// not go back to QUEUED, and ABORTING only ends. Accepted events update phase, times, cluster and the
// outputs or error, as a compare-and-set on the state they were checked against: of racing events
// exactly one wins and the others are handled again, getting the answers a sequential run gives
// (the rules node and task events share are in ../shared/event-rules).
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ExecutionClosureSchema, ExecutionSpecSchema, ExecutionMetadataSchema } from "../../gen/flyteidl/admin/execution_pb";
import type { WorkflowExecutionEventRequest } from "../../gen/flyteidl/admin/event_pb";
import { ExecutionError_ErrorKind, WorkflowExecution_Phase as Phase } from "../../gen/flyteidl/core/execution_pb";
import { WorkflowExecutionIdentifierSchema } from "../../gen/flyteidl/core/identifier_pb";
import { LiteralMapSchema } from "../../gen/flyteidl/core/literals_pb";
import { alreadyExists, failedPrecondition, invalidArgument, resourceExhausted } from "../../kernel/errors";
import { goText } from "../../kernel/go-text";
import type { BlobStore } from "../../ports/blob";
import type { ExecutionPatch, ExecutionRecord } from "../../ports/executions";
import { checkCluster, incompatibleClusterError, isRealProducer, terminalStateError } from "../shared/event-rules";
import { knownEnum } from "../../kernel/validate";

const terminalPhases = new Set([Phase.SUCCEEDED, Phase.FAILED, Phase.TIMED_OUT, Phase.ABORTED]);
export const isTerminal = (p: Phase) => terminalPhases.has(p);

export interface WorkflowEventSettings {
  maxSizeInBytes: number;
  inlineEventDataPolicy: "Offload" | "StoreInline";
  metadataPrefix: string;
}

export function validateWorkflowEvent(
  req: WorkflowExecutionEventRequest,
  maxSize: number,
): asserts req is WorkflowExecutionEventRequest & { event: NonNullable<WorkflowExecutionEventRequest["event"]> } {
  if (!req.event) throw invalidArgument("Workflow event handler was called without event");
  if (!req.event.executionId)
    throw invalidArgument(`Workflow event handler request event doesn't have an execution id - ${goText(WorkflowExecutionIdentifierSchema, undefined)}`);
  knownEnum(Phase, req.event.phase, "phase");
  const out = req.event.outputResult;
  if (out.case === "outputData" && maxSize > 0) {
    const size = toBinary(LiteralMapSchema, out.value).length;
    if (size > maxSize) throw resourceExhausted(`Output data size exceeds platform limit. Data size: ${size}, limit: ${maxSize}`);
  }
}

/** The phase checks, in upstream's order. */
export function checkTransition(r: ExecutionRecord, event: NonNullable<WorkflowExecutionEventRequest["event"]>): void {
  const stored = Phase[r.phase as keyof typeof Phase] ?? Phase.UNDEFINED;
  const next = event.phase;
  const idText = goText(WorkflowExecutionIdentifierSchema, event.executionId);
  if (next !== Phase.QUEUED) {
    if (stored === next) throw alreadyExists(`This phase ${Phase[stored]} was already recorded for workflow execution ${idText}`);
    checkCluster(r.cluster, event.producerId);
  }
  if (isTerminal(stored)) {
    throw terminalStateError(`Invalid phase change from ${Phase[stored]} to ${Phase[next]} for workflow execution ${idText}`, Phase[stored]);
  }
  if (stored === Phase.RUNNING && next === Phase.QUEUED) {
    throw failedPrecondition(`Cannot go from ${Phase[stored]} to ${Phase[next]} for workflow execution ${idText}`);
  }
  if (stored === Phase.ABORTING && !isTerminal(next)) {
    throw failedPrecondition(`Invalid phase change from aborting to ${Phase[next]} for workflow execution ${idText}`);
  }
}

/** The row changes an accepted event makes (upstream's UpdateExecutionModelState). */
export async function applyWorkflowEvent(
  r: ExecutionRecord,
  event: NonNullable<WorkflowExecutionEventRequest["event"]>,
  blobs: BlobStore,
  settings: WorkflowEventSettings,
): Promise<ExecutionPatch> {
  const closure = fromBinary(ExecutionClosureSchema, r.closure);
  const occurred = event.occurredAt ? timestampDate(event.occurredAt) : new Date();
  const patch: ExecutionPatch = {
    phase: Phase[event.phase],
    executionUpdatedAt: occurred.toISOString(),
    readFrom: { phase: r.phase, cluster: r.cluster, closure: r.closure },
  };
  closure.phase = event.phase;
  closure.updatedAt = event.occurredAt ?? timestampFromDate(occurred);
  if (event.phase === Phase.RUNNING) {
    patch.startedAt = occurred.toISOString();
    closure.startedAt = closure.updatedAt;
  } else if (isTerminal(event.phase) && r.startedAt) {
    const ms = occurred.getTime() - new Date(r.startedAt).getTime();
    patch.duration = ms * 1e6;
    closure.duration = durationFromMs(ms);
  }

  if (isRealProducer(event.producerId)) {
    if (r.phase === "UNDEFINED" || r.phase === "QUEUED") {
      // Reassignable until the execution runs: record the cluster that picked it up.
      const spec = fromBinary(ExecutionSpecSchema, r.spec);
      const metadata = (spec.metadata ??= create(ExecutionMetadataSchema));
      metadata.systemMetadata ??= { $typeName: "flyteidl.admin.SystemMetadata", executionCluster: "", namespace: "" };
      metadata.systemMetadata.executionCluster = event.producerId;
      patch.cluster = event.producerId;
      patch.spec = toBinary(ExecutionSpecSchema, spec);
    } else if (r.cluster !== event.producerId) {
      throw incompatibleClusterError(
        `Cannot accept events for running/terminated execution [${goText(WorkflowExecutionIdentifierSchema, event.executionId)}] from cluster [${event.producerId}],expected events to originate from [${r.cluster}]`,
        r.cluster,
      );
    }
  }

  const out = event.outputResult;
  if (out.case === "outputUri" && out.value !== "") {
    closure.outputResult = { case: "outputs", value: { $typeName: "flyteidl.admin.LiteralMapBlob", data: { case: "uri", value: out.value } } };
  } else if (out.case === "outputData") {
    if (settings.inlineEventDataPolicy === "StoreInline") closure.outputResult = { case: "outputData", value: out.value };
    else {
      const uri = blobs.uri(settings.metadataPrefix, r.project, r.domain, r.name, "offloaded_outputs");
      await blobs.write(uri, toBinary(LiteralMapSchema, out.value));
      closure.outputResult = { case: "outputs", value: { $typeName: "flyteidl.admin.LiteralMapBlob", data: { case: "uri", value: uri } } };
    }
  } else if (out.case === "error") {
    closure.outputResult = { case: "error", value: out.value };
    patch.errorKind = ExecutionError_ErrorKind[out.value.kind];
    patch.errorCode = out.value.code;
  }
  patch.closure = toBinary(ExecutionClosureSchema, closure);
  return patch;
}
