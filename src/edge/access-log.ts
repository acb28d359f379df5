// The access log: one JSON line a call, the same fields on every protocol. Each HTTP request's protocol
// and client address are kept in async context while it is served, so the line of the call it carries
// can name them; REST calls get their line from the gateway, which alone knows the HTTP status.
import { AsyncLocalStorage } from "node:async_hooks";
import { Code } from "@connectrpc/connect";
import type { Logger } from "../kernel/log";
import type { RequestHandler } from "./listen";

/** A code as the log and the metrics name it. */
export const codeName = (code: Code | undefined) => (code === undefined ? "OK" : (Code[code] ?? String(code)));

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

/** True inside the REST gateway's in-process call (whose access line the gateway writes). */
export function inGatewayCall(): boolean {
  return serving.getStore()?.gateway === true;
}
