// The controller from the configuration and an open database: the commands and, with
// cluster_resources.inServe, the server build it here, so both read the same settings.
import type { Config } from "../../config/schema";
import { parseGoDuration } from "../../kernel/duration";
import type { Logger } from "../../kernel/log";
import type { SqlEngine } from "../../stores/db/engine";
import { resourceStore } from "../../stores/db/matchable";
import { projectStore } from "../../stores/db/projects";
import { clusterSettings, type ExecutorOptions } from "../executor";
import { ClusterConfigError } from "../selection";
import { ClusterResourceController, controllerSettings } from "./controller";
import { storeSource } from "./source";
import { resourceTargets } from "./targets";

/** Throws ClusterConfigError when no cluster is configured or one cannot be set up. */
export function buildController(config: Config, db: SqlEngine, log: Logger, options: ExecutorOptions = {}): ClusterResourceController {
  if (config.cluster_resources.standaloneDeployment) {
    log.warn("cluster_resources.standaloneDeployment: projects are read from the database (database.url), not through the admin API");
  }
  const targets = resourceTargets(clusterSettings(config), options);
  if (targets.length === 0) {
    throw new ClusterConfigError("no Kubernetes cluster configured (server.kube-config, clusters.clusterConfigs, a pod's service account or KUBECONFIG)");
  }
  return new ClusterResourceController(controllerSettings(config), storeSource(projectStore(db), resourceStore(db)), targets, log, options.env ?? process.env);
}

/** cluster_resources.refreshInterval in milliseconds. */
export const refreshMs = (config: Config): number => parseGoDuration(config.cluster_resources.refreshInterval) ?? 60_000;
