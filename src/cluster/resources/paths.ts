// Where an object lives in the REST API, without discovery: apiVersion "v1" is /api/v1, any other
// /apis/<group>/<version>; the plural is the table's for kinds whose plural is irregular, else
// Kubernetes' own guess (UnsafeGuessKindToResource: lower case, "s" → "ses", "y" → "ies", else + "s");
// the kinds in `clusterScoped` are cluster-wide, every other one goes into the project's namespace.
import type { KubeObject } from "./render";
import { TemplateError } from "./render";

const plurals: Record<string, string> = { endpoints: "endpoints" };

/** Cluster-wide kinds of the built-in APIs (and the CRD kind itself). */
const clusterScoped = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
  "StorageClass",
  "PriorityClass",
  "RuntimeClass",
  "IngressClass",
  "CustomResourceDefinition",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
]);

export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  const known = plurals[lower];
  if (known) return known;
  if (lower.endsWith("s")) return `${lower}es`;
  if (lower.endsWith("y")) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

export interface ResourcePath {
  /** Where a POST creates it. */
  collection: string;
  /** Where GET and PATCH find it. */
  item: string;
  /** "" for cluster-wide objects. */
  namespace: string;
}

/** The paths of an object rendered for `namespace`; a namespaced object naming another namespace is refused. */
export function pathOf(obj: KubeObject, namespace: string, file: string): ResourcePath {
  const base = obj.apiVersion === "v1" ? "/api/v1" : `/apis/${obj.apiVersion}`;
  const plural = pluralOf(obj.kind);
  const name = encodeURIComponent(obj.metadata.name);
  if (clusterScoped.has(obj.kind)) return { collection: `${base}/${plural}`, item: `${base}/${plural}/${name}`, namespace: "" };
  const own = obj.metadata.namespace;
  if (own !== undefined && own !== namespace)
    throw new TemplateError(`${file}: ${obj.kind} ${obj.metadata.name} names namespace ${String(own)}, not ${namespace}`);
  const collection = `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
  return { collection, item: `${collection}/${name}`, namespace };
}
