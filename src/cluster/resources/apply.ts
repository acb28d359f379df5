// One object into one cluster, as upstream's controller does it: create; when it exists already, read
// it and send a merge patch only if the template changes something (three-way, patch.ts).
import { ClusterError, reasonOf, responseError, type KubeClient } from "../client";
import { appliedBefore, threeWayPatch, withLastApplied } from "./patch";
import type { ResourcePath } from "./paths";
import type { KubeObject } from "./render";

export interface ResourceTarget {
  /** The cluster's name in clusters.clusterConfigs; "" for the single cluster. */
  id: string;
  client: KubeClient;
}

export type ApplyOutcome = "created" | "patched" | "unchanged";

const ok = (status: number) => status >= 200 && status < 300;

/** Throws ClusterError (its message names the object and the cluster) when the cluster refuses. */
export async function applyObject(target: ResourceTarget, obj: KubeObject, path: ResourcePath): Promise<ApplyOutcome> {
  const what = `${obj.kind} ${path.namespace ? `${path.namespace}/` : ""}${obj.metadata.name}${target.id ? ` in cluster [${target.id}]` : ""}`;
  const call = async (method: string, p: string, body?: unknown, contentType?: string) => {
    try {
      return await target.client.request(method, p, body, contentType);
    } catch (e) {
      if (e instanceof ClusterError) throw new ClusterError(`${what}: ${e.message}`, e.status, e.reason, e.retriable, e.kubeMessage);
      throw e;
    }
  };
  const desired = withLastApplied(path.namespace ? { ...obj, metadata: { ...obj.metadata, namespace: path.namespace } } : obj);
  const created = await call("POST", path.collection, desired);
  if (ok(created.status)) return "created";
  if (created.status !== 409 || reasonOf(created, "POST").reason !== "AlreadyExists") throw responseError(`creating ${what}`, "POST", created);
  const live = await call("GET", path.item);
  if (!ok(live.status)) throw responseError(`reading ${what}`, "GET", live);
  const patch = threeWayPatch(appliedBefore(live.body), desired, live.body);
  if (Object.keys(patch).length === 0) return "unchanged";
  const patched = await call("PATCH", path.item, patch, "application/merge-patch+json");
  if (!ok(patched.status)) throw responseError(`patching ${what}`, "PATCH", patched);
  return "patched";
}

/** The namespace itself, if absent; true when it was created now. */
export async function createNamespace(target: ResourceTarget, namespace: string): Promise<boolean> {
  const what = `creating Namespace ${namespace}${target.id ? ` in cluster [${target.id}]` : ""}`;
  const body = { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } };
  const res = await target.client.request("POST", "/api/v1/namespaces", body).catch((e: unknown) => {
    if (e instanceof ClusterError) throw new ClusterError(`${what}: ${e.message}`, e.status, e.reason, e.retriable, e.kubeMessage);
    throw e;
  });
  if (ok(res.status)) return true;
  if (res.status === 409 && reasonOf(res, "POST").reason === "AlreadyExists") return false;
  throw responseError(what, "POST", res);
}
