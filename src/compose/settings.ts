// Configuration → the settings each manager takes: plain mapping, no rules (those live in the managers).
import { create } from "@bufbuild/protobuf";
import type { Config } from "../config/schema";
import { AnnotationsSchema, EnvsSchema, LabelsSchema, RawOutputDataConfigSchema } from "../gen/flyteidl/admin/common_pb";
import { SecurityContextSchema } from "../gen/flyteidl/core/security_pb";
import type { ExecutionSettings } from "../domain/executions/manager";
import type { WorkflowRules } from "../domain/workflows/manager";
import type { LaunchSettings } from "../cluster/launcher";

/** Execution defaults from the server config (the last level of execution-config resolution). */
export function executionSettings(config: Config): ExecutionSettings {
  const a = config.flyteadmin;
  return {
    namespaceTemplate: config.namespace_mapping.template,
    maxSizeInBytes: config.remoteData.maxSizeInBytes,
    inlineEventDataPolicy: config.remoteData.inlineEventDataPolicy,
    metadataPrefix: "metadata",
    defaults: {
      maxParallelism: a.maxParallelism,
      securityContext: create(SecurityContextSchema, { runAs: { iamRole: a.assumableIamRole, k8sServiceAccount: a.k8sServiceAccount } }),
      rawOutputDataConfig: create(RawOutputDataConfigSchema, { outputLocationPrefix: a.outputLocationPrefix }),
      labels: create(LabelsSchema, { values: a.labels }),
      annotations: create(AnnotationsSchema, { values: a.annotations }),
      interruptible: a.interruptible ? true : undefined,
      overwriteCache: a.overwriteCache,
      envs: create(EnvsSchema, { values: Object.entries(a.envs).map(([key, value]) => ({ key, value })) }),
    },
    taskResources: { defaults: config.task_resources.defaults, limits: config.task_resources.limits },
    queues: config.queues,
    clusterPools: Object.fromEntries(Object.entries(config.clusterPools.clusterPoolAssignments).map(([domain, a]) => [domain, a.pool])),
  };
}

export function workflowRules(config: Config): WorkflowRules {
  return { ...config.registration, metadataStoragePrefix: config.flyteadmin.metadataStoragePrefix };
}

/** How event data is kept: inline under the size limit, else offloaded (remoteData.*). */
export function eventDataSettings(config: Config): { maxSizeInBytes: number; inlineEventDataPolicy: Config["remoteData"]["inlineEventDataPolicy"] } {
  return { maxSizeInBytes: config.remoteData.maxSizeInBytes, inlineEventDataPolicy: config.remoteData.inlineEventDataPolicy };
}

export function launchSettings(config: Config): LaunchSettings {
  return {
    roleNameKey: config.flyteadmin.roleNameKey,
    eventVersion: config.flyteadmin.eventVersion,
    consoleUrl: config.flyteadmin.consoleUrl,
    useOffloadedWorkflowClosure: config.flyteadmin.useOffloadedWorkflowClosure,
    useOffloadedInputs: config.flyteadmin.useOffloadedInputs,
  };
}
