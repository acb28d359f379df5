// What the execution rules hand to the cluster side: everything needed to build and submit the
// FlyteWorkflow resource. wiring.ts implements it with the resource builder and the executor.
import type { CompiledWorkflowClosure } from "../gen/flyteidl/core/compiler_pb";
import type { LiteralMap } from "../gen/flyteidl/core/literals_pb";
import type { WorkflowExecutionIdentifier } from "../gen/flyteidl/core/identifier_pb";
import type { WorkflowExecutionConfig } from "../gen/flyteidl/admin/matchable_resource_pb";
import type { PluginOverride } from "../gen/flyteidl/admin/matchable_resource_pb";

export interface LaunchRequest {
  executionId: WorkflowExecutionIdentifier;
  namespace: string;
  /** Shared with other launches of the same workflow version: read it, never change it. */
  closure: CompiledWorkflowClosure;
  /** Blob URI of the workflow closure (for offloaded-closure mode). */
  closureUri: string;
  inputs: LiteralMap;
  inputsUri: string;
  acceptedAt: Date;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  executionConfig: WorkflowExecutionConfig;
  /** Platform task resource defaults and limits (k8s quantities; "" unset). */
  taskResources: { defaults: ResourceSet; limits: ResourceSet };
  pluginOverrides: PluginOverride[];
  /** The label the request (or its parent execution) asked for. */
  clusterLabel?: string;
  /** EXECUTION_CLUSTER_LABEL attributes' label (upstream consults them only when choosing among clusters). */
  attributeLabel?: string;
  recoveryExecution?: WorkflowExecutionIdentifier;
  workflowName: string;
  launchPlanName: string;
}

export interface ResourceSet {
  cpu: string;
  memory: string;
  gpu: string;
  ephemeralStorage: string;
}

export interface Launcher {
  /** The cluster `launch` will submit to, known before submitting; undefined when launching would fail. */
  clusterFor(r: Pick<LaunchRequest, "executionId" | "clusterLabel" | "attributeLabel">): string | undefined;
  /** Submits the execution; resolves to the cluster chosen. Throws when the cluster refused it. */
  launch(r: LaunchRequest): Promise<{ cluster: string }>;
  abort(r: { cluster: string; namespace: string; executionName: string }): Promise<void>;
}
