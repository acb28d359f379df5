// The clusters cluster resources go to: every enabled entry of clusters.clusterConfigs, else the single
// cluster the executor would use (server.kube-config, the pod's service account or KUBECONFIG), as
// upstream's ListTargets gives its valid targets. Credentials are built exactly as the executor's.
import { KubeClient, type ClientLimits } from "../client";
import type { ResourceTarget } from "./apply";
import { limitsOf, remoteCredentials, type ClusterSettings, type ExecutorOptions } from "../executor";
import { defaultCredentials, inClusterCredentials } from "../kubeconfig";
import { ClusterConfigError } from "../selection";

export type { ResourceTarget } from "./apply";

/** Throws ClusterConfigError when a configured cluster cannot be reached with its settings; [] when none is configured. */
export function resourceTargets(settings: ClusterSettings, options: ExecutorOptions = {}): ResourceTarget[] {
  const env = options.env ?? process.env;
  const limits: ClientLimits = { timeoutMs: settings.timeoutMs, qps: settings.qps ?? 100, burst: settings.burst ?? 25 };
  if (settings.clusterConfigs.length > 0) {
    return settings.clusterConfigs.flatMap((c, i) => {
      if (!c.enabled) return [];
      const where = `clusters.clusterConfigs[${i}] (${c.name})`;
      if (c.inCluster) {
        const pod = inClusterCredentials(env, options.serviceAccountDir);
        if (!pod) throw new ClusterConfigError(`${where}: inCluster is set but this is not a pod with a service account`);
        return [{ id: c.name, client: new KubeClient(pod, limits) }];
      }
      return [{ id: c.name, client: new KubeClient(remoteCredentials(c, where), limitsOf(c.kubeClientConfig, limits, `clusters.clusterConfigs[${i}]`)) }];
    });
  }
  const creds = defaultCredentials(settings.kubeConfig, { master: settings.master, env, serviceAccountDir: options.serviceAccountDir });
  return creds ? [{ id: "", client: new KubeClient(creds, limits) }] : [];
}
