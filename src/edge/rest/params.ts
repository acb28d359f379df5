// Text into field values as grpc-gateway's runtime does for path variables and query parameters:
// strconv's number and bool syntax, enum names or numbers, base64 bytes, and the well-known types
// that have a text form. Errors are plain Errors worded as Go's; request.ts adds where they happened.
import { ScalarType, create, fromJson, type DescEnum, type DescField, type DescMessage, type JsonValue } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { base64Decode } from "@bufbuild/protobuf/wire";
import {
  BoolValueSchema,
  BytesValueSchema,
  DoubleValueSchema,
  DurationSchema,
  FieldMaskSchema,
  FloatValueSchema,
  Int32ValueSchema,
  Int64ValueSchema,
  StringValueSchema,
  StructSchema,
  TimestampSchema,
  UInt32ValueSchema,
  UInt64ValueSchema,
  ValueSchema,
} from "@bufbuild/protobuf/wkt";
import { parseGoDurationNanos } from "../../kernel/duration";

/** What one value of a field is: the field itself, a list item, a map key or a map value. */
export type ValueKind = { kind: "scalar"; scalar: ScalarType } | { kind: "enum"; enum: DescEnum } | { kind: "message"; message: DescMessage };

export function elementKind(f: DescField): ValueKind {
  switch (f.fieldKind) {
    case "scalar":
      return { kind: "scalar", scalar: f.scalar };
    case "enum":
      return { kind: "enum", enum: f.enum };
    case "message":
      return { kind: "message", message: f.message };
    case "list":
      return f.listKind === "scalar"
        ? { kind: "scalar", scalar: f.scalar }
        : f.listKind === "enum"
          ? { kind: "enum", enum: f.enum }
          : { kind: "message", message: f.message };
    case "map":
      return f.mapKind === "scalar"
        ? { kind: "scalar", scalar: f.scalar }
        : f.mapKind === "enum"
          ? { kind: "enum", enum: f.enum }
          : { kind: "message", message: f.message };
  }
}

export const goQuote = (s: string) => JSON.stringify(s);

function syntaxError(fn: string, text: string): Error {
  return new Error(`strconv.${fn}: parsing ${goQuote(text)}: invalid syntax`);
}

function rangeError(fn: string, text: string): Error {
  return new Error(`strconv.${fn}: parsing ${goQuote(text)}: value out of range`);
}

/** strconv.ParseInt / ParseUint in base 10. */
function parseInteger(text: string, bits: 32 | 64, signed: boolean): bigint {
  const fn = signed ? "ParseInt" : "ParseUint";
  if (!(signed ? /^[+-]?\d+$/ : /^\d+$/).test(text)) throw syntaxError(fn, text);
  const v = BigInt(text);
  const size = BigInt(bits);
  const [min, max] = signed ? [-(1n << (size - 1n)), (1n << (size - 1n)) - 1n] : [0n, (1n << size) - 1n];
  if (v < min || v > max) throw rangeError(fn, text);
  return v;
}

/** strconv.ParseFloat: decimal or exponent notation, inf/infinity/nan in any case. */
function parseFloatText(text: string, bits: 32 | 64): number {
  const special = /^([+-]?)(inf|infinity)$/i.exec(text);
  if (special) return special[1] === "-" ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) throw syntaxError("ParseFloat", text);
  const v = Number(text);
  const rounded = bits === 32 ? Math.fround(v) : v;
  if (!Number.isFinite(rounded)) throw rangeError("ParseFloat", text);
  return rounded;
}

function parseBool(text: string): boolean {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false;
  throw syntaxError("ParseBool", text);
}

