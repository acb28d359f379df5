// The JSON merge patch (RFC 7386) that takes the live object to the template's, three-way as kubectl
// apply: fields the template sets are written when they differ; fields the last applied template set and
// this one no longer does are removed; fields nobody templated (server defaults, other controllers') stay.
// Lists are replaced whole (merge patch has no list merge), which is what a template owning a list means.

export const lastApplied = "kubectl.kubernetes.io/last-applied-configuration";

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

function equal(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equal(a[k], b[k]));
  }
  return false;
}

/** The patch; an empty object when the live object already matches. */
export function threeWayPatch(original: Json, modified: Record<string, Json>, current: Json): Record<string, Json> {
  const patch: Record<string, Json> = {};
  const cur = isObject(current) ? current : {};
  const orig = isObject(original) ? original : {};
  for (const [k, m] of Object.entries(modified)) {
    const c = cur[k];
    if (isObject(m) && isObject(c)) {
      const sub = threeWayPatch(orig[k], m, c);
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else if (!equal(m, c)) patch[k] = m;
  }
  for (const k of Object.keys(orig)) if (!(k in modified) && k in cur) patch[k] = null;
  return patch;
}

/** The object to send: the template's, with its own JSON as the last-applied annotation (kubectl's convention). */
export function withLastApplied<T extends { metadata: Record<string, unknown> }>(obj: T): T {
  const annotations = { ...(obj.metadata.annotations as Record<string, string> | undefined) };
  delete annotations[lastApplied];
  const plain = { ...obj, metadata: { ...obj.metadata, ...(Object.keys(annotations).length > 0 ? { annotations } : {}) } };
  if (Object.keys(annotations).length === 0) delete (plain.metadata as Record<string, unknown>).annotations;
  return { ...plain, metadata: { ...plain.metadata, annotations: { ...annotations, [lastApplied]: JSON.stringify(plain) } } };
}

/** The last applied object recorded on a live object, if any. */
export function appliedBefore(current: Json): Json {
  const text =
    isObject(current) && isObject(current.metadata) && isObject(current.metadata.annotations) ? current.metadata.annotations[lastApplied] : undefined;
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
