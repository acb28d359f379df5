// CORS for every protocol at once. It wraps the node request handler, in front of both the Connect
// adapter (Connect, gRPC-web, gRPC) and the Hono app (REST, health, metrics) behind it: one
// implementation, so a browser calling Connect or gRPC-web gets the same answers as one calling REST.
import type { RequestHandler } from "./listen";

export interface CorsOptions {
  /** Exact origins, or "*" for any (reflected, so credentials still work). */
  origins: string[];
  /** Request headers allowed beyond the protocols' own (server.security.allowedHeaders). */
  headers: string[];
}

/** What connect-web's Connect and gRPC-web transports send, plus our request id. */
const protocolRequestHeaders = ["content-type", "connect-protocol-version", "connect-timeout-ms", "x-grpc-web", "x-user-agent", "grpc-timeout", "x-request-id"];

/** gRPC-web carries its status in these headers when a call fails before a body (trailers-only). */
const exposedHeaders = "grpc-status, grpc-message, grpc-status-details-bin, x-request-id";
const allowedMethods = "GET, POST, PUT, PATCH, DELETE, HEAD";
const maxAgeSeconds = "7200"; // Chromium caps the preflight cache at two hours

export function withCors(handler: RequestHandler, opts: CorsOptions): RequestHandler {
  const anyOrigin = opts.origins.includes("*");
  const origins = new Set(opts.origins);
  const allowHeaders = [...new Set([...protocolRequestHeaders, ...opts.headers.map((h) => h.toLowerCase())])].join(", ");
  return (req, res) => {
    const origin = req.headers.origin;
    // The answer depends on Origin, so caches must key on it, allowed or not.
    res.setHeader("vary", "Origin");
    const allowed = typeof origin === "string" && (anyOrigin || origins.has(origin));
    if (allowed) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("access-control-allow-credentials", "true");
      res.setHeader("access-control-expose-headers", exposedHeaders);
    }
    const preflight = req.method === "OPTIONS" && origin !== undefined && req.headers["access-control-request-method"] !== undefined;
    if (!preflight) {
      handler(req, res);
      return;
    }
    // Answered here: no route (Connect's or REST's) serves OPTIONS.
    if (allowed) {
      res.setHeader("access-control-allow-methods", allowedMethods);
      res.setHeader("access-control-allow-headers", allowHeaders);
      res.setHeader("access-control-max-age", maxAgeSeconds);
    }
    res.statusCode = 204;
    res.end();
  };
}
