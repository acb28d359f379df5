// The REST gateway, grpc-gateway style, derived at start-up from the google.api.http bindings (see
// http-rules.ts): path variables, query parameters and bodies are bound into the request message, the
// call goes through the same Connect router (and interceptors) as every other protocol, and the answer
// or error is written with the marshaller grpc-gateway would pick.
import {
  ScalarType,
  create,
  createRegistry,
  fromBinary,
  fromJson,
  mergeFromJson,
  toBinary,
  type DescField,
  type DescFile,
  type DescMessage,
  type DescMethodUnary,
  type DescService,
  type JsonObject,
  type JsonValue,
  type MessageShape,
  type Registry,
} from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { anyPack, AnySchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import type { Context, Hono } from "hono";
import { StatusSchema } from "../gen/google/rpc/status_pb";
import { toGatewayJson } from "./gateway-json";
import { httpBindings, type HttpBinding } from "./http-rules";

export interface RestRoute {
  verb: string;
  path: string;
  service: string;
  method: string;
  body: string;
}

type Marshaller = "json" | "binary" | "fallback";

/** grpc-gateway's HTTPStatusFromCode. */
const httpStatus: Record<Code, number> = {
  [Code.Canceled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 400,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

export function httpStatusFromCode(code: Code): number {
  return httpStatus[code] ?? 500;
}

const mediaTypes: Record<string, Marshaller> = { "application/json": "json", "application/octet-stream": "binary" };

/** Inbound: by Content-Type's media type; outbound: by an exact Accept value, else the inbound one. */
function marshallers(c: Context): { inbound: Marshaller; outbound: Marshaller } {
  const ct = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
  const inbound = mediaTypes[ct] ?? "fallback";
  const accept = c.req.raw.headers.get("accept")?.split(/,\s*/) ?? [];
  // Several Accept headers arrive joined by ", "; grpc-gateway compares each header value whole.
  const outbound = accept.map((a) => mediaTypes[a]).find(Boolean) ?? inbound;
  return { inbound, outbound };
}

// ---- binding path, query and body into the request -------------------------------------------------

interface CompiledRoute {
  binding: HttpBinding;
  honoPath: string;
  /** Hono param name → dotted field path. */
  params: Array<[string, string]>;
  literalSegments: boolean[];
}

function compile(binding: HttpBinding): CompiledRoute {
  const params: Array<[string, string]> = [];
  const segments = binding.path.split("/").map((seg) => {
    const m = /^\{([^}=]+)(?:=[^}]*)?\}$/.exec(seg);
    if (!m) return seg;
    const name = `p${params.length}`;
    params.push([name, m[1]]);
    return `:${name}`;
  });
  return { binding, honoPath: segments.join("/"), params, literalSegments: segments.map((s) => !s.startsWith(":")) };
}

/** Literal segments win over variables at the same position (grpc-gateway matches literals first). */
function bySpecificity(a: CompiledRoute, b: CompiledRoute): number {
  const n = Math.max(a.literalSegments.length, b.literalSegments.length);
  for (let i = 0; i < n; i++) {
    const la = a.literalSegments[i] ?? false;
    const lb = b.literalSegments[i] ?? false;
    if (la !== lb) return la ? -1 : 1;
  }
  return 0;
}

/** Resolves a dotted field path (proto or JSON names) to its fields, or undefined if it names none. */
function resolvePath(schema: DescMessage, path: string): DescField[] | undefined {
  const out: DescField[] = [];
  let cur: DescMessage | undefined = schema;
  for (const part of path.split(".")) {
    if (!cur) return undefined;
    const f: DescField | undefined = cur.fields.find((x) => x.name === part || x.jsonName === part);
    if (!f) return undefined;
    out.push(f);
    cur = f.fieldKind === "message" ? f.message : undefined;
  }
  return out;
}

/** Text from a path or query string → the JSON value protojson expects for that field. */
function jsonScalar(f: DescField, text: string): JsonValue {
  const kind = f.fieldKind === "list" ? f.listKind : f.fieldKind;
  if (kind === "enum") return /^-?\d+$/.test(text) ? Number(text) : text;
  if (kind === "scalar") {
    const t = f.fieldKind === "list" || f.fieldKind === "scalar" ? f.scalar : undefined;
    if (t === ScalarType.BOOL) return text === "true" ? true : text === "false" ? false : text;
    if (t === ScalarType.DOUBLE || t === ScalarType.FLOAT) return /^-?[\d.eE+-]+$/.test(text) ? Number(text) : text;
  }
  return text; // ints (protojson takes decimal strings), strings, bytes, WKTs in their string forms
}

function setJsonPath(target: JsonObject, fields: DescField[], value: JsonValue): void {
  let cur = target;
  for (const f of fields.slice(0, -1)) {
    const next = cur[f.name];
    if (typeof next !== "object" || next === null || Array.isArray(next)) cur[f.name] = {};
    cur = cur[f.name] as JsonObject;
  }
  cur[fields[fields.length - 1].name] = value;
}

function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}

