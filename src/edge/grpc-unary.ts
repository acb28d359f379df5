// Native gRPC unary calls over HTTP/2 (what flytekit, flytectl and propeller send), answered without
// Connect's streaming pipeline. Connect builds a chain of async iterables per call; on this machine that
// cost ~190 µs of CPU per call against ~12 µs for the HTTP/2 exchange itself, which capped event
// ingestion. This path reads the one envelope, runs the same interceptors and implementations with a
// Connect handler context, and writes headers, one envelope and the status trailers as Connect does
// (same codes and messages). Anything else (gRPC-web, Connect, JSON or compressed gRPC, streaming
// methods, unknown paths) is left to the Connect adapter.
import type http from "node:http";
import type http2 from "node:http2";
import { create, fromBinary, isMessage, toBinary, type DescMessage, type DescMethod, type DescService } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  createContextValues,
  createHandlerContext,
  createServiceImplSpec,
  type ConnectRouter,
  type HandlerContext,
  type Interceptor,
  type ServiceImpl,
  type UnaryRequest,
  type UnaryResponse,
} from "@connectrpc/connect";
import { parseTimeout, setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import { cutBytes } from "../kernel/errors";

type Request = http.IncomingMessage | http2.Http2ServerRequest;
type Response = http.ServerResponse | http2.Http2ServerResponse;
type UnaryImpl = (req: unknown, ctx: HandlerContext) => unknown;

interface UnaryMethod {
  service: DescService;
  method: DescMethod & { input: DescMessage; output: DescMessage };
  impl: UnaryImpl;
}

export interface GrpcUnaryOptions {
  interceptors: Interceptor[];
  readMaxBytes: number;
  writeMaxBytes: number;
}

interface Registered {
  /** The unary methods, by request path (services registered with options keep Connect's path). */
  unary: Map<string, UnaryMethod>;
  /** Every service and method path a router built from `register` serves. */
  services: Set<string>;
  paths: Set<string>;
}

function registered(register: (router: ConnectRouter) => void): Registered {
  const r: Registered = { unary: new Map(), services: new Set(), paths: new Set() };
  const recorder = {
    handlers: [],
    service(service: DescService, impl: Partial<ServiceImpl<DescService>>, options?: unknown) {
      r.services.add(service.typeName);
      for (const m of service.methods) r.paths.add(`/${service.typeName}/${m.name}`);
      if (options !== undefined) return recorder;
      const spec = createServiceImplSpec(service, impl);
      for (const m of Object.values(spec.methods)) {
        if (m.kind === "unary") r.unary.set(`/${service.typeName}/${m.method.name}`, { service, method: m.method, impl: m.impl as UnaryImpl });
      }
      return recorder;
    },
    rpc(method: DescMethod) {
      r.services.add(method.parent.typeName);
      r.paths.add(`/${method.parent.typeName}/${method.name}`);
      return recorder;
    },
  };
  register(recorder as unknown as ConnectRouter);
  return r;
}

const isGrpcProto = (contentType: string | undefined) => contentType === "application/grpc" || contentType === "application/grpc+proto";

function requestHeaders(h: http.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const key in h) {
    if (key.charCodeAt(0) === 58 /* ":" */) continue;
    const v = h[key];
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.append(key, x);
    else out.set(key, v);
  }
  return out;
}

function nodeHeaders(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  h.forEach((v, k) => {
    out[k] = v;
  });
  return out;
}

/** Reads the request body: exactly one uncompressed envelope (flags 0) no larger than `max`. */
function readEnvelope(req: Request, max: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    let sized = false;
    const fail = (e: ConnectError) => {
      failed = true;
      chunks.length = 0;
      reject(e);
    };
    req.on("data", (chunk: Buffer) => {
      if (failed) return;
      chunks.push(chunk);
      size += chunk.length;
      // Refuse an oversized message from its prefix, before reading it.
      if (!sized && size >= 5) {
        sized = true;
        const length = (chunks.length === 1 ? chunk : Buffer.concat(chunks)).readUInt32BE(1);
        if (length > max) fail(new ConnectError(`message size ${length} is larger than configured readMaxBytes ${max}`, Code.ResourceExhausted));
      }
    });
    req.on("error", (e) => failed || fail(new ConnectError(e.message, Code.Canceled)));
    req.on("end", () => {
      if (failed) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      if (body.length === 0) return fail(new ConnectError("protocol error: missing input message for unary method", Code.Unimplemented));
      if (body.length < 5) return fail(new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument));
      const length = body.readUInt32BE(1);
      if (body.length < 5 + length) return fail(new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument));
      // Calls with a grpc-encoding go through Connect, so a compressed flag here has nothing to decode it.
      // grpc-go answers both Internal.
      if (body[0] === 1) return fail(new ConnectError("protocol error: compressed flag set without grpc-encoding", Code.Internal));
      if (body[0] !== 0) return fail(new ConnectError(`protocol error: unexpected envelope flags ${body[0]}`, Code.Internal));
      const rest = body.length - 5 - length;
      if (rest > 0) {
        const complete = rest >= 5 && rest >= 5 + body.readUInt32BE(5 + length + 1);
        return fail(
          complete
            ? new ConnectError("protocol error: received extra input message for unary method", Code.Unimplemented)
            : new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument),
        );
      }
      resolve(body.subarray(5, 5 + length));
    });
  });
}

