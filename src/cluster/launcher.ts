// The execution rules' Launcher, made of the FlyteWorkflow builder and the executor: build the resource
// for the execution, submit it, report the cluster it went to.
import { internal } from "../kernel/errors";
import type { Launcher, LaunchRequest } from "../ports/launcher";
import { buildFlyteWorkflow } from "./flyteworkflow";
import { workflowParts, type WorkflowParts } from "./workflow-parts";
import type { CompiledWorkflowClosure } from "../gen/flyteidl/core/compiler_pb";
import { ClusterError } from "./client";
import type { WorkflowExecutor } from "./executor";

export interface LaunchSettings {
  roleNameKey: string;
  eventVersion: number;
  consoleUrl: string;
  useOffloadedWorkflowClosure: boolean;
  useOffloadedInputs: boolean;
}

/** Cluster failures are the server's (Internal, as upstream words them); build errors pass as they are. */
const asAdminError = (e: unknown) => (e instanceof ClusterError ? internal(`failed to create workflow in propeller ${e.message}`) : e);

export function clusterLauncher(executor: WorkflowExecutor, settings: LaunchSettings): Launcher {
  // The launch closures the execution rules hand over are shared and never mutated, so the closure-only
  // parts of the resource are built once per closure object and live as long as it does.
  const parts = new WeakMap<CompiledWorkflowClosure, WorkflowParts>();
  const partsOf = (closure: CompiledWorkflowClosure) => {
    let p = parts.get(closure);
    if (!p) parts.set(closure, (p = workflowParts(closure)));
    return p;
  };
  return {
    clusterFor(r) {
      try {
        return executor.clusterFor({ executionName: r.executionId.name, clusterLabel: r.clusterLabel, attributeLabel: r.attributeLabel });
      } catch (e) {
        if (e instanceof ClusterError) return undefined; // launch reports it
        throw e;
      }
    },
    async launch(r: LaunchRequest) {
      const resource = buildFlyteWorkflow(
        {
          closure: r.closure,
          inputs: r.inputs,
          executionId: r.executionId,
          namespace: r.namespace,
          acceptedAt: r.acceptedAt,
          labels: r.labels,
          annotations: r.annotations,
          executionConfig: r.executionConfig,
          roleNameKey: settings.roleNameKey,
          rawOutputDataConfig: r.executionConfig.rawOutputDataConfig,
          pluginOverrides: r.pluginOverrides,
          recoveryExecution: r.recoveryExecution,
          taskResources: r.taskResources,
          eventVersion: settings.eventVersion,
          consoleUrl: settings.consoleUrl,
          offloaded: {
            closureUri: settings.useOffloadedWorkflowClosure ? r.closureUri : undefined,
            inputsUri: settings.useOffloadedInputs ? r.inputsUri : undefined,
          },
        },
        partsOf,
      );
      return executor
        .execute({ executionName: r.executionId.name, namespace: r.namespace, resource, clusterLabel: r.clusterLabel, attributeLabel: r.attributeLabel })
        .catch((e: unknown) => {
          throw asAdminError(e);
        });
    },
    async abort(a) {
      await executor.abort(a).catch((e: unknown) => {
        throw e instanceof ClusterError ? internal(`failed to terminate execution: ${a.executionName} with err ${e.message}`) : e;
      });
    },
  };
}
