// The interceptor every call passes, on every protocol (REST included): request id in and out,
// recovery (anything thrown leaves as a status with a message), metrics and the access log with the
// final code. One interceptor rather than three stacked ones: each layer costs an async frame per
// call, which the edge benchmark showed as a measurable share of a cheap RPC.
import { AsyncLocalStorage } from "node:async_hooks";
import { Code, ConnectError, createContextKey, type Interceptor } from "@connectrpc/connect";
import { errorText, toConnectError } from "../../errors";
import type { Logger } from "../../log";
import { randomString } from "../../random";
import type { RequestHandler } from "../listen";
import type { Metrics } from "../metrics";

export const requestIdKey = createContextKey<string>("", { description: "request id" });
const requestIdHeader = "x-request-id";

const codeName = (code: Code | undefined) => (code === undefined ? "OK" : (Code[code] ?? String(code)));

// ---- where a call came from -----------------------------------------------------------------------------

type NodeRequest = Parameters<RequestHandler>[0];

interface CallOrigin {
  protocol: string;
  peer: string | undefined;
  /** A REST gateway call: the gateway writes its access line, as only it knows the HTTP status. */
  gateway?: boolean;
}

// The HTTP request being served, for the access log of the calls it carries. Async context rather
// than Connect's context values: the lean gRPC path (grpc-unary.ts) takes no per-request values.
const serving = new AsyncLocalStorage<CallOrigin>();

/** Makes each request's client address and protocol known to the access log of its calls. */
export function withCallOrigin(handler: RequestHandler): RequestHandler {
  return (req, res) => {
    // Read now: an HTTP/2 stream's socket is gone once the client has left.
    const origin = { protocol: protocolOf(req.headers["content-type"]), peer: peerOf(req) };
    serving.run(origin, handler, req, res);
  };
}

/**
 * Runs the REST gateway's in-process call. Marked in async context, not in a header: the in-process
 * transport passes no context values to the router, and a header could be sent by any client.
 */
export function asGatewayCall<T>(call: () => T): T {
  return serving.run({ protocol: "rest", peer: serving.getStore()?.peer, gateway: true }, call);
}

/** The wire protocol, by content type (a Connect GET has none). */
function protocolOf(contentType: string | undefined): string {
  if (contentType?.startsWith("application/grpc-web")) return "grpc-web";
  if (contentType?.startsWith("application/grpc")) return "grpc";
  return "connect";
}

function peerOf(req: NodeRequest): string | undefined {
  const { remoteAddress, remotePort } = req.socket;
  if (!remoteAddress) return undefined;
  return remoteAddress.includes(":") ? `[${remoteAddress}]:${remotePort}` : `${remoteAddress}:${remotePort}`;
}

export interface CallRecord {
  /** `/package.Service/Method`. */
  method: string;
  code: Code | undefined;
  seconds: number;
  requestId: string | undefined;
  error?: string;
  /** REST only: what the gateway answered. */
  http?: { method: string; path: string; status: number };
}

/** The access line, the same fields on every protocol; protocol and peer come from the request served. */
export function logCall(log: Logger, call: CallRecord): void {
  const origin = serving.getStore();
  log.info("call", {
    method: call.method,
    code: codeName(call.code),
    duration_ms: Math.round(call.seconds * 1e4) / 10,
    request_id: call.requestId,
    protocol: call.http ? "rest" : origin?.protocol,
    peer: origin?.peer,
    ...(call.http && { http_method: call.http.method, path: call.http.path, status: call.http.status }),
    ...(call.error !== undefined && { error: call.error }),
  });
}

export function edgeInterceptor(metrics: Metrics, log: Logger, accessLog: boolean): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    // Upstream makes ids as "a-" + 20 random characters when the caller sends none.
    const id = req.header.get(requestIdHeader) || `a-${randomString(20)}`;
    req.contextValues.set(requestIdKey, id);
    const method = `/${req.service.typeName}/${req.method.name}`;

    const finish = (err?: ConnectError) => {
      const seconds = (performance.now() - started) / 1000;
      metrics.observe(method, codeName(err?.code), seconds);
      if (accessLog && !serving.getStore()?.gateway) {
        logCall(log, { method, code: err?.code, seconds, requestId: id, error: err?.rawMessage });
      }
    };
    const fail = (e: unknown): ConnectError => {
      const err = toConnectError(e, id);
      if (err.code === Code.Internal) log.error("call failed", { method, request_id: id, error: errorText(e), stack: (e as Error)?.stack });
      err.metadata.set(requestIdHeader, id);
      finish(err);
      return err;
    };

    let res;
    try {
      res = await next(req);
    } catch (e) {
      throw fail(e);
    }
    res.header.set(requestIdHeader, id);
    if (!res.stream) {
      finish();
      return res;
    }
    // A stream finishes when its last message has been sent, or fails while sending.
    const inner = res.message;
    async function* watched() {
      try {
        yield* inner;
      } catch (e) {
        throw fail(e);
      }
      finish();
    }
    return { ...res, message: watched() };
  };
}