function envelope(bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + bytes.length);
  out[0] = 0;
  out.writeUInt32BE(bytes.length, 1);
  out.set(bytes, 5);
  return out;
}

/**
 * Returns a request handler that takes native gRPC unary calls over HTTP/2 and answers `false` (leaving
 * the response untouched) for everything else.
 */
export function grpcUnaryHandler(register: (router: ConnectRouter) => void, opts: GrpcUnaryOptions): (req: Request, res: Response) => boolean {
  const { unary: methods, services, paths } = registered(register);
  const interceptors = [...opts.interceptors].reverse();

  async function serve(m: UnaryMethod, req: http2.Http2ServerRequest, res: http2.Http2ServerResponse): Promise<void> {
    const h = req.headers;
    const contentType = h["content-type"] as string;
    const timeout = parseTimeout((h["grpc-timeout"] as string | undefined) ?? null, Number.MAX_SAFE_INTEGER);
    const ctx = createHandlerContext({
      service: m.service,
      method: m.method,
      protocolName: "grpc",
      requestMethod: "POST",
      url: `${h[":scheme"] ?? "http"}://${h[":authority"] ?? h.host ?? "localhost"}${req.url}`,
      timeoutMs: timeout.timeoutMs,
      requestHeader: requestHeaders(h),
      responseHeader: { "content-type": contentType },
      responseTrailer: { "grpc-status": "0" },
      contextValues: createContextValues(),
    });
    let done = false;
    res.once("close", () => done || ctx.abort(new ConnectError("client closed the stream", Code.Canceled)));
    let body: Buffer | undefined;
    try {
      if (timeout.error) throw timeout.error;
      const bytes = await readEnvelope(req, opts.readMaxBytes);
      let input;
      try {
        input = fromBinary(m.method.input, bytes);
      } catch (e) {
        // Internal, as grpc-go answers; the message names what could not be decoded.
        throw new ConnectError(`cannot decode ${m.method.input.typeName}: ${cutBytes((e as Error).message, 200)}`, Code.Internal);
      }
      let next = async (r: UnaryRequest): Promise<UnaryResponse> => {
        const out = await m.impl(r.message, { ...ctx, service: r.service, requestHeader: r.header, signal: r.signal, values: r.contextValues });
        const message = isMessage(out, m.method.output) ? out : create(m.method.output, out as never);
        return { stream: false, service: m.service, method: m.method, header: ctx.responseHeader, trailer: ctx.responseTrailer, message } as UnaryResponse;
      };
      for (const i of interceptors) next = i(next as never) as typeof next;
      const result = await next({
        stream: false,
        service: m.service,
        method: m.method,
        requestMethod: "POST",
        url: ctx.url,
        signal: ctx.signal,
        header: ctx.requestHeader,
        contextValues: ctx.values,
        message: input,
      } as UnaryRequest);
      copyInto(result.header, ctx.responseHeader);
      copyInto(result.trailer, ctx.responseTrailer);
      const out = toBinary(m.method.output, result.message as never);
      if (out.length > opts.writeMaxBytes)
        throw new ConnectError(`message size ${out.length} is larger than configured writeMaxBytes ${opts.writeMaxBytes}`, Code.ResourceExhausted);
      body = envelope(out);
    } catch (e) {
      setTrailerStatus(ctx.responseTrailer, e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e));
    }
    done = true;
    ctx.abort();
    if (res.headersSent || res.writableEnded || res.destroyed) return; // the client went away
    res.writeHead(200, nodeHeaders(ctx.responseHeader));
    res.addTrailers(nodeHeaders(ctx.responseTrailer));
    if (body) res.end(body);
    else res.end();
  }

  return (req, res) => {
    if (req.httpVersionMajor !== 2 || req.method !== "POST" || !isGrpcProto(req.headers["content-type"])) return false;
    const encoding = req.headers["grpc-encoding"];
    if (encoding !== undefined && encoding !== "identity") return false;
    const path = req.url ?? "";
    const m = methods.get(path);
    if (!m) {
      if (paths.has(path)) return false;
      unknownMethod(path, services, res as http2.Http2ServerResponse);
      return true;
    }
    void serve(m, req as http2.Http2ServerRequest, res as http2.Http2ServerResponse).catch(() => res.destroy());
    return true;
  };
}

/** As grpc-go answers a path it does not serve (a gRPC client would make Unimplemented of a 404 too). */
function unknownMethod(path: string, services: Set<string>, res: http2.Http2ServerResponse): void {
  const [, service = "", method = ""] = /^\/(.*)\/([^/]*)$/.exec(path) ?? [];
  const message = services.has(service) ? `unknown method ${method} for service ${service}` : `unknown service ${service || path}`;
  res.writeHead(200, { "content-type": "application/grpc" });
  res.addTrailers({ "grpc-status": String(Code.Unimplemented), "grpc-message": encodeURIComponent(message) });
  res.end();
}

function copyInto(from: Headers, to: Headers): void {
  if (from === to) return;
  for (const k of [...to.keys()]) to.delete(k);
  from.forEach((v, k) => {
    to.set(k, v);
  });
}
