// What the server's configuration decides for every execution (namespace, data limits and offloading,
// platform defaults, queues, cluster pools), as the execution manager is given it.
import type { ResourceSet } from "../../ports/launcher";
import type { ExecConfigSource } from "./exec-config";
import type { QueueSettings } from "./queues";

export interface ExecutionSettings {
  namespaceTemplate: string;
  maxSizeInBytes: number;
  inlineEventDataPolicy: "Offload" | "StoreInline";
  metadataPrefix: string;
  defaults: ExecConfigSource;
  taskResources: { defaults: ResourceSet; limits: ResourceSet };
  queues: QueueSettings;
  /** clusterPools.clusterPoolAssignments: domain → pool. */
  clusterPools: Record<string, string>;
}

/** The namespace a project/domain's executions run in: the template with both filled in. */
export const namespaceFor = (template: string, project: string, domain: string): string =>
  template.replaceAll("{{ project }}", project).replaceAll("{{ domain }}", domain);