/** runtime.Bytes: standard base64, else URL-safe base64, padding required by both. */
function parseBytes(text: string): Uint8Array {
  if (/^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return base64Decode(text);
  if (/^([A-Za-z0-9_-]{4})*([A-Za-z0-9_-]{2}==|[A-Za-z0-9_-]{3}=)?$/.test(text)) return base64Decode(text);
  throw new Error(`illegal base64 data: ${goQuote(text)}`);
}

export function parseScalar(type: ScalarType, text: string): string | number | bigint | boolean | Uint8Array {
  switch (type) {
    case ScalarType.BOOL:
      return parseBool(text);
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return Number(parseInteger(text, 32, true));
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return parseInteger(text, 64, true);
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return Number(parseInteger(text, 32, false));
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return parseInteger(text, 64, false);
    case ScalarType.FLOAT:
      return parseFloatText(text, 32);
    case ScalarType.DOUBLE:
      return parseFloatText(text, 64);
    case ScalarType.STRING:
      return text;
    case ScalarType.BYTES:
      return parseBytes(text);
  }
}

/** An enum value by name, else by a number the enum declares. */
export function parseEnum(e: DescEnum, text: string): number {
  const byName = e.values.find((v) => v.name === text);
  if (byName) return byName.number;
  if (/^[+-]?\d+$/.test(text)) {
    const byNumber = e.value[Number(text)];
    if (byNumber) return byNumber.number;
  }
  throw new Error(`${goQuote(text)} is not a valid value`);
}

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/;

/** time.Parse(time.RFC3339Nano, ...) then timestamppb.New, which must be valid (years 1 to 9999). */
function parseTimestamp(text: string): ReflectMessage {
  const m = rfc3339.exec(text);
  const fail = () => new Error(`parsing time ${goQuote(text)} as "2006-01-02T15:04:05.999999999Z07:00": cannot parse`);
  if (!m) throw fail();
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) throw fail();
  const offsetMinutes = m[8] === "Z" ? 0 : (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (m[8] !== "Z" && (Number(m[10]) > 23 || Number(m[11]) > 59)) throw fail();
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const seconds = BigInt(date.getTime() / 1000) - BigInt(offsetMinutes * 60);
  if (seconds < -62135596800n || seconds > 253402300799n) throw new Error(`${text} before 0001-01-01`);
  const nanos = Number((m[7] ?? "").slice(0, 9).padEnd(9, "0"));
  return reflect(TimestampSchema, create(TimestampSchema, { seconds, nanos }));
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** time.ParseDuration, then durationpb.New. */
function parseDuration(text: string): ReflectMessage {
  const total = parseGoDurationNanos(text);
  const seconds = total / 1_000_000_000n; // truncates toward zero: nanos keep the sign, as durationpb does
  const nanos = Number(total % 1_000_000_000n);
  return reflect(DurationSchema, create(DurationSchema, { seconds, nanos }));
}

export const wrapperSchemas: DescMessage[] = [
  DoubleValueSchema,
  FloatValueSchema,
  Int64ValueSchema,
  Int32ValueSchema,
  UInt64ValueSchema,
  UInt32ValueSchema,
  BoolValueSchema,
  StringValueSchema,
  BytesValueSchema,
];

/** runtime's parseMessage: the well-known types that have a text form; any other message is an error. */
function parseMessageText(desc: DescMessage, text: string): ReflectMessage {
  switch (desc.typeName) {
    case TimestampSchema.typeName:
      return parseTimestamp(text);
    case DurationSchema.typeName:
      return parseDuration(text);
    case FieldMaskSchema.typeName:
      return reflect(FieldMaskSchema, create(FieldMaskSchema, { paths: text.split(",") }));
    case ValueSchema.typeName:
    case StructSchema.typeName:
      return reflect(desc, fromJson(desc, JSON.parse(text) as JsonValue));
  }
  if (wrapperSchemas.some((w) => w.typeName === desc.typeName)) {
    const valueField = desc.fields[0];
    const wrapper = reflect(desc);
    if (valueField.fieldKind === "scalar") wrapper.set(valueField, parseScalar(valueField.scalar, text));
    return wrapper;
  }
  throw new Error(`unsupported message type: ${goQuote(desc.typeName)}`);
}

export function parseValue(kind: ValueKind, text: string): string | number | bigint | boolean | Uint8Array | ReflectMessage {
  switch (kind.kind) {
    case "scalar":
      return parseScalar(kind.scalar, text);
    case "enum":
      return parseEnum(kind.enum, text);
    case "message":
      return parseMessageText(kind.message, text);
  }
}