/** Path variables, and for body-less or single-field-body bindings the query string, as protojson. */
function paramsJson(c: Context, route: CompiledRoute, schema: DescMessage, withQuery: boolean): JsonObject {
  const json: JsonObject = {};
  if (withQuery) {
    const url = new URL(c.req.url);
    const repeated = new Map<string, string[]>();
    for (const [key, value] of url.searchParams) {
      const fields = resolvePath(schema, key);
      // grpc-gateway v2 ignores query parameters that name no field.
      if (!fields) continue;
      const leaf = fields[fields.length - 1];
      if (leaf.fieldKind === "list") {
        const list = repeated.get(key) ?? [];
        list.push(value);
        repeated.set(key, list);
        setJsonPath(json, fields, list.map((v) => jsonScalar(leaf, v)));
      } else if (leaf.fieldKind === "scalar" || leaf.fieldKind === "enum" || leaf.fieldKind === "message") {
        setJsonPath(json, fields, jsonScalar(leaf, value));
      }
    }
  }
  for (const [name, path] of route.params) {
    const fields = resolvePath(schema, path);
    if (!fields) throw invalid(`path variable ${path} names no field of ${schema.typeName}`);
    setJsonPath(json, fields, jsonScalar(fields[fields.length - 1], c.req.param(name) ?? ""));
  }
  return json;
}

function decodeBody(schema: DescMessage, bytes: Uint8Array, inbound: Marshaller): MessageShape<DescMessage> {
  try {
    if (inbound === "binary") return fromBinary(schema, bytes);
    const text = new TextDecoder().decode(bytes).trim();
    const json = text === "" ? {} : (JSON.parse(text) as JsonValue);
    return fromJson(schema, json, { ignoreUnknownFields: inbound === "fallback" });
  } catch (e) {
    throw invalid(e instanceof Error ? e.message : String(e));
  }
}

async function readBody(c: Context, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(c.req.header("content-length") ?? "0");
  if (declared > maxBytes) throw tooLarge(declared, maxBytes);
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length > maxBytes) throw tooLarge(bytes.length, maxBytes);
  return bytes;
}

const tooLarge = (size: number, max: number) =>
  new ConnectError(`request body of ${size} bytes is larger than the limit of ${max} bytes`, Code.ResourceExhausted);

async function buildRequest(c: Context, route: CompiledRoute, inbound: Marshaller, maxBytes: number): Promise<MessageShape<DescMessage>> {
  const schema = route.binding.method.input;
  const body = route.binding.body;
  let msg: MessageShape<DescMessage>;
  if (body === "*") {
    msg = decodeBody(schema, await readBody(c, maxBytes), inbound);
  } else if (body) {
    const field = schema.fields.find((f) => f.name === body);
    if (!field || field.fieldKind !== "message") throw invalid(`body field ${body} is not a message field`);
    msg = create(schema);
    reflect(schema, msg).set(field, decodeBody(field.message, await readBody(c, maxBytes), inbound));
  } else {
    msg = create(schema);
  }
  try {
    return mergeFromJson(schema, msg, paramsJson(c, route, schema, body !== "*"));
  } catch (e) {
    throw invalid(e instanceof Error ? e.message : String(e));
  }
}

