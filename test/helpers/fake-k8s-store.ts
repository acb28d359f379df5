// The stand-in API's generic objects: core/v1 namespaces (cluster-wide), namespaced core/v1 kinds
// (/api/v1/namespaces/<ns>/<plural>) and any group's kinds, namespaced or cluster-wide
// (/apis/<group>/<version>[/namespaces/<ns>]/<plural>). The real answers: 201 on create, 409
// AlreadyExists, 404 NotFound (also for an object in a namespace that does not exist), 400 for a body
// naming another namespace, 415 for a patch type the server does not take; merge patches as RFC 7386
// (a strategic merge patch is taken as one: lists replaced, not merged by key).

export type Reply = (code: number, payload: unknown) => void;
type Obj = Record<string, unknown>;

const core = /^\/api\/v1\/(?:namespaces\/([^/?]+)\/)?([a-z0-9]+)(?:\/([^/?]+))?\/?(?:\?.*)?$/;
const grouped = /^\/apis\/([^/?]+)\/([^/?]+)\/(?:namespaces\/([^/?]+)\/)?([a-z0-9]+)(?:\/([^/?]+))?\/?(?:\?.*)?$/;

const coreClusterWide = new Set(["namespaces", "nodes", "persistentvolumes"]);

export interface GenericRoute {
  /** "/api/v1" or "/apis/<group>/<version>". */
  base: string;
  group: string;
  /** "" for cluster-wide objects. */
  namespace: string;
  plural: string;
  name?: string;
}

export function genericRoute(path: string): GenericRoute | undefined {
  const d = (s: string | undefined) => (s === undefined ? undefined : decodeURIComponent(s));
  const c = core.exec(path);
  // /api/v1/namespaces/<name> is the namespace itself (cluster-wide); /api/v1/namespaces/<ns>/<plural> a collection in it.
  // Other core paths outside a namespace (a list of every namespace's pods, say) are not served: 404.
  if (c && (c[1] !== undefined || coreClusterWide.has(c[2]))) return { base: "/api/v1", group: "", namespace: d(c[1]) ?? "", plural: c[2], name: d(c[3]) };
  const g = grouped.exec(path);
  if (g) return { base: `/apis/${g[1]}/${g[2]}`, group: g[1], namespace: d(g[3]) ?? "", plural: g[4], name: d(g[5]) };
  return undefined;
}

/** The key objects are stored under: their item path. */
export const itemPath = (r: GenericRoute, name: string) =>
  `${r.base}${r.namespace ? `/namespaces/${encodeURIComponent(r.namespace)}` : ""}/${r.plural}/${encodeURIComponent(name)}`;

const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** RFC 7386. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Obj = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class GenericStore {
  readonly objects = new Map<string, Obj>();
  constructor(private readonly nextRevision: () => number) {}

  private status(code: number, reason: string, message: string, r: GenericRoute, name?: string) {
    const details = name === undefined ? {} : { details: { name, ...(r.group && { group: r.group }), kind: r.plural } };
    return { kind: "Status", apiVersion: "v1", metadata: {}, status: code < 300 ? "Success" : "Failure", message, reason, ...details, code };
  }

  private what(r: GenericRoute, name: string) {
    return `${r.plural}${r.group ? `.${r.group}` : ""} "${name}"`;
  }

  handle(method: string, r: GenericRoute, body: unknown, contentType: string | undefined, reply: Reply): void {
    if (r.namespace && !this.objects.has(`/api/v1/namespaces/${encodeURIComponent(r.namespace)}`) && method !== "GET")
      return reply(404, this.status(404, "NotFound", `namespaces "${r.namespace}" not found`, { ...r, plural: "namespaces", group: "" }, r.namespace));
    if (r.name === undefined) {
      if (method === "GET") {
        const prefix = itemPath(r, "");
        return reply(200, { kind: "List", apiVersion: "v1", metadata: {}, items: [...this.objects].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v) });
      }
      if (method !== "POST") return reply(405, this.status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", r));
      if (!isObject(body)) return reply(400, this.status(400, "BadRequest", "the request body is not a JSON object", r));
      const meta = isObject(body.metadata) ? body.metadata : {};
      const name = typeof meta.name === "string" ? meta.name : "";
      if (!name) return reply(422, this.status(422, "Invalid", "metadata.name: Required value: name or generateName is required", r, ""));
      if (r.namespace && meta.namespace !== undefined && meta.namespace !== r.namespace)
        return reply(400, this.status(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request", r));
      const key = itemPath(r, name);
      if (this.objects.has(key)) return reply(409, this.status(409, "AlreadyExists", `${this.what(r, name)} already exists`, r, name));
      const stored: Obj = {
        ...body,
        metadata: {
          ...meta,
          ...(r.namespace && { namespace: r.namespace }),
          uid: crypto.randomUUID(),
          resourceVersion: String(this.nextRevision()),
          creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        },
      };
      // The API server's own additions to a namespace, so tests see that applying leaves them alone.
      if (r.base === "/api/v1" && r.plural === "namespaces") Object.assign(stored, { spec: { finalizers: ["kubernetes"] }, status: { phase: "Active" } });
      this.objects.set(key, stored);
      return reply(201, stored);
    }
    const key = itemPath(r, r.name);
    const existing = this.objects.get(key);
    if (!existing) return reply(404, this.status(404, "NotFound", `${this.what(r, r.name)} not found`, r, r.name));
    if (method === "GET") return reply(200, existing);
    if (method === "DELETE") {
      this.objects.delete(key);
      return reply(200, this.status(200, "", "", r, r.name));
    }
    if (method === "PATCH") {
      if (contentType !== "application/merge-patch+json" && contentType !== "application/strategic-merge-patch+json")
        return reply(
          415,
          this.status(
            415,
            "UnsupportedMediaType",
            `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json`,
            r,
          ),
        );
      const next = mergePatch(existing, body) as Obj;
      next.metadata = { ...(next.metadata as Obj), resourceVersion: String(this.nextRevision()) };
      this.objects.set(key, next);
      return reply(200, next);
    }
    if (method === "PUT" && isObject(body)) {
      const next = { ...body, metadata: { ...(body.metadata as Obj), resourceVersion: String(this.nextRevision()) } };
      this.objects.set(key, next);
      return reply(200, next);
    }
    return reply(405, this.status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", r));
  }
}
