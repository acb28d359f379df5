// The REST gateway, behaving as flyteadmin's grpc-gateway v2.28 mux does, derived at start-up from the
// google.api.http bindings (http-rules.ts), never from a route table of its own. Path variables, query
// parameters and bodies are bound into the request message with grpc-gateway's rules (request.ts), the
// call goes through the same Connect router (and interceptors) as every other protocol, and the answer
// or error is written with the marshaller grpc-gateway would pick (responses.ts).
import {
  createRegistry,
  type DescField,
  type DescFile,
  type DescMessage,
  type DescMethod,
  type DescMethodUnary,
  type DescService,
  type Registry,
} from "@bufbuild/protobuf";
import { AnySchema, DurationSchema, EmptySchema, FieldMaskSchema, StructSchema, TimestampSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import type { Context, Hono } from "hono";
import { StatusSchema } from "../../gen/google/rpc/status_pb";
import type { Logger } from "../../kernel/log";
import { asGatewayCall, logCall } from "../access-log";
import { httpBindings, type HttpBinding } from "../http-rules";
import { forwardHeaders, parseGrpcTimeout, type HeaderMatcher } from "./headers";
import { pickMarshallers } from "./marshal";
import { wrapperSchemas } from "./params";
import { buildRequest, type PathVariable, type RequestBinding } from "./request";
import { errorResponse, successResponse } from "./responses";

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

/** A binding ready to mount: its Hono path and where its request fields come from. */
interface CompiledRoute extends RequestBinding {
  binding: HttpBinding;
  method: DescMethodUnary;
  honoPath: string;
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
    input: method.input,
    body: binding.body,
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

interface GatewayContext {
  transport: Transport;
  registry: Registry;
  maxBodyBytes: number;
  /** Where REST calls' access lines go; none when the access log is off. */
  accessLog?: Logger;
  /** More headers to forward as metadata (the CustomerHeaderMatcher plugin). */
  headerMatcher?: HeaderMatcher;
}

/** The services' files, everything they import, the well-known types and google.rpc.Status: for Any. */
function gatewayRegistry(services: DescService[]): Registry {
  const files = new Map<string, DescFile>();
  const visit = (f: DescFile): void => {
    if (files.has(f.name)) return;
    files.set(f.name, f);
    f.dependencies.forEach(visit);
  };
  for (const s of services) visit(s.file);
  for (const s of [StatusSchema, AnySchema, EmptySchema, StructSchema, FieldMaskSchema, TimestampSchema, DurationSchema, ...wrapperSchemas]) visit(s.file);
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
      const headers = forwardHeaders(c.req.raw, gw.headerMatcher);
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
  opts: { maxBodyBytes: number; accessLog?: Logger; headerMatcher?: HeaderMatcher },
): RestRoute[] {
  const gw: GatewayContext = { transport, registry: gatewayRegistry(services), ...opts };
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
