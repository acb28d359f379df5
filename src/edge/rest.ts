// The REST gateway, behaving as flyteadmin's grpc-gateway v2.28 mux does, derived at start-up from the
// google.api.http bindings (http-rules.ts), never from a route table of its own. Path variables, query
// parameters and bodies are bound into the request message with grpc-gateway's rules, the call goes
// through the same Connect router (and interceptors) as every other protocol, and the answer or error
// is written with the marshaller grpc-gateway would pick.
import {
  ScalarType,
  create,
  createRegistry,
  fromBinary,
  fromJson,
  isMessage,
  toBinary,
  type DescEnum,
  type DescField,
  type DescFile,
  type DescMessage,
  type DescMethod,
  type DescMethodUnary,
  type DescService,
  type JsonValue,
  type Message,
  type Registry,
} from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { base64Decode } from "@bufbuild/protobuf/wire";
import {
  AnySchema,
  BoolValueSchema,
  BytesValueSchema,
  DoubleValueSchema,
  DurationSchema,
  EmptySchema,
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
  anyPack,
  type Any,
} from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import type { Context, Hono } from "hono";
import { UserInfoResponseSchema } from "../gen/flyteidl/service/identity_pb";
import { StatusSchema } from "../gen/google/rpc/status_pb";
import { fromGatewayJson, toGatewayJsonText } from "./gateway-json";
import { parseGoDurationNanos } from "../kernel/duration";
import { httpBindings, type HttpBinding } from "./http-rules";
import { asGatewayCall, logCall } from "./access-log";
import type { Logger } from "../kernel/log";

export interface RestRoute {
  /** Upper-case HTTP verb. */
  verb: string;
  /** Path template as written in the proto. */
  path: string;
  /** Fully-qualified service name. */
  service: string;
  method: string;
  /** "" (no body), "*" (whole request) or a top-level field name. */
  body: string;
}

// ---- status codes ---------------------------------------------------------------------------------------

