// JSON as flyteadmin's grpc-gateway writes and reads it: Go's protojson with EmitUnpopulated.
// Every non-oneof field is written, in declaration order: unset messages as null, empty lists as [],
// empty maps as {}; unset oneof members (proto3 `optional` included: a synthetic oneof in Go) are left
// out. protobuf-es's toJson differs in ways clients can see (no nulls, map key order, float32 digits),
// so this is an encoder of its own on top of reflection, writing the text directly.
import {
  ScalarType,
  create,
  fromBinary,
  fromJson,
  isMessage,
  toJson,
  type DescEnum,
  type DescField,
  type DescMessage,
  type JsonValue,
  type MessageShape,
  type Registry,
} from "@bufbuild/protobuf";
import { isReflectMessage, reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { base64Encode } from "@bufbuild/protobuf/wire";
import { AnySchema, FeatureSet_FieldPresence } from "@bufbuild/protobuf/wkt";

export interface GatewayJsonOptions {
  /** Proto field names (flyteadmin's application/json) or lowerCamelCase JSON names (grpc-gateway's default). */
  protoNames: boolean;
  /** Resolves the types inside google.protobuf.Any; an Any it cannot resolve fails the encoding, as in Go. */
  registry?: Registry;
}

interface Writer extends GatewayJsonOptions {
  out: string[];
}

type Scalar = string | number | bigint | boolean | Uint8Array;
type MapKey = string | number | bigint | boolean;

/** The text Go's protojson writes for `msg` (without its random extra spaces). */
export function toGatewayJsonText<D extends DescMessage>(schema: D, msg: MessageShape<D>, opts: GatewayJsonOptions): string {
  const w: Writer = { ...opts, out: [] };
  writeMessage(w, reflect(schema, msg, false));
  return w.out.join("");
}

/** The same as a JSON value. Beware: JS objects put integer-like keys first, so map key order may differ. */
export function toGatewayJson<D extends DescMessage>(schema: D, msg: MessageShape<D>, opts: GatewayJsonOptions): JsonValue {
  return JSON.parse(toGatewayJsonText(schema, msg, opts)) as JsonValue;
}

/**
 * Decodes a request body as grpc-gateway's JSONPb does: an empty body is an empty message (the decoder's
 * EOF is not an error); both proto and JSON names and enum names or numbers are accepted; unknown fields
 * are rejected unless `discardUnknown` (the default `*` marshaller). Throws an Error naming the problem.
 */
export function fromGatewayJson<D extends DescMessage>(schema: D, text: string, opts: { discardUnknown: boolean; registry?: Registry }): MessageShape<D> {
  if (text.trim() === "") return create(schema);
  let json: JsonValue;
  try {
    json = JSON.parse(text) as JsonValue;
  } catch (e) {
    throw new Error(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return fromJson(schema, json, { ignoreUnknownFields: opts.discardUnknown, registry: opts.registry });
}

// ---- messages -----------------------------------------------------------------------------------------

function writeMessage(w: Writer, r: ReflectMessage): void {
  const special = wellKnownWriters.get(r.desc.typeName);
  if (special) return special(w, r);
  w.out.push("{");
  writeFields(w, r, false);
  w.out.push("}");
}

function hasPresence(f: DescField): boolean {
  if (f.fieldKind === "message") return true;
  return (f.fieldKind === "scalar" || f.fieldKind === "enum") && f.presence !== FeatureSet_FieldPresence.IMPLICIT;
}

function writeFields(w: Writer, r: ReflectMessage, needComma: boolean): void {
  for (const f of r.desc.fields) {
    const set = r.isSet(f);
    // Go skips unpopulated fields that belong to a oneof, and a proto3 optional is one (synthetic).
    if (!set && (f.oneof !== undefined || f.proto.proto3Optional)) continue;
    if (needComma) w.out.push(",");
    needComma = true;
    w.out.push(quote(w.protoNames ? f.name : f.jsonName), ":");
    if (!set && hasPresence(f)) w.out.push("null");
    else writeField(w, r, f);
  }
}

function writeField(w: Writer, r: ReflectMessage, f: DescField): void {
  switch (f.fieldKind) {
    case "scalar":
      w.out.push(scalarText(f.scalar, r.get(f)));
      return;
    case "enum":
      w.out.push(enumText(f.enum, r.get(f)));
      return;
    case "message":
      writeMessage(w, r.get(f));
      return;
    case "list": {
      w.out.push("[");
      let i = 0;
      for (const item of r.get(f)) {
        if (i++ > 0) w.out.push(",");
        writeElement(w, f.listKind, f, item);
      }
      w.out.push("]");
      return;
    }
    case "map": {
      const entries = [...r.get(f)].map(([k, v]) => [asMapKey(k), v] as const).sort((a, b) => compareMapKeys(a[0], b[0]));
      w.out.push("{");
      entries.forEach(([k, v], i) => {
        if (i > 0) w.out.push(",");
        w.out.push(quote(String(k)), ":");
        writeElement(w, f.mapKind, f, v);
      });
      w.out.push("}");
      return;
    }
  }
}

/** One list item or map value. */
function writeElement(w: Writer, kind: "scalar" | "enum" | "message", f: DescField, v: unknown): void {
  if (kind === "message") {
    if (!isReflectMessage(v)) throw new Error(`${f.parent.typeName}.${f.name}: expected a message`);
    return writeMessage(w, v);
  }
  if (kind === "enum") {
    if (typeof v !== "number" || !f.enum) throw new Error(`${f.parent.typeName}.${f.name}: expected an enum number`);
    w.out.push(enumText(f.enum, v));
    return;
  }
  if (f.scalar === undefined) throw new Error(`${f.parent.typeName}.${f.name}: expected a scalar`);
  w.out.push(scalarText(f.scalar, asScalar(v)));
}

function asScalar(v: unknown): Scalar {
  if (typeof v === "string" || typeof v === "number" || typeof v === "bigint" || typeof v === "boolean" || v instanceof Uint8Array) {
    return v;
  }
  throw new Error(`not a scalar value: ${String(v)}`);
}

function asMapKey(v: unknown): MapKey {
  if (typeof v === "string" || typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return v;
  throw new Error(`not a map key: ${String(v)}`);
}

/** Go sorts map entries: false before true, numbers numerically, strings by their UTF-8 bytes. */
function compareMapKeys(a: MapKey, b: MapKey): number {
  if (typeof a === "string" && typeof b === "string") return compareCodePoints(a, b);
  const x = typeof a === "boolean" || typeof a === "string" ? Number(a) : a;
  const y = typeof b === "boolean" || typeof b === "string" ? Number(b) : b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Code point order equals UTF-8 byte order; JS's `<` compares UTF-16 units, which differs above U+D7FF. */
function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i].codePointAt(0) ?? 0) - (y[i].codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

// ---- scalars --------------------------------------------------------------------------------------------

/** JSON string as Go writes it: like JSON.stringify, except that Go also escapes DEL. */
function quote(s: string): string {
  return JSON.stringify(s).replace(/\u007f/g, "\\u007f");
}

function scalarText(type: ScalarType, v: Scalar): string {
  if (typeof v === "string") return quote(v);
  if (typeof v === "bigint") return `"${v}"`;
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof Uint8Array) return `"${base64Encode(v, "std")}"`;
  switch (type) {
    case ScalarType.FLOAT:
      return float32Text(v);
    case ScalarType.DOUBLE:
      return float64Text(v);
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return `"${v}"`;
    default:
      return String(v);
  }
}

/** Go's shortest round-trip digits; its 'e' form switches at the same bounds as JS's (1e-6, 1e21). */
function float64Text(v: number): string {
  if (Number.isNaN(v)) return '"NaN"';
  if (v === Infinity) return '"Infinity"';
  if (v === -Infinity) return '"-Infinity"';
  if (Object.is(v, -0)) return "-0";
  return String(v);
}

/** A float field prints the shortest digits that round-trip through float32 (0.9, not 0.8999999761581421). */
function float32Text(v: number): string {
  const f = Math.fround(v);
  if (!Number.isFinite(f) || f === 0) return float64Text(f);
  for (let digits = 1; digits < 10; digits++) {
    const candidate = Number(f.toPrecision(digits));
    if (Math.fround(candidate) === f) return float64Text(candidate);
  }
  return float64Text(f);
}

function enumText(e: DescEnum, n: number): string {
  if (e.typeName === "google.protobuf.NullValue") return "null";
  const value = e.value[n];
  return value ? quote(value.name) : String(n); // Go writes unknown numbers as numbers
}

// ---- well-known types ---------------------------------------------------------------------------------

type SpecialWriter = (w: Writer, r: ReflectMessage) => void;

const wrapperTypes = ["Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes"].map((t) => `google.protobuf.${t}Value`);

/** Timestamp, Duration and FieldMask are plain strings; protobuf-es writes (and validates) them as Go does. */
const writeAsToJson: SpecialWriter = (w, r) => {
  w.out.push(JSON.stringify(toJson(r.desc, r.message)));
};

const writeWrapper: SpecialWriter = (w, r) => writeField(w, r, r.desc.fields[0]);

const writeStruct: SpecialWriter = (w, r) => writeField(w, r, r.desc.fields[0]); // map<string, Value>, sorted

const writeListValue: SpecialWriter = (w, r) => writeField(w, r, r.desc.fields[0]); // repeated Value

const writeValue: SpecialWriter = (w, r) => {
  const kind = r.desc.oneofs[0];
  const f = kind ? r.oneofCase(kind) : undefined;
  if (!f) throw new Error("google.protobuf.Value: none of the oneof fields is set");
  if (f.name === "number_value") {
    const n = r.get(f);
    if (typeof n !== "number" || !Number.isFinite(n)) throw new Error(`google.protobuf.Value: invalid number ${String(n)}`);
  }
  writeField(w, r, f);
};

const writeEmpty: SpecialWriter = (w) => {
  w.out.push("{}");
};

/** {"@type": url, ...fields}, or {"@type": url, "value": ...} for the types with a JSON form of their own. */
const writeAny: SpecialWriter = (w, r) => {
  if (!isMessage(r.message, AnySchema)) throw new Error("google.protobuf.Any expected");
  const { typeUrl, value } = r.message;
  if (typeUrl === "") {
    if (value.length > 0) throw new Error("google.protobuf.Any: type_url is not set");
    w.out.push("{}");
    return;
  }
  const name = typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
  const desc = w.registry?.getMessage(name);
  if (!desc) throw new Error(`unable to resolve "${typeUrl}": "not found"`);
  const inner = reflect(desc, fromBinary(desc, value), false);
  w.out.push("{", quote("@type"), ":", quote(typeUrl));
  if (wellKnownWriters.has(desc.typeName)) {
    w.out.push(",", quote("value"), ":");
    writeMessage(w, inner);
  } else {
    writeFields(w, inner, true);
  }
  w.out.push("}");
};

/** Go's protojson treats exactly these as having a JSON form of their own (so an Any holds them as "value"). */
const wellKnownWriters = new Map<string, SpecialWriter>([
  ["google.protobuf.Any", writeAny],
  ["google.protobuf.Timestamp", writeAsToJson],
  ["google.protobuf.Duration", writeAsToJson],
  ["google.protobuf.FieldMask", writeAsToJson],
  ["google.protobuf.Struct", writeStruct],
  ["google.protobuf.ListValue", writeListValue],
  ["google.protobuf.Value", writeValue],
  ["google.protobuf.Empty", writeEmpty],
  ...wrapperTypes.map((t): [string, SpecialWriter] => [t, writeWrapper]),
]);