// ---- writing answers and errors --------------------------------------------------------------------

function write(
  c: Context,
  status: number,
  schema: DescMessage,
  msg: MessageShape<DescMessage>,
  outbound: Marshaller,
  registry: Registry,
): Response {
  if (outbound === "binary") {
    return c.body(toBinary(schema, msg), status as never, { "content-type": "application/octet-stream" });
  }
  const json = toGatewayJson(schema, msg, { protoNames: outbound === "json", registry });
  return c.body(JSON.stringify(json), status as never, { "content-type": "application/json" });
}

function errorResponse(c: Context, err: ConnectError, outbound: Marshaller, registry: Registry): Response {
  const details = err.details.map((d) =>
    "desc" in d
      ? anyPack(d.desc, create(d.desc, d.value))
      : create(AnySchema, { typeUrl: `type.googleapis.com/${d.type}`, value: d.value }),
  );
  const status = fromJson(StatusSchema, { code: err.code, message: err.rawMessage });
  status.details = details;
  const requestId = err.metadata.get("x-request-id");
  if (requestId) c.header("x-request-id", requestId);
  try {
    return write(c, httpStatusFromCode(err.code), StatusSchema, status, outbound, registry);
  } catch {
    status.details = []; // a detail type we cannot render in JSON must not hide the error itself
    return write(c, httpStatusFromCode(err.code), StatusSchema, status, outbound, registry);
  }
}

/**
 * Headers passed on to the call: request id, auth, grpc-gateway's Grpc-Metadata-* prefix, and where
 * the client reached us (x-forwarded-host/-proto), which the in-process call would otherwise lose.
 */
function forwardHeaders(c: Context): Headers {
  const out = new Headers();
  for (const [k, v] of c.req.raw.headers) {
    const key = k.toLowerCase();
    if (key === "x-request-id" || key === "authorization" || key === "flyte-authorization" || key === "cookie") out.set(key, v);
    else if (key.startsWith("grpc-metadata-")) out.set(key.slice("grpc-metadata-".length), v);
  }
  const url = new URL(c.req.url);
  out.set("x-forwarded-host", c.req.header("x-forwarded-host") ?? url.host);
  out.set("x-forwarded-proto", c.req.header("x-forwarded-proto") ?? url.protocol.replace(":", ""));
  return out;
}

function allFiles(services: DescService[]): DescFile[] {
  const seen = new Map<string, DescFile>();
  const visit = (f: DescFile) => {
    if (seen.has(f.name)) return;
    seen.set(f.name, f);
    f.dependencies.forEach(visit);
  };
  services.forEach((s) => visit(s.file));
  visit(StatusSchema.file);
  return [...seen.values()];
}

export function mountRestGateway(app: Hono, services: DescService[], transport: Transport, opts: { maxBodyBytes: number }): RestRoute[] {
  const registry = createRegistry(...allFiles(services));
  const compiled = httpBindings(services).map(compile).sort(bySpecificity);
  for (const route of compiled) {
    const { binding } = route;
    const method = binding.method as DescMethodUnary;
    app.on(binding.verb.toUpperCase(), route.honoPath, async (c) => {
      const { inbound, outbound } = marshallers(c);
      try {
        const input = await buildRequest(c, route, inbound, opts.maxBodyBytes);
        const res = await transport.unary(method, c.req.raw.signal, undefined, forwardHeaders(c), input);
        const requestId = res.header.get("x-request-id");
        if (requestId) c.header("x-request-id", requestId);
        return write(c, 200, method.output, res.message, outbound, registry);
      } catch (e) {
        return errorResponse(c, ConnectError.from(e), outbound, registry);
      }
    });
  }
  return compiled.map(({ binding: b }) => ({
    verb: b.verb.toUpperCase(),
    path: b.path,
    service: b.service.typeName,
    method: b.method.name,
    body: b.body,
  }));
}
