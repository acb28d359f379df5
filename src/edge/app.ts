// The Hono application: everything that is not a Connect/gRPC/gRPC-web call. REST gateway (derived
// from the descriptors), /healthcheck, /metrics, /api/v1/openapi. Connect itself is served by the node adapter in
// front of this app (see server.ts), because native gRPC needs HTTP/2 trailers a fetch Response lacks;
// CORS wraps both there (cors.ts), so this app has none of its own.
import { Hono } from "hono";
import { Code, type Transport } from "@connectrpc/connect";
import type { DescService } from "@bufbuild/protobuf";
import { gatewayError, mountRestGateway, type RestRoute } from "./rest";
import type { HeaderMatcher } from "./rest/headers";
import type { Metrics } from "./metrics";
import { openApiDocument } from "./openapi";
import { versionInfo } from "../kernel/version";
import { AdminError, errorText } from "../kernel/errors";
import type { Logger } from "../kernel/log";

export interface AppOptions {
  services: DescService[];
  /** In-process transport to the Connect router, so REST calls run the same interceptors. */
  transport: Transport;
  metrics: Metrics;
  healthy: () => Promise<boolean>;
  maxBodyBytes: number;
  log: Logger;
  /** REST calls write their access line (with the HTTP status) to `log`. */
  accessLog?: boolean;
  /** More REST headers to forward as call metadata (the CustomerHeaderMatcher plugin). */
  headerMatcher?: HeaderMatcher;
  /** Mounts more plain HTTP routes (e.g. the local blob store's signed-URL endpoints). */
  extraRoutes?: Array<(app: Hono) => void>;
}

export function createApp(opts: AppOptions): { app: Hono; restRoutes: RestRoute[] } {
  const app = new Hono();
  app.get("/healthcheck", async (c) => ((await opts.healthy()) ? c.body(null, 200) : c.text("database unavailable", 503)));
  app.get("/metrics", (c) => c.text(opts.metrics.render(), 200, { "content-type": "text/plain; version=0.0.4" }));
  let openapi: string | undefined; // built on first request, not at start-up
  app.get("/api/v1/openapi", (c) => {
    openapi ??= JSON.stringify(openApiDocument(opts.services, versionInfo.version));
    return c.body(openapi, 200, { "content-type": "application/json" });
  });
  for (const mount of opts.extraRoutes ?? []) mount(app);
  const restRoutes = mountRestGateway(app, opts.services, opts.transport, {
    maxBodyBytes: opts.maxBodyBytes,
    accessLog: opts.accessLog ? opts.log : undefined,
    headerMatcher: opts.headerMatcher,
  });
  app.notFound((c) => gatewayError(Code.NotFound, `Not Found: ${c.req.method} ${c.req.path}`));
  // Anything that escapes a route still answers in the gateway's error shape, with a message.
  // Its text may hold internals, so the caller gets a generic message and the log gets the detail.
  app.onError((e, c) => {
    // Our own refusals (a made-up Host on an auth route, say) keep their code and message.
    if (e instanceof AdminError) return gatewayError(e.code as number as Code, e.message);
    opts.log.error("request failed", { method: c.req.method, path: c.req.path, error: errorText(e), stack: e.stack });
    return gatewayError(Code.Internal, "internal error");
  });
  return { app, restRoutes };
}
