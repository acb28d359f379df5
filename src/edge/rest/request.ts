// The request message of a REST call, bound as grpc-gateway binds it: the body (the whole request or one
// field), then path variables (runtime.PopulateFieldFromPath), then query parameters
// (runtime.PopulateQueryParameters), each failure an InvalidArgument worded as upstream's.
import { create, type DescEnum, type DescField, type DescMessage, type Message, type Registry } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Context } from "hono";
import { errorText } from "../../kernel/errors";
import { invalidArgument } from "./errors";
import { decode, type Marshaller } from "./marshal";
import { elementKind, goQuote, parseEnum, parseScalar, parseValue } from "./params";

export interface PathVariable {
  /** Hono parameter name. */
  param: string;
  /** Proto field names from the request message down. */
  fieldPath: string[];
}

/** Where a route's request fields come from, as compiled from its google.api.http binding (routes.ts). */
export interface RequestBinding {
  input: DescMessage;
  /** "" (no body), "*" (whole request) or a top-level field name. */
  body: string;
  /** The top-level field a non-`*` body decodes into. */
  bodyField?: DescField & { fieldKind: "message" };
  variables: PathVariable[];
  /** Field paths the query string may not set: path variables and the body field. */
  queryFilter: string[][];
}

export interface RequestLimits {
  /** Resolves google.protobuf.Any in JSON bodies. */
  registry: Registry;
  maxBodyBytes: number;
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
  msg.set(
    field,
    withContext(`parsing field ${goQuote(field.name)}`, () => parseValue(kind, values[0])),
  );
}

function withContext<T>(context: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw new Error(`${context}: ${errorText(e)}`);
  }
}

/** Path variables, already percent-decoded by the router. Errors read as grpc-gateway's generated code's. */
function bindPath(msg: ReflectMessage, route: RequestBinding, param: (name: string) => string): void {
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
function bindQuery(msg: ReflectMessage, route: RequestBinding, rawQuery: string): void {
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

/** Body first (`*`: the whole request, else one field), then path variables, then (unless `*`) the query. */
export async function buildRequest(c: Context, route: RequestBinding, inbound: Marshaller, gw: RequestLimits): Promise<Message> {
  const schema = route.input;
  const { body } = route;
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
