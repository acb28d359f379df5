// Submits and aborts FlyteWorkflow resources with plain Kubernetes REST calls, as upstream's
// K8sWorkflowExecutor: create (409 AlreadyExists is success, so a re-submit is idempotent), delete with
// background propagation (404 is success). Failures are typed ClusterErrors for the caller to record or
// retry, never swallowed. Several clusters come from clusters.clusterConfigs (selection.ts picks one per
// execution); without them one cluster from server.kube-config, the pod's service account or
// KUBECONFIG; with none of these the executor is noop and executions stay queued.
import type { Config } from "../config/schema";
import { parseGoDuration } from "../kernel/duration";
import type { Logger } from "../kernel/log";
import { ClusterError, KubeClient, reasonOf, responseError, type ClientLimits } from "./client";
import { defaultCredentials, fileToken, inClusterCredentials, requirePem, serverUrl, type KubeCredentials } from "./kubeconfig";
import { ClusterConfigError, ClusterSelector } from "./selection";
import { NamespaceEnsurer } from "./resources/ensure";
import { readFileSync } from "node:fs";

export { ClusterError } from "./client";
export { ClusterConfigError } from "./selection";

export interface ExecuteRequest {
  executionName: string;
  namespace: string;
  /** The FlyteWorkflow resource (flyteworkflow.ts); its apiVersion and kind are set on the wire. */
  resource: object;
  /** The label the request (or its parent execution) asked for. */
  clusterLabel?: string;
  /** The EXECUTION_CLUSTER_LABEL attributes' label; only consulted when several clusters exist. */
  attributeLabel?: string;
}

export interface AbortRequest {
  /** The cluster id stored with the execution ("" for the single cluster). */
  cluster: string;
  namespace: string;
  executionName: string;
}

export interface WorkflowExecutor {
  readonly kind: "k8s" | "noop";
  /** The cluster `execute` will submit to (selection is deterministic); throws ClusterError when none fits. */
  clusterFor(req: Pick<ExecuteRequest, "executionName" | "clusterLabel" | "attributeLabel">): string;
  execute(req: ExecuteRequest): Promise<{ cluster: string }>;
  abort(req: AbortRequest): Promise<void>;
}

/** server.kubeClientConfig, or a cluster's own; timeout is a Go duration ("30s"; "0s": none). */
export interface KubeClientConfig {
  qps: number;
  burst: number;
  timeout: string;
}

export interface ClusterConfigEntry {
  name: string;
  endpoint: string;
  /** `type` is accepted for older configs and ignored, as upstream 1.16 does. */
  auth: { type?: string; tokenPath: string; certPath: string };
  enabled: boolean;
  inCluster: boolean;
  kubeClientConfig?: KubeClientConfig;
}

export interface ClusterSettings {
  /** server.kube-config ($VARs expanded); "" for in-cluster, else KUBECONFIG. */
  kubeConfig: string;
  /** server.master: replaces the kubeconfig's server URL. */
  master?: string;
  /** server.kubeClientConfig.timeout in milliseconds; 0: none. */
  timeoutMs: number;
  /** server.kubeClientConfig.qps and .burst (upstream's defaults, 100 and 25, when absent). */
  qps?: number;
  burst?: number;
  clusterConfigs: ClusterConfigEntry[];
  labelClusterMap: Record<string, Array<{ id: string; weight: number }>>;
  defaultExecutionLabel: string;
  /** cluster_resources.ensureNamespace: create an execution's namespace, if absent, before its first FlyteWorkflow. */
  ensureNamespace?: boolean;
}

/** The executor's settings from the loaded configuration (server.*, clusters.*, cluster_resources.ensureNamespace). */
export function clusterSettings(config: Pick<Config, "server" | "clusters" | "cluster_resources">): ClusterSettings {
  const k = config.server.kubeClientConfig;
  return {
    kubeConfig: config.server["kube-config"],
    master: config.server.master,
    timeoutMs: durationMs(k.timeout, "server.kubeClientConfig.timeout"),
    qps: k.qps,
    burst: k.burst,
    ...config.clusters,
    ensureNamespace: config.cluster_resources.ensureNamespace,
  };
}

export interface ExecutorOptions {
  /** Environment read for KUBERNETES_SERVICE_HOST/PORT and KUBECONFIG (tests pass their own). */
  env?: Record<string, string | undefined>;
  /** Where the service account is mounted (tests point it at a temporary folder). */
  serviceAccountDir?: string;
}

const group = "/apis/flyte.lyft.com/v1alpha1";
const resourcePath = (ns: string, name?: string) =>
  `${group}/namespaces/${encodeURIComponent(ns)}/flyteworkflows${name === undefined ? "" : `/${encodeURIComponent(name)}`}`;
