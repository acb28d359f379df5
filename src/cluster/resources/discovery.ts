// Where a kind lives, from the cluster itself, as upstream's dynamic client finds it (a RESTMapper over
// discovery): GET /api/v1 or /apis/<group>/<version> lists the kinds served there with their plural
// and scope. So a custom resource with an irregular plural or a cluster-wide kind is addressed right,
// and a kind the cluster does not serve is an error naming it, not a 404 on a guessed path. One
// Discovery per sync and cluster: a CRD installed between syncs is seen at the next one.
import { responseError, type KubeClient } from "../client";
import { TemplateError } from "./render";

export interface KindInfo {
  plural: string;
  namespaced: boolean;
}

interface ResourceEntry {
  name?: unknown;
  kind?: unknown;
  namespaced?: unknown;
}

export class Discovery {
  private readonly lists = new Map<string, Promise<Map<string, KindInfo> | undefined>>();
  constructor(private readonly client: KubeClient) {}

  /** Throws TemplateError when the cluster does not serve the kind; ClusterError when discovery fails. */
  async kind(apiVersion: string, kind: string, file: string): Promise<KindInfo> {
    let list = this.lists.get(apiVersion);
    if (!list) {
      list = this.fetch(apiVersion);
      this.lists.set(apiVersion, list);
      list.catch(() => this.lists.delete(apiVersion)); // a failed lookup is not remembered
    }
    const kinds = await list;
    if (!kinds) throw new TemplateError(`${file}: apiVersion ${apiVersion} is not served by the cluster`);
    const info = kinds.get(kind);
    if (!info) throw new TemplateError(`${file}: kind ${kind} is not served by the cluster in apiVersion ${apiVersion}`);
    return info;
  }

  /** The kinds of one API group version; undefined when the cluster does not serve it (404). */
  private async fetch(apiVersion: string): Promise<Map<string, KindInfo> | undefined> {
    const path = apiVersion === "v1" ? "/api/v1" : `/apis/${apiVersion}`;
    const res = await this.client.request("GET", path);
    if (res.status === 404) return undefined;
    if (res.status < 200 || res.status >= 300) throw responseError(`discovering apiVersion ${apiVersion}`, "GET", res);
    const resources = (res.body as { resources?: unknown }).resources;
    const kinds = new Map<string, KindInfo>();
    for (const r of Array.isArray(resources) ? (resources as ResourceEntry[]) : []) {
      // Subresources ("pods/status") share their parent's kind; the first, plain entry is the kind's own.
      if (typeof r.name !== "string" || r.name.includes("/") || typeof r.kind !== "string" || kinds.has(r.kind)) continue;
      kinds.set(r.kind, { plural: r.name, namespaced: r.namespaced === true });
    }
    return kinds;
  }
}