/** grpc-gateway's HTTPStatusFromCode. */
const httpStatusByCode: Record<Code, number> = {
  [Code.Canceled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 400, // deliberately not 412, as in grpc-gateway
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

export function httpStatusFromCode(code: Code): number {
  // OK (0) has no member in Connect's Code; anything unknown is 500, as in grpc-gateway
  return httpStatusByCode[code] ?? (Number(code) === 0 ? 200 : 500);
}

function invalidArgument(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---- marshallers ----------------------------------------------------------------------------------------

/** application/json (proto names, unknown fields rejected), application/octet-stream, and grpc-gateway's `*`. */
type Marshaller = "json" | "binary" | "fallback";

const marshallerByMime = new Map<string, Marshaller>([
  ["application/json", "json"],
  ["application/octet-stream", "binary"],
  ["*", "fallback"],
]);

/**
 * Inbound by the Content-Type's media type, else `*`; outbound by an Accept value matching a registered
 * type exactly (no q-values, no lists), else the inbound one. Repeated Accept headers reach us joined by
 * ", ", so only a single Accept header can match, which is what clients send.
 */
function pickMarshallers(headers: Headers): { inbound: Marshaller; outbound: Marshaller } {
  const contentType = headers.get("content-type");
  const mediaType = contentType?.split(";")[0].trim().toLowerCase();
  const inbound = (mediaType && mediaType !== "*" ? marshallerByMime.get(mediaType) : undefined) ?? "fallback";
  const accept = headers.get("accept");
  const outbound = (accept !== null ? marshallerByMime.get(accept) : undefined) ?? inbound;
  return { inbound, outbound };
}

interface Encoded {
  body: Uint8Array | string;
  contentType: string;
}

function encode(schema: DescMessage, msg: Message, marshaller: Marshaller, registry: Registry): Encoded {
  if (marshaller === "binary") return { body: toBinary(schema, msg), contentType: "application/octet-stream" };
  return { body: toGatewayJsonText(schema, msg, { protoNames: marshaller === "json", registry }), contentType: "application/json" };
}

function decode(schema: DescMessage, bytes: Uint8Array, marshaller: Marshaller, registry: Registry): Message {
  try {
    if (marshaller === "binary") return fromBinary(schema, bytes);
    const text = new TextDecoder().decode(bytes);
    return fromGatewayJson(schema, text, { discardUnknown: marshaller === "fallback", registry });
  } catch (e) {
    throw invalidArgument(errorText(e));
  }
}

// ---- path templates -------------------------------------------------------------------------------------

interface PathVariable {
  /** Hono parameter name. */
  param: string;
  /** Proto field names from the request message down. */
  fieldPath: string[];
}

interface CompiledRoute {
  binding: HttpBinding;
  method: DescMethodUnary;
  honoPath: string;
  variables: PathVariable[];
  /** The top-level field a non-`*` body decodes into. */
  bodyField?: DescField & { fieldKind: "message" };
  /** Field paths the query string may not set: path variables and the body field. */
  queryFilter: string[][];
  /** Sorts literal segments before variables at the same position. */
  rank: string;
}

/** Turns `/api/v1/tasks/{id.project}/{name=**}` into a Hono path; throws on templates we do not support. */
function compileRoute(binding: HttpBinding, method: DescMethodUnary): CompiledRoute {
  const variables: PathVariable[] = [];
  const rank: string[] = [];
  const segments = binding.path.split("/").slice(1);
  const hono = segments.map((segment) => {
    const m = /^\{([A-Za-z_][\w.]*)(?:=(\*\*?))?\}$/.exec(segment);
    if (!m) {
      if (/[{}:*]/.test(segment)) throw new Error(`unsupported path template ${binding.path} (${method.name})`);
      rank.push("0");
      return segment;
    }
    const fieldPath = m[1].split(".");
    requirePathField(method.input, fieldPath, binding.path);
    const param = `p${variables.length}`;
    variables.push({ param, fieldPath });
    rank.push(m[2] === "**" ? "2" : "1");
    return m[2] === "**" ? `:${param}{.+}` : `:${param}`;
  });
  const route: CompiledRoute = {
    binding,
    method,
    honoPath: `/${hono.join("/")}`,
    variables,
    queryFilter: variables.map((v) => v.fieldPath),
    rank: rank.join(""),
  };
  if (binding.body !== "" && binding.body !== "*") {
    const field = method.input.fields.find((f) => f.name === binding.body);
    if (field?.fieldKind !== "message") throw new Error(`body ${binding.body} of ${binding.path} is not a message field`);
    route.bodyField = field;
    route.queryFilter.push([field.name]);
  }
  return route;
}

/** A path variable must name a field, and not a repeated one. */
function requirePathField(input: DescMessage, fieldPath: string[], template: string): void {
  let desc: DescMessage | undefined = input;
  let field: DescField | undefined;
  for (const name of fieldPath) {
    field = desc?.fields.find((f) => f.name === name);
    if (!field) throw new Error(`${template}: ${fieldPath.join(".")} names no field of ${input.typeName}`);
    desc = field.fieldKind === "message" ? field.message : undefined;
  }
  if (field?.fieldKind === "list" || field?.fieldKind === "map") throw new Error(`${template}: ${fieldPath.join(".")} is repeated`);
}

// ---- binding text into fields (grpc-gateway's runtime.PopulateFieldFromPath / PopulateQueryParameters) ----

/** What one value of a field is: the field itself, a list item, a map key or a map value. */
type ValueKind = { kind: "scalar"; scalar: ScalarType } | { kind: "enum"; enum: DescEnum } | { kind: "message"; message: DescMessage };

function elementKind(f: DescField): ValueKind {
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

const goQuote = (s: string) => JSON.stringify(s);

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

function parseScalar(type: ScalarType, text: string): string | number | bigint | boolean | Uint8Array {
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
function parseEnum(e: DescEnum, text: string): number {
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

const wrapperSchemas: DescMessage[] = [
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

function parseValue(kind: ValueKind, text: string): string | number | bigint | boolean | Uint8Array | ReflectMessage {
  switch (kind.kind) {
    case "scalar":
      return parseScalar(kind.scalar, text);
    case "enum":
      return parseEnum(kind.enum, text);
    case "message":
      return parseMessageText(kind.message, text);
  }
}

function findField(desc: DescMessage, name: string): DescField | undefined {
  return desc.fields.find((f) => f.name === name) ?? desc.fields.find((f) => f.jsonName === name);
}

/**
 * grpc-gateway's populateFieldValueFromPath: walks (and creates) the messages along a dotted path of
 * proto or JSON names and sets the leaf from its text. A path naming no field is ignored, not an error.
 */
function populate(root: ReflectMessage, path: string[], values: string[]): void {
  const chain: Array<{ parent: ReflectMessage; field: DescField & { fieldKind: "message" }; child: ReflectMessage }> = [];
  let msg = root;
  for (const [i, name] of path.entries()) {
    const field = findField(msg.desc, name);
    if (!field) return;
    if (field.oneof) {
      const current = msg.oneofCase(field.oneof);
      if (current && (field.fieldKind !== "message" || current !== field)) {
        throw new Error(`field already set for oneof ${goQuote(field.oneof.name)}`);
      }
    }
    if (i === path.length - 1) {
      populateLeaf(msg, field, values);
      break;
    }
    if (field.fieldKind !== "message") throw new Error(`invalid path: ${goQuote(name)} is not a message`);
    if (!msg.isSet(field)) msg.set(field, reflect(field.message));
    const child = msg.get(field);
    chain.push({ parent: msg, field, child });
    msg = child;
  }
  // Wrappers and Struct are stored unwrapped, so get() hands out copies of them: write each level back.
  for (const { parent, field, child } of chain.reverse()) parent.set(field, child);
}

function populateLeaf(msg: ReflectMessage, field: DescField, values: string[]): void {
  const kind = elementKind(field);
  if (field.fieldKind === "list") {
    const list = msg.get(field);
    for (const text of values) list.add(withContext(`parsing list ${goQuote(field.name)}`, () => parseValue(kind, text)));
    return;
  }
  if (field.fieldKind === "map") {
    if (values.length !== 2) {
      throw new Error(`more than one value provided for key ${goQuote(values[0])} in map ${goQuote(`${field.parent.typeName}.${field.name}`)}`);
    }
    const key = withContext(`parsing map key ${goQuote(field.name)}`, () => parseScalar(field.mapKey, values[0]));
    const value = withContext(`parsing map value ${goQuote(field.name)}`, () => parseValue(kind, values[1]));
    msg.get(field).set(key, value);
    return;
  }
  if (values.length > 1) throw new Error(`too many values for field ${goQuote(field.name)}: ${values.join(", ")}`);
  msg.set(field, withContext(`parsing field ${goQuote(field.name)}`, () => parseValue(kind, values[0])));
}

function withContext<T>(context: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new Error(`${context}: ${errorText(e)}`);
  }
}

/** Path variables, already percent-decoded by the router. Errors read as grpc-gateway's generated code's. */
function bindPath(msg: ReflectMessage, route: CompiledRoute, param: (name: string) => string): void {
  for (const v of route.variables) {
    const path = v.fieldPath.join(".");
    const text = param(v.param);
    try {
      const field = v.fieldPath.length === 1 ? findField(msg.desc, v.fieldPath[0]) : undefined;
      if (field?.fieldKind === "enum") msg.set(field, parseTopLevelEnum(field.enum, text));
      else populate(msg, v.fieldPath, [text]);
    } catch (e) {
      throw invalidArgument(`type mismatch, parameter: ${path}, error: ${errorText(e)}`);
    }
  }
}

/** The generated code parses a top-level enum variable with runtime.Enum, whose error is worded apart. */
function parseTopLevelEnum(e: DescEnum, text: string): number {
  try {
    return parseEnum(e, text);
  } catch {
    throw new Error(`${text} is not valid`);
  }
}

/** url.ParseQuery: `&`-separated, `+` is a space, a `;` or a bad escape fails the whole query. */
function parseQuery(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let firstError: string | undefined;
  for (const part of raw.split("&")) {
    if (part === "") continue;
    if (part.includes(";")) {
      firstError ??= "invalid semicolon separator in query";
      continue;
    }
    const eq = part.indexOf("=");
    const key = queryUnescape(eq < 0 ? part : part.slice(0, eq));
    const value = queryUnescape(eq < 0 ? "" : part.slice(eq + 1));
    if (typeof key !== "string") firstError ??= key.error;
    else if (typeof value !== "string") firstError ??= value.error;
    else out.set(key, [...(out.get(key) ?? []), value]);
  }
  if (firstError) throw invalidArgument(firstError);
  return out;
}

function queryUnescape(s: string): string | { error: string } {
  const bad = /%(?![0-9A-Fa-f]{2})/.exec(s);
  if (bad) return { error: `invalid URL escape ${goQuote(s.slice(bad.index, bad.index + 3))}` };
  const bytes: number[] = [];
  for (const [, hex, text] of s.replace(/\+/g, " ").matchAll(/%([0-9A-Fa-f]{2})|([^%]+)/g)) {
    if (hex !== undefined) bytes.push(parseInt(hex, 16));
    else bytes.push(...new TextEncoder().encode(text));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/** Proto names for a dotted path of proto or JSON names, or the path as given when it names no field. */
function normalizeFieldPath(desc: DescMessage, path: string[]): string[] {
  const out: string[] = [];
  let current: DescMessage | undefined = desc;
  for (const name of path) {
    const field: DescField | undefined = current ? findField(current, name) : undefined;
    if (!field) return path;
    out.push(field.name);
    current = field.fieldKind === "message" ? field.message : undefined;
  }
  return out;
}

/** True when some filtered path is a prefix of `path` (utilities.DoubleArray.HasCommonPrefix). */
function filtered(filter: string[][], path: string[]): boolean {
  return filter.some((f) => f.length <= path.length && f.every((name, i) => path[i] === name));
}

/** Every query parameter that is not a path variable or the body: `a.b=x`, `list=1&list=2`, `map[key]=v`. */
function bindQuery(msg: ReflectMessage, route: CompiledRoute, rawQuery: string): void {
  for (const [rawKey, rawValues] of parseQuery(rawQuery)) {
    let key = rawKey;
    let values = rawValues;
    const mapEntry = /^(.*)\[(.*)\]$/.exec(rawKey);
    if (mapEntry) {
      key = mapEntry[1];
      values = [mapEntry[2], ...rawValues];
    }
    const path = normalizeFieldPath(msg.desc, key.split("."));
    if (filtered(route.queryFilter, path)) continue;
    try {
      populate(msg, path, values);
    } catch (e) {
      throw invalidArgument(errorText(e));
    }
  }
}

// ---- requests ------------------------------------------------------------------------------------------

function tooLarge(max: number, size?: number): ConnectError {
  const what = size === undefined ? "request body" : `request body of ${size} bytes`;
  return new ConnectError(`${what} is larger than the limit of ${max} bytes`, Code.ResourceExhausted);
}

/** Reads the body, giving up as soon as it passes the limit rather than buffering all of it. */
async function readBody(req: Request, max: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > max) throw tooLarge(max, declared);
  if (!req.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel();
      throw tooLarge(max);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

interface GatewayContext {
  transport: Transport;
  registry: Registry;
  maxBodyBytes: number;
  /** Where REST calls' access lines go; none when the access log is off. */
  accessLog?: Logger;
}

/** Body first (`*`: the whole request, else one field), then path variables, then (unless `*`) the query. */
async function buildRequest(c: Context, route: CompiledRoute, inbound: Marshaller, gw: GatewayContext): Promise<Message> {
  const schema = route.method.input;
  const { body } = route.binding;
  const msg = body === "*" ? decode(schema, await readBody(c.req.raw, gw.maxBodyBytes), inbound, gw.registry) : create(schema);
  const r = reflect(schema, msg);
  if (route.bodyField) {
    const field = route.bodyField;
    r.set(field, reflect(field.message, decode(field.message, await readBody(c.req.raw, gw.maxBodyBytes), inbound, gw.registry)));
  }
  bindPath(r, route, (name) => c.req.param(name) ?? "");
  if (body !== "*") bindQuery(r, route, new URL(c.req.url).search.slice(1));
  return msg;
}

// ---- headers --------------------------------------------------------------------------------------------

/** grpc-gateway forwards these HTTP headers as `grpcgateway-<name>` metadata. */
const permanentHttpHeaders = new Set([
  "accept",
  "accept-charset",
  "accept-language",
  "accept-ranges",
  "authorization",
  "cache-control",
  "content-type",
  "cookie",
  "date",
  "expect",
  "from",
  "host",
  "if-match",
  "if-modified-since",
  "if-none-match",
  "if-schedule-tag-match",
  "if-unmodified-since",
  "max-forwards",
  "origin",
  "pragma",
  "referer",
  "user-agent",
  "via",
  "warning",
]);

/**
 * Passed through under their own names: authorization (grpc-gateway does), x-request-id (flyteadmin's
 * header matcher does), and flyte-authorization and cookie, which our auth layer reads from the call
 * where upstream's gateway turns them into `authorization` itself.
 */
const passThroughHeaders = new Set(["authorization", "x-request-id", "flyte-authorization", "cookie"]);

const metadataPrefix = "grpc-metadata-";

/** Request metadata as grpc-gateway's AnnotateContext builds it (plus x-forwarded-proto, see below). */
function forwardHeaders(req: Request): Headers {
  const out = new Headers();
  for (const [key, value] of req.headers) {
    if (key === "x-forwarded-for" || key === "x-forwarded-host") continue;
    if (passThroughHeaders.has(key)) out.append(key, value);
    const target = permanentHttpHeaders.has(key)
      ? `grpcgateway-${key}`
      : key.startsWith(metadataPrefix)
        ? key.slice(metadataPrefix.length)
        : undefined;
    if (!target || !/^[0-9a-z._-]+$/.test(target) || isReservedKey(target)) continue;
    if (target.endsWith("-bin")) out.append(target, checkBinaryHeader(key, value));
    else if (/^[\x20-\x7e]*$/.test(value)) out.append(target, value); // non-ASCII values are skipped, as upstream does
  }
  const url = new URL(req.url);
  out.set("x-forwarded-host", req.headers.get("x-forwarded-host") ?? url.host);
  const forwardedFor = req.headers.get("x-forwarded-for");
  if (forwardedFor) out.set("x-forwarded-for", forwardedFor);
  // Not grpc-gateway's: its call leaves over the network, ours in-process; the data proxy builds the
  // URLs it hands out from where the caller reached us.
  out.set("x-forwarded-proto", req.headers.get("x-forwarded-proto") ?? url.protocol.replace(/:$/, ""));
  return out;
}

/** Keys the transport owns (gRPC's reserved headers and Connect's own): Grpc-Metadata-* may not set them. */
function isReservedKey(key: string): boolean {
  return transportHeaders.has(key) || key === "user-agent" || key.startsWith("grpc-") || key.startsWith("connect-");
}

/** A `-bin` header must be base64 (padded or not); Connect carries it base64-encoded as it came. */
function checkBinaryHeader(key: string, value: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || (value.includes("=") && value.length % 4 !== 0)) {
    throw invalidArgument(`invalid binary header ${key}: illegal base64 data`);
  }
  return value;
}

/** grpc-timeout: digits and one unit letter (H M S m u n). */
function parseGrpcTimeout(value: string | null): number | undefined {
  if (value === null) return undefined;
  const m = /^([+-]?\d+)([HMSmun])$/.exec(value);
  if (!m) throw invalidArgument(`invalid grpc-timeout: ${value}`);
  const msPerUnit: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };
  const ms = Number(m[1]) * msPerUnit[m[2]];
  return ms === 0 ? undefined : Math.max(ms, 0);
}

/** Metadata of the transport itself, not of the call: never forwarded. */
const transportHeaders = new Set([
  "content-type",
  "content-length",
  "content-encoding",
  "accept-encoding",
  "transfer-encoding",
  "te",
  "trailer",
  "connect-content-encoding",
  "connect-accept-encoding",
  "connect-protocol-version",
  "connect-timeout-ms",
  "grpc-status",
  "grpc-message",
  "grpc-status-details-bin",
  "grpc-encoding",
  "grpc-accept-encoding",
]);

/** Response metadata as `Grpc-Metadata-<key>` headers (grpc-gateway's default); x-request-id also as is. */
function responseHeaders(metadata: Headers, contentType: string): Headers {
  const out = new Headers({ "content-type": contentType });
  for (const [key, value] of metadata) {
    if (transportHeaders.has(key)) continue;
    if (key === "x-request-id") out.set(key, value);
    out.append(`${metadataPrefix}${key}`, value);
  }
  return out;
}

/** flyteadmin's forward-response option for UserInfo: the subject and each extra claim as headers. */
function addUserInfoHeaders(msg: Message, headers: Headers): void {
  if (!isMessage(msg, UserInfoResponseSchema)) return;
  for (const [claim, value] of Object.entries(msg.additionalClaims ?? {})) {
    try {
      headers.set(`x-user-claim-${claim.replaceAll("_", "-")}`, JSON.stringify(value));
    } catch {
      // a claim that cannot be a header value is skipped, as upstream skips claims it cannot marshal
    }
  }
  headers.set("x-user-subject", msg.subject);
}

// ---- responses ------------------------------------------------------------------------------------------

/** Throws Unknown when the answer cannot be marshalled, for the caller to answer as an error. */
function successResponse(method: DescMethodUnary, msg: Message, metadata: Headers, outbound: Marshaller, registry: Registry): Response {
  let encoded: Encoded;
  try {
    encoded = encode(method.output, msg, outbound, registry);
  } catch (e) {
    throw new ConnectError(errorText(e), Code.Unknown);
  }
  const headers = responseHeaders(metadata, encoded.contentType);
  addUserInfoHeaders(msg, headers);
  return new Response(encoded.body, { status: 200, headers });
}

function detailAsAny(detail: ConnectError["details"][number]): Any {
  if ("desc" in detail) return anyPack(detail.desc, create(detail.desc, detail.value));
  return create(AnySchema, { typeUrl: `type.googleapis.com/${detail.type}`, value: detail.value });
}

/** google.rpc.Status in the outbound marshaller, at grpc-gateway's HTTP status for the code. */
function errorResponse(err: ConnectError, outbound: Marshaller, registry: Registry): Response {
  const status = create(StatusSchema, { code: err.code, message: err.rawMessage, details: err.details.map(detailAsAny) });
  let encoded: Encoded;
  try {
    encoded = encode(StatusSchema, status, outbound, registry);
  } catch {
    // e.g. a detail whose type we cannot resolve for JSON: grpc-gateway's own fallback body
    return new Response('{"code": 13, "message": "failed to marshal error message"}', {
      status: 500,
      headers: { "content-type": outbound === "binary" ? "application/octet-stream" : "application/json" },
    });
  }
  const headers = responseHeaders(err.metadata, encoded.contentType);
  if (err.code === Code.Unauthenticated) {
    try {
      headers.set("www-authenticate", err.rawMessage);
    } catch {
      // not representable as a header value
    }
  }
  return new Response(encoded.body, { status: httpStatusFromCode(err.code), headers });
}

// ---- mounting -------------------------------------------------------------------------------------------

/** The services' files, everything they import, the well-known types and google.rpc.Status: for Any. */
function gatewayRegistry(services: DescService[]): Registry {
  const files = new Map<string, DescFile>();
  const visit = (f: DescFile): void => {
    if (files.has(f.name)) return;
    files.set(f.name, f);
    f.dependencies.forEach(visit);
  };
  services.forEach((s) => visit(s.file));
  [StatusSchema, AnySchema, EmptySchema, StructSchema, FieldMaskSchema, TimestampSchema, DurationSchema, ...wrapperSchemas].forEach(
    (s) => visit(s.file),
  );
  return createRegistry(...files.values());
}

function handler(route: CompiledRoute, gw: GatewayContext) {
  const method = `/${route.method.parent.typeName}/${route.method.name}`;
  return async (c: Context): Promise<Response> => {
    const started = performance.now();
    const { inbound, outbound } = pickMarshallers(c.req.raw.headers);
    let answer: Response;
    let err: ConnectError | undefined;
    try {
      const timeoutMs = parseGrpcTimeout(c.req.header("grpc-timeout") ?? null);
      const headers = forwardHeaders(c.req.raw);
      const input = await buildRequest(c, route, inbound, gw);
      const res = await asGatewayCall(() => gw.transport.unary(route.method, c.req.raw.signal, timeoutMs, headers, input));
      answer = successResponse(route.method, res.message, res.header, outbound, gw.registry);
    } catch (e) {
      err = ConnectError.from(e);
      answer = errorResponse(err, outbound, gw.registry);
    }
    if (gw.accessLog) {
      logCall(gw.accessLog, {
        method,
        code: err?.code,
        seconds: (performance.now() - started) / 1000,
        // The interceptor's id when the call got that far; else the caller's, if any.
        requestId: answer.headers.get("x-request-id") ?? c.req.header("x-request-id"),
        error: err?.rawMessage,
        http: { method: c.req.method, path: c.req.path, status: answer.status },
      });
    }
    return answer;
  };
}

function isUnary(method: DescMethod): method is DescMethodUnary {
  return method.methodKind === "unary";
}

/** A path some binding serves, reached with another verb: grpc-gateway's routing error, 501 Unimplemented. */
function methodNotAllowed(registry: Registry) {
  return (c: Context): Response => {
    const { outbound } = pickMarshallers(c.req.raw.headers);
    return errorResponse(new ConnectError("Method Not Allowed", Code.Unimplemented), outbound, registry);
  };
}

/**
 * Mounts one Hono route per google.api.http binding (additional bindings included) of the services'
 * unary methods, and returns them in the order they are matched.
 */
export function mountRestGateway(
  app: Hono,
  services: DescService[],
  transport: Transport,
  opts: { maxBodyBytes: number; accessLog?: Logger },
): RestRoute[] {
  const gw: GatewayContext = { transport, registry: gatewayRegistry(services), maxBodyBytes: opts.maxBodyBytes, accessLog: opts.accessLog };
  const routes: CompiledRoute[] = [];
  for (const binding of httpBindings(services)) {
    if (isUnary(binding.method)) routes.push(compileRoute(binding, binding.method));
  }
  // Hono tries matching routes in registration order: literals first, so /executions/relaunch is never
  // taken for a project called "relaunch" (the flyteidl bindings have no such overlap today).
  routes.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
  for (const route of routes) app.on(route.binding.verb.toUpperCase(), route.honoPath, handler(route, gw));
  for (const path of new Set(routes.map((r) => r.honoPath))) app.all(path, methodNotAllowed(gw.registry));
  return routes.map(({ binding: b }) => ({
    verb: b.verb.toUpperCase(),
    path: b.path,
    service: b.service.typeName,
    method: b.method.name,
    body: b.body,
  }));
}