// The builder reproduces upstream's Go struct, whose TypeMeta kind is "flyteworkflow"; client-go's encoder
// replaces it with the registered kind, and the API server refuses any other ("kind: must be FlyteWorkflow").
const wireType = { apiVersion: "flyte.lyft.com/v1alpha1", kind: "FlyteWorkflow" };
const deleteOptions = { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" };

function durationMs(text: string, key: string): number {
  const ms = parseGoDuration(text);
  if (ms === undefined || ms < 0) throw new ClusterConfigError(`${key}: ${JSON.stringify(text)} is not a duration`);
  return ms;
}

interface Target {
  id: string;
  client: KubeClient;
}

class KubeExecutor implements WorkflowExecutor {
  readonly kind = "k8s";
  constructor(
    /** Several clusters, or the single one (id ""). */
    private readonly clusters: ClusterSelector<Target> | Target,
    private readonly log: Logger,
    private readonly namespaces?: NamespaceEnsurer,
  ) {}

  /** Clusters that refused us namespaces (403): not asked again, their namespaces are someone else's job. */
  private readonly noNamespaces = new Set<string>();

  /** Best effort: a namespace that cannot be made is logged, and the FlyteWorkflow's own answer decides. */
  private async ensureNamespace(target: Target, namespace: string): Promise<void> {
    if (!this.namespaces || this.noNamespaces.has(target.id)) return;
    try {
      await this.namespaces.ensure(target, namespace);
    } catch (e) {
      const forbidden = e instanceof ClusterError && e.status === 403;
      if (forbidden) this.noNamespaces.add(target.id);
      this.log.warn(forbidden ? "not allowed to create namespaces; no longer trying in this cluster" : "could not ensure the namespace", {
        cluster: target.id,
        namespace,
        error: (e as Error).message,
      });
    }
  }

  clusterFor(req: Pick<ExecuteRequest, "executionName" | "clusterLabel" | "attributeLabel">): string {
    return this.chooseFor(req).id;
  }

  private chooseFor(req: Pick<ExecuteRequest, "executionName" | "clusterLabel" | "attributeLabel">): Target {
    const c = this.clusters;
    if (!(c instanceof ClusterSelector)) {
      // Upstream's in-cluster target takes no label: refusing beats silently running elsewhere.
      if (req.clusterLabel) throw new ClusterError(`execution cluster label ${req.clusterLabel} is not supported`, 0, "", false);
      return c;
    }
    return c.select(req.executionName, req.clusterLabel || req.attributeLabel || undefined).item;
  }

  private targetOf(req: AbortRequest): Target {
    const c = this.clusters;
    if (!(c instanceof ClusterSelector)) {
      if (req.cluster !== "" && req.cluster !== "id") throw new ClusterError(`remote target ${req.cluster} is not supported`, 0, "", false);
      return c;
    }
    // No stored cluster (submitted before clusters were configured): upstream picks at random; we pick
    // deterministically by name, the cluster an unlabelled execution of that name would go to.
    if (req.cluster === "") return c.select(req.executionName, undefined).item;
    const t = c.get(req.cluster);
    if (!t) throw new ClusterError(`invalid cluster target ${req.cluster}`, 0, "", false);
    return t;
  }

  async execute(req: ExecuteRequest): Promise<{ cluster: string }> {
    const target = this.chooseFor(req);
    const what = `creating flyteworkflow ${req.namespace}/${req.executionName}${target.id ? ` in cluster [${target.id}]` : ""}`;
    await this.ensureNamespace(target, req.namespace);
    const res = await target.client.request("POST", resourcePath(req.namespace), { ...req.resource, ...wireType }).catch((e: unknown) => {
      throw this.logged(e, what);
    });
    if (res.status >= 200 && res.status < 300) return { cluster: target.id };
    if (res.status === 409 && reasonOf(res, "POST").reason === "AlreadyExists") {
      this.log.debug("flyteworkflow already exists; submitted before", { cluster: target.id, namespace: req.namespace, execution: req.executionName });
      return { cluster: target.id };
    }
    throw this.logged(responseError(what, "POST", res), what);
  }

  async abort(req: AbortRequest): Promise<void> {
    const target = this.targetOf(req);
    const what = `deleting flyteworkflow ${req.namespace}/${req.executionName}${target.id ? ` in cluster [${target.id}]` : ""}`;
    const res = await target.client.request("DELETE", resourcePath(req.namespace, req.executionName), deleteOptions).catch((e: unknown) => {
      throw this.logged(e, what);
    });
    if (res.status >= 200 && res.status < 300) return;
    if (res.status === 404 && reasonOf(res, "DELETE").reason === "NotFound") return; // already gone
    throw this.logged(responseError(what, "DELETE", res), what);
  }

  private logged(e: unknown, what: string): unknown {
    if (e instanceof ClusterError) {
      this.log.warn(`Kubernetes refused ${what}`, { status: e.status, reason: e.reason, retriable: e.retriable, error: e.message });
      if (e.status === 0 && !e.message.startsWith(what)) return new ClusterError(`${what}: ${e.message}`, e.status, e.reason, e.retriable, e.kubeMessage);
    }
    return e;
  }
}

const noop: WorkflowExecutor = {
  kind: "noop",
  clusterFor: () => "",
  execute: async () => ({ cluster: "" }),
  abort: async () => {},
};

/** A remote cluster's credentials: its endpoint, the token file (required, as upstream) and CA file. */
export function remoteCredentials(c: ClusterConfigEntry, where: string): KubeCredentials {
  if (!c.endpoint) throw new ClusterConfigError(`${where}.endpoint is not set`);
  if (!c.auth.tokenPath) throw new ClusterConfigError(`${where}.auth.tokenPath is not set`);
  const server = serverUrl(c.endpoint, `${where}.endpoint`);
  const token = fileToken(c.auth.tokenPath, `${where}.auth.tokenPath`);
  token.read(); // a wrong path is a start-up error, as upstream reads it at start-up
  let ca: string | undefined;
  if (c.auth.certPath) {
    let text: string;
    try {
      text = readFileSync(c.auth.certPath, "utf8");
    } catch (e) {
      throw new ClusterConfigError(`${where}.auth.certPath: ${c.auth.certPath} cannot be read (${(e as Error).message})`);
    }
    ca = requirePem(text, "certificate", `${where}.auth.certPath ${c.auth.certPath}`);
  }
  return {
    server,
    ca,
    insecureSkipTlsVerify: false,
    auth: async () => ({ authorization: `Bearer ${token.read()}` }),
    invalidate: () => token.invalidate(),
    source: `clusters.clusterConfigs ${c.name}`,
  };
}

export function limitsOf(k: KubeClientConfig | undefined, fallback: ClientLimits, where: string): ClientLimits {
  // A cluster's kubeClientConfig replaces the server's as a whole, as upstream's pointer override does.
  return k ? { qps: k.qps, burst: k.burst, timeoutMs: durationMs(k.timeout, `${where}.kubeClientConfig.timeout`) } : fallback;
}

/**
 * The executor the configuration asks for. Throws ClusterConfigError / KubeconfigError on configuration
 * that cannot work (upstream refuses to start too); logs once which clusters get executions, or that
 * there are none and executions will stay queued.
 */
export function createExecutor(settings: ClusterSettings, log: Logger, options: ExecutorOptions = {}): WorkflowExecutor {
  const env = options.env ?? process.env;
  const limits: ClientLimits = { timeoutMs: settings.timeoutMs, qps: settings.qps ?? 100, burst: settings.burst ?? 25 };
  if (settings.clusterConfigs.length > 0) {
    if (settings.kubeConfig) log.warn("server.kube-config is ignored: clusters.clusterConfigs lists the execution clusters");
    const clusters = new Map<string, { item: Target; enabled: boolean }>();
    settings.clusterConfigs.forEach((c, i) => {
      const where = `clusters.clusterConfigs[${i}]`;
      if (clusters.has(c.name)) throw new ClusterConfigError(`${where}: duplicate cluster name ${c.name}`);
      let creds: KubeCredentials;
      if (c.inCluster) {
        const pod = inClusterCredentials(env, options.serviceAccountDir);
        if (!pod)
          throw new ClusterConfigError(
            `${where} (${c.name}): inCluster is set but this is not a pod with a service account (KUBERNETES_SERVICE_HOST/PORT and its token)`,
          );
        creds = pod;
      } else creds = remoteCredentials(c, `${where} (${c.name})`);
      // Upstream applies a cluster's own kubeClientConfig to remote clusters only.
      const clientLimits = c.inCluster ? limits : limitsOf(c.kubeClientConfig, limits, where);
      clusters.set(c.name, { item: { id: c.name, client: new KubeClient(creds, clientLimits) }, enabled: c.enabled });
    });
    const selector = new ClusterSelector(clusters, settings);
    log.info("executions go to Kubernetes", {
      clusters: settings.clusterConfigs.map((c) => ({ name: c.name, enabled: c.enabled, server: clusters.get(c.name)?.item.client.credentials.server })),
      labels: selector.routes,
      defaultExecutionLabel: settings.defaultExecutionLabel,
    });
    return new KubeExecutor(selector, log, settings.ensureNamespace ? new NamespaceEnsurer(log) : undefined);
  }
  const creds = defaultCredentials(settings.kubeConfig, { master: settings.master, env, serviceAccountDir: options.serviceAccountDir });
  if (creds) {
    log.info("executions go to Kubernetes", { server: creds.server, credentials: creds.source });
    return new KubeExecutor({ id: "", client: new KubeClient(creds, limits) }, log, settings.ensureNamespace ? new NamespaceEnsurer(log) : undefined);
  }
  log.warn(
    "no Kubernetes cluster configured (server.kube-config, clusters.clusterConfigs, a pod's service account or KUBECONFIG): executions are accepted and stay queued",
  );
  return noop;
}
