// Hands a committed execution to the cluster. Its name is ours once the row is committed, so only now
// are its inputs written (a losing duplicate must not overwrite the winner's); then the closure as
// launched (platform task resources, queue) goes to the launcher with the plugin overrides. A refusal is
// recorded on the execution (FAILED with the reason), not lost and not returned: the execution exists.
import { toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  ExecutionClosureSchema,
  ExecutionMetadata_ExecutionMode as Mode,
  ExecutionSpecSchema,
  type ExecutionClosure,
} from "../../gen/flyteidl/admin/execution_pb";
import type { WorkflowExecutionConfig } from "../../gen/flyteidl/admin/matchable_resource_pb";
import { ExecutionError_ErrorKind, WorkflowExecution_Phase as Phase } from "../../gen/flyteidl/core/execution_pb";
import { LiteralMapSchema, type LiteralMap } from "../../gen/flyteidl/core/literals_pb";
import { AdminError, ErrorCode, internal } from "../../kernel/errors";
import type { BlobStore } from "../../ports/blob";
import type { ExecutionRecord, ExecutionStore } from "../../ports/executions";
import type { Launcher } from "../../ports/launcher";
import type { NewExecution } from "./execution-record";
import { pluginOverridesFor, queueTagsFor, taskResourcesFor, type AttributeLookup } from "./launch-attributes";
import { pickQueue } from "./queues";
import type { ExecutionSettings } from "./settings";
import type { WorkflowClosures } from "./workflow-closures";

/** A stored execution and what its launch needs beyond the row. */
export interface Submission {
  execution: NewExecution;
  record: ExecutionRecord;
  closure: ExecutionClosure;
  /** The request's own inputs (before the launch plan's defaults), kept for relaunch. */
  userInputs: LiteralMap;
  namespace: string;
  attributes: AttributeLookup;
  executionConfig: WorkflowExecutionConfig;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  clusterLabel: string | undefined;
  attributeLabel: string | undefined;
}

export interface SubmitDeps {
  executions: ExecutionStore;
  blobs: BlobStore;
  launcher: Launcher;
  closures: WorkflowClosures;
  settings: Pick<ExecutionSettings, "taskResources" | "queues">;
}

export async function submitExecution(deps: SubmitDeps, s: Submission): Promise<void> {
  const { id, target, metadata } = s.execution;
  const scope = { project: id.project, domain: id.domain, workflow: target.workflow.name };
  try {
    await Promise.all([
      deps.blobs.write(s.execution.inputsUri, toBinary(LiteralMapSchema, target.inputs)),
      deps.blobs.write(s.execution.userInputsUri, toBinary(LiteralMapSchema, s.userInputs)),
    ]).catch((e: unknown) => {
      throw internal(`failed to offload the execution inputs: ${(e as Error).message}`);
    });
    const taskResources = await taskResourcesFor(s.attributes, scope, deps.settings.taskResources);
    const queueTags = await queueTagsFor(s.attributes, scope);
    const compiled = await deps.closures.forLaunch(target.workflow, taskResources, pickQueue(queueTags, id.domain, deps.settings.queues));
    const { cluster } = await deps.launcher.launch({
      executionId: id,
      namespace: s.namespace,
      closure: compiled,
      closureUri: target.workflow.remoteClosureIdentifier,
      inputs: target.inputs,
      inputsUri: s.execution.inputsUri,
      acceptedAt: s.execution.acceptedAt,
      labels: s.labels,
      annotations: s.annotations,
      executionConfig: s.executionConfig,
      taskResources,
      pluginOverrides: await pluginOverridesFor(s.attributes, scope, target.launchPlan.name),
      clusterLabel: s.clusterLabel,
      attributeLabel: s.attributeLabel,
      recoveryExecution: metadata.mode === Mode.RECOVERED ? metadata.referenceExecution : undefined,
      workflowName: target.workflow.name,
      launchPlanName: target.launchPlan.name,
    });
    if (cluster !== s.execution.cluster) {
      if (metadata.systemMetadata) metadata.systemMetadata.executionCluster = cluster;
      await deps.executions.update(s.record, { cluster, spec: toBinary(ExecutionSpecSchema, s.execution.spec) });
    }
  } catch (e) {
    await recordLaunchFailure(deps.executions, s.record, s.closure, e);
  }
}

/** As upstream records a refused launch: FAILED, with the gRPC code name of an admin error, else "Unknown". */
async function recordLaunchFailure(executions: ExecutionStore, record: ExecutionRecord, closure: ExecutionClosure, e: unknown): Promise<void> {
  const message = (e as Error).message;
  const code = e instanceof AdminError ? ErrorCode[e.code] : "Unknown";
  const kind = e instanceof AdminError && e.code === ErrorCode.InvalidArgument ? ExecutionError_ErrorKind.USER : ExecutionError_ErrorKind.SYSTEM;
  closure.phase = Phase.FAILED;
  closure.outputResult = {
    case: "error",
    value: { $typeName: "flyteidl.core.ExecutionError", code, message, errorUri: "", kind, timestamp: undefined, worker: "" },
  };
  closure.updatedAt = timestampFromDate(new Date());
  await executions.update(record, {
    phase: Phase[Phase.FAILED],
    closure: toBinary(ExecutionClosureSchema, closure),
    errorKind: ExecutionError_ErrorKind[kind],
    errorCode: code,
    executionUpdatedAt: new Date().toISOString(),
  });
}
