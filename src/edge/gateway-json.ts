// JSON as flyteadmin's grpc-gateway writes it. Go's protojson with EmitUnpopulated writes every
// non-oneof field: unset messages (and unset proto3 `optional` scalars) as null, empty lists as [],
// empty maps as {}. protobuf-es's `alwaysEmitImplicit` covers implicit-presence fields only, so this
// pass adds the nulls by walking the descriptor beside the JSON.
import {
  toJson,
  type DescField,
  type DescMessage,
  type JsonObject,
  type JsonValue,
  type MessageShape,
  type Registry,
} from "@bufbuild/protobuf";

export interface GatewayJsonOptions {
  /** Proto field names (application/json) or lowerCamelCase JSON names (grpc-gateway's default). */
  protoNames: boolean;
  registry?: Registry;
}

/** Messages whose JSON form is not an object of their fields. */
function hasSpecialJson(m: DescMessage): boolean {
  return m.file.name.startsWith("google/protobuf/");
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fillField(f: DescField, json: JsonObject, key: string, protoNames: boolean): void {
  const v = json[key];
  if (v === undefined) {
    if (f.oneof) return; // Go leaves unset oneof members out
    json[key] = f.fieldKind === "list" ? [] : f.fieldKind === "map" ? {} : null;
    return;
  }
  if (f.fieldKind === "message" && isObject(v)) fill(f.message, v, protoNames);
  else if (f.fieldKind === "list" && f.listKind === "message" && Array.isArray(v)) {
    for (const item of v) if (isObject(item)) fill(f.message, item, protoNames);
  } else if (f.fieldKind === "map" && f.mapKind === "message" && isObject(v)) {
    for (const item of Object.values(v)) if (isObject(item)) fill(f.message, item, protoNames);
  }
}

/** Fills in the unset fields and re-orders the keys as Go does: declaration order. */
function fill(schema: DescMessage, json: JsonObject, protoNames: boolean): void {
  if (hasSpecialJson(schema)) return;
  const given = { ...json };
  for (const key of Object.keys(json)) delete json[key];
  for (const f of schema.fields) {
    const key = protoNames ? f.name : f.jsonName;
    if (given[key] !== undefined) json[key] = given[key];
    fillField(f, json, key, protoNames);
  }
}

export function toGatewayJson<D extends DescMessage>(schema: D, msg: MessageShape<D>, opts: GatewayJsonOptions): JsonValue {
  const json = toJson(schema, msg, {
    useProtoFieldName: opts.protoNames,
    alwaysEmitImplicit: true,
    registry: opts.registry,
  });
  if (isObject(json)) fill(schema, json, opts.protoNames);
  return json;
}
