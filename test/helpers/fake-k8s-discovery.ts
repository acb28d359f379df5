// The stand-in API's discovery documents, as a real API server answers them: GET /api/v1 and
// GET /apis/<group>/<version> give an APIResourceList of the kinds served there (name = plural,
// namespaced or not); an API the server does not serve is 404. The generic store serves only kinds
// listed here, so a client that guesses a plural or a scope wrong sees the real 404. Tests add custom
// resources with `serve` (as installing a CRD would).

export interface ServedKind {
  kind: string;
  /** The plural, the resource's name in paths. */
  name: string;
  namespaced: boolean;
}

const verbs = ["create", "delete", "get", "list", "patch", "update", "watch"];

const builtIn: Record<string, ServedKind[]> = {
  v1: [
    { kind: "Namespace", name: "namespaces", namespaced: false },
    { kind: "Node", name: "nodes", namespaced: false },
    { kind: "PersistentVolume", name: "persistentvolumes", namespaced: false },
    { kind: "ConfigMap", name: "configmaps", namespaced: true },
    { kind: "Endpoints", name: "endpoints", namespaced: true },
    { kind: "LimitRange", name: "limitranges", namespaced: true },
    { kind: "PersistentVolumeClaim", name: "persistentvolumeclaims", namespaced: true },
    { kind: "Pod", name: "pods", namespaced: true },
    { kind: "ResourceQuota", name: "resourcequotas", namespaced: true },
    { kind: "Secret", name: "secrets", namespaced: true },
    { kind: "Service", name: "services", namespaced: true },
    { kind: "ServiceAccount", name: "serviceaccounts", namespaced: true },
  ],
  "rbac.authorization.k8s.io/v1": [
    { kind: "ClusterRole", name: "clusterroles", namespaced: false },
    { kind: "ClusterRoleBinding", name: "clusterrolebindings", namespaced: false },
    { kind: "Role", name: "roles", namespaced: true },
    { kind: "RoleBinding", name: "rolebindings", namespaced: true },
  ],
  "networking.k8s.io/v1": [{ kind: "NetworkPolicy", name: "networkpolicies", namespaced: true }],
  "flyte.lyft.com/v1alpha1": [{ kind: "FlyteWorkflow", name: "flyteworkflows", namespaced: true }],
};

export class Discovery {
  private readonly groups = new Map<string, ServedKind[]>(Object.entries(builtIn).map(([gv, kinds]) => [gv, [...kinds]]));

  /** Serves a kind under `groupVersion` ("v1" or "<group>/<version>") from now on. */
  serve(groupVersion: string, kind: ServedKind): void {
    const kinds = this.groups.get(groupVersion) ?? [];
    this.groups.set(groupVersion, [...kinds.filter((k) => k.kind !== kind.kind), kind]);
  }

  /** Whether `plural` is served under the API at `base` ("/api/v1" or "/apis/<group>/<version>"), and its scope. */
  lookup(base: string, plural: string): ServedKind | undefined {
    return this.groups.get(groupVersionOf(base))?.find((k) => k.name === plural);
  }

  /** The discovery document for a GET of `path`; undefined when `path` is not a discovery path. */
  document(path: string): { code: number; body: unknown } | undefined {
    const m = /^\/(?:api\/(v1)|apis\/([^/?]+\/[^/?]+))\/?(?:\?.*)?$/.exec(path);
    if (!m) return undefined;
    const groupVersion = m[1] ?? m[2];
    const kinds = this.groups.get(groupVersion);
    if (!kinds) return { code: 404, body: notFound() };
    const resources = kinds.map((k) => ({ name: k.name, singularName: k.kind.toLowerCase(), namespaced: k.namespaced, kind: k.kind, verbs }));
    return { code: 200, body: { kind: "APIResourceList", apiVersion: "v1", groupVersion, resources } };
  }
}

const groupVersionOf = (base: string) => (base === "/api/v1" ? "v1" : base.replace(/^\/apis\//, ""));

export const notFound = () => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message: "the server could not find the requested resource",
  reason: "NotFound",
  details: {},
  code: 404,
});
