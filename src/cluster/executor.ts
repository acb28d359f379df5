// Submits and aborts FlyteWorkflow resources with plain Kubernetes REST calls, as upstream's k8s
// executor: create (409 AlreadyExists is success, so a re-submit is idempotent), delete with background
// propagation (404 is success). Execution clusters come from config and are picked by the execution's
// cluster label and weights, deterministically per execution name; with no cluster at all the executor
// is noop and executions stay queued.
import type { Logger } from "../log";
import { ClusterError, KubeClient, statusOf } from "./client";
import { defaultCredentials, loadKubeconfig, type KubeCredentials } from "./credentials";
import { readFileSync } from "node:fs";

export interface ExecuteRequest {
  executionName: string;
  namespace: string;
  resource: object;
  /** The execution's cluster label, already resolved (request, matchable attributes). */
  clusterLabel?: string;
}

export interface WorkflowExecutor {
  readonly kind: "k8s" | "noop";
  execute(req: ExecuteRequest): Promise<{ cluster: string }>;
  abort(req: { cluster: string; namespace: string; executionName: string }): Promise<void>;
}

export interface ClusterSettings {
  kubeConfig: string;
  timeoutMs: number;
  clusterConfigs: Array<{ name: string; endpoint: string; auth: { tokenPath: string; certPath: string }; enabled: boolean; inCluster: boolean }>;
  labelClusterMap: Record<string, Array<{ id: string; weight: number }>>;
  defaultExecutionLabel: string;
}

const path = (ns: string, name?: string) => `/apis/flyte.lyft.com/v1alpha1/namespaces/${encodeURIComponent(ns)}/flyteworkflows${name ? `/${encodeURIComponent(name)}` : ""}`;

function failure(what: string, status: number, body: unknown): ClusterError {
  const { reason, message } = statusOf(body);
  const retriable = status === 429 || status >= 500;
  return new ClusterError(`${what}: ${status}${reason ? ` ${reason}` : ""}${message ? `: ${message}` : ""}`, status, reason, retriable);
}

/** FNV-1a 64-bit of the execution name seeds the pick, so one name always lands on one cluster. */
function seededUnit(name: string): number {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(name)) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  // splitmix64 step, then 53 bits as a fraction in [0, 1).
  let z = (h + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  z ^= z >> 31n;
  return Number(z >> 11n) / 2 ** 53;
}

export function pickWeighted<T>(entries: Array<{ item: T; weight: number }>, name: string): T {
  const total = entries.reduce((s, e) => s + e.weight, 0);
  if (total <= 0) return entries[Math.floor(seededUnit(name) * entries.length)].item;
  let x = seededUnit(name) * total;
  for (const e of entries) {
    if (x < e.weight) return e.item;
    x -= e.weight;
  }
  return entries[entries.length - 1].item;
}

interface Target {
  id: string;
  client: KubeClient;
}

class KubeExecutor implements WorkflowExecutor {
  readonly kind = "k8s";
  constructor(
    private readonly targets: Map<string, Target>,
    private readonly settings: ClusterSettings,
    /** Single in-cluster target: labels are refused, as upstream's in-cluster selector does. */
    private readonly single: boolean,
  ) {}

  /** The cluster for an execution: its label's clusters (weighted), else the default label's, else all. */
  select(executionName: string, label: string | undefined): Target {
    if (this.single) {
      if (label) throw new ClusterError(`execution cluster label ${label} is not supported`, 0, "", false);
      return [...this.targets.values()][0];
    }
    const weighted = (l: string) =>
      (this.settings.labelClusterMap[l] ?? []).flatMap((e) => {
        const t = this.targets.get(e.id);
        return t ? [{ item: t, weight: e.weight }] : [];
      });
    let entries = label ? weighted(label) : [];
    if (entries.length === 0 && this.settings.defaultExecutionLabel) entries = weighted(this.settings.defaultExecutionLabel);
    if (entries.length === 0) entries = [...this.targets.values()].map((t) => ({ item: t, weight: 1 }));
    if (entries.length === 0) throw new ClusterError("no enabled execution cluster", 0, "", false);
    return pickWeighted(entries, executionName);
  }

  async execute(req: ExecuteRequest): Promise<{ cluster: string }> {
    const target = this.select(req.executionName, req.clusterLabel);
    const res = await target.client.request("POST", path(req.namespace), req.resource);
    if (res.status === 409 || (res.status >= 200 && res.status < 300)) return { cluster: target.id };
    throw failure(`creating flyteworkflow ${req.namespace}/${req.executionName} in cluster [${target.id}]`, res.status, res.body);
  }

  async abort(req: { cluster: string; namespace: string; executionName: string }): Promise<void> {
    const target = this.targets.get(req.cluster) ?? (this.single ? [...this.targets.values()][0] : undefined);
    if (!target) throw new ClusterError(`invalid cluster target ${req.cluster}`, 0, "", false);
    const res = await target.client.request("DELETE", path(req.namespace, req.executionName), {
      kind: "DeleteOptions",
      apiVersion: "v1",
      propagationPolicy: "Background",
    });
    if (res.status === 404 || (res.status >= 200 && res.status < 300)) return;
    throw failure(`deleting flyteworkflow ${req.namespace}/${req.executionName} in cluster [${target.id}]`, res.status, res.body);
  }
}

const noop: WorkflowExecutor = {
  kind: "noop",
  execute: async () => ({ cluster: "" }),
  abort: async () => {},
};

function clusterCredentials(c: ClusterSettings["clusterConfigs"][number], env: Record<string, string | undefined>, saDir?: string): KubeCredentials {
  if (c.inCluster) {
    const creds = defaultCredentials("", env, saDir);
    if (!creds) throw new ClusterError(`cluster ${c.name}: inCluster is set but no service account is mounted`, 0, "", false);
    return creds;
  }
  return {
    server: c.endpoint.replace(/\/+$/, ""),
    ca: c.auth.certPath ? readFileSync(c.auth.certPath, "utf8") : undefined,
    token: c.auth.tokenPath ? () => readFileSync(c.auth.tokenPath, "utf8").trim() : undefined,
  };
}

/** The executor the configuration asks for; says once at start-up when executions will only queue. */
export function createExecutor(settings: ClusterSettings, log: Logger, env: Record<string, string | undefined> = process.env, saDir?: string): WorkflowExecutor {
  const enabled = settings.clusterConfigs.filter((c) => c.enabled);
  if (enabled.length > 0) {
    const targets = new Map(enabled.map((c) => [c.name, { id: c.name, client: new KubeClient(clusterCredentials(c, env, saDir), settings.timeoutMs) }]));
    return new KubeExecutor(targets, settings, false);
  }
  const creds = settings.kubeConfig ? loadKubeconfig(settings.kubeConfig) : defaultCredentials("", env, saDir);
  if (creds) return new KubeExecutor(new Map([["", { id: "", client: new KubeClient(creds, settings.timeoutMs) }]]), settings, true);
  log.info("no Kubernetes cluster configured: executions are accepted and stay queued (noop executor)");
  return noop;
}
