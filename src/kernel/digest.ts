// Digests and structural diffs of registered entities. A digest is the SHA-256 of a canonical JSON form
// (proto field names, sorted keys), so the same structure always hashes the same whatever the order in
// which a client filled its maps. Upstream compares digests only against ones it wrote itself, so any
// stable hash is compatible.
import { createHash } from "node:crypto";
import { toJson, type DescMessage, type JsonValue, type MessageShape } from "@bufbuild/protobuf";

/** JSON text with object keys sorted, so equal values always read the same. */
export function canonicalJson(v: JsonValue): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v !== null && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k] as JsonValue)}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

export function messageJson<D extends DescMessage>(schema: D, msg: MessageShape<D>): JsonValue {
  return toJson(schema, msg, { useProtoFieldName: true });
}

export function digestOf<D extends DescMessage>(schema: D, msg: MessageShape<D>): Uint8Array {
  return new Uint8Array(
    createHash("sha256")
      .update(canonicalJson(messageJson(schema, msg)))
      .digest(),
  );
}

const escapePointer = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");
const show = (v: JsonValue | undefined) => (v === undefined ? "<none>" : typeof v === "string" ? v : canonicalJson(v));

/** Every JSON-pointer path whose value differs, as upstream words it: "path:\n\t- old \n\t+ new". */
export function diffLines(before: JsonValue | undefined, after: JsonValue | undefined, path = ""): string[] {
  const isObj = (v: JsonValue | undefined): v is { [k: string]: JsonValue } => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffLines(before[k], after[k], `${path}/${escapePointer(k)}`));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((b, i) => diffLines(b, after[i], `${path}/${i}`));
  }
  if (canonicalJson(before ?? null) === canonicalJson(after ?? null) && (before === undefined) === (after === undefined)) return [];
  return [`${path || "/"}:\n\t- ${show(before)} \n\t+ ${show(after)}`];
}
