// Where an object lives in the REST API: apiVersion "v1" is /api/v1, any other /apis/<group>/<version>;
// the plural and the scope come from the cluster's discovery (discovery.ts). A namespaced object goes
// into the project's namespace; one naming another namespace is refused.
import type { KindInfo } from "./discovery";
import type { KubeObject } from "./render";
import { TemplateError } from "./render";

export interface ResourcePath {
  /** Where a POST creates it. */
  collection: string;
  /** Where GET and PATCH find it. */
  item: string;
  /** "" for cluster-wide objects. */
  namespace: string;
}

export function pathOf(obj: KubeObject, info: KindInfo, namespace: string, file: string): ResourcePath {
  const base = obj.apiVersion === "v1" ? "/api/v1" : `/apis/${obj.apiVersion}`;
  const name = encodeURIComponent(obj.metadata.name);
  if (!info.namespaced) return { collection: `${base}/${info.plural}`, item: `${base}/${info.plural}/${name}`, namespace: "" };
  const own = obj.metadata.namespace;
  if (own !== undefined && own !== namespace)
    throw new TemplateError(`${file}: ${obj.kind} ${obj.metadata.name} names namespace ${String(own)}, not ${namespace}`);
  const collection = `${base}/namespaces/${encodeURIComponent(namespace)}/${info.plural}`;
  return { collection, item: `${collection}/${name}`, namespace };
}
