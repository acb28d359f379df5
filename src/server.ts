// The composition root: opens the database, builds managers and services, and puts the edge in front.
import { readFileSync } from "node:fs";
import { createRouterTransport, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { getRequestListener } from "@hono/node-server";
import type { Hono } from "hono";
import type { Config } from "./config/schema";
import type { Logger } from "./kernel/log";
import { databaseOptions, openDatabase, type Database } from "./stores/db/client";
import { redactUrl } from "./kernel/redact-url";
import { migrateUp } from "./stores/db/migrate";
import { createBlobStore } from "./stores/blob";
import { buildServiceImpls } from "./compose/service-impls";
import { createApp } from "./edge/app";
import { mountBlobRoutes } from "./edge/blob-routes";
import { SignedBlobs } from "./domain/dataproxy/signed-blobs";
import { flyteServices, routes } from "./edge/routes";
import { edgeTimeouts, listen, type RequestHandler, type TlsFiles } from "./edge/listen";
import { Metrics } from "./edge/metrics";
import { edgeInterceptor } from "./edge/interceptors/edge";
import { withCallOrigin } from "./edge/access-log";
import { grpcUnaryHandler } from "./edge/grpc-unary";
import { withCors } from "./edge/cors";
import { PluginId, PluginRegistry } from "./plugins/registry";
import { buildAuth, checkAuthSettings } from "./compose/auth";
import { startScheduler } from "./scheduler";
import { scheduleStore } from "./stores/db/schedules";
import { buildController, refreshMs } from "./cluster/resources/start";
import { errorText } from "./kernel/errors";

type NodeHandlerFn = NonNullable<Parameters<typeof connectNodeAdapter>[0]["fallback"]>;

export interface RunningServer {
  /** Bound ports: [httpPort, grpc.port] (equal when they share one listener). */
  ports: number[];
  database: Database;
  metrics: Metrics;
  /** Graceful stop: no new connections, in-flight calls finish (bounded), database closed. */
  close(): Promise<void>;
}

function tlsFiles(config: Config): TlsFiles | undefined {
  const { secure, ssl } = config.server.security;
  if (!secure) return undefined;
  if (!ssl.certificateFile || !ssl.keyFile) {
    throw new Error("server.security.secure needs server.security.ssl.certificateFile and keyFile");
  }
  return { cert: readFileSync(ssl.certificateFile), key: readFileSync(ssl.keyFile) };
}

/** cluster_resources.inServe: the sync loop beside the server; without a cluster it is only a warning, serve goes on. */
function startClusterResources(config: Config, database: Database, metrics: Metrics, log: Logger): AbortController | undefined {
  let controller: ReturnType<typeof buildController>;
  try {
    controller = buildController(config, database.db, log);
  } catch (e) {
    log.warn("cluster_resources.inServe: no cluster to sync resources to", { error: errorText(e) });
    return undefined;
  }
  metrics.addCollector(() => controller.metrics.exposition());
  const stop = new AbortController();
  void controller.run(refreshMs(config), stop.signal).catch((e: unknown) => log.error("cluster resources: sync loop stopped", { error: errorText(e) }));
  return stop;
}

/** `plugins` replace or add parts as upstream's registry does; it is read once, here. */
export async function startServer(config: Config, log: Logger, plugins: PluginRegistry = new PluginRegistry()): Promise<RunningServer> {
  const tls = tlsFiles(config);
  checkAuthSettings(config);
  const database = await openDatabase(databaseOptions(config.database, log));
  try {
    if (config.database.migrateOnStart) {
      const ran = await migrateUp(database.db);
      if (ran.length > 0) log.info("applied migrations", { migrations: ran });
    }
    const metrics = new Metrics();
    const blobs = createBlobStore(config);
    const auth = config.server.security.useAuth ? await buildAuth(config, database, log, plugins) : undefined;
    // The runner is started once the managers exist; activations reach it through this late-bound poke.
    let schedulesChanged = () => {};
    const { impls, managers } = buildServiceImpls(config, database, blobs, log, plugins, auth?.services, {
      onSchedulesChanged: () => schedulesChanged(),
    });
    // Ours outermost, so request ids, the access log, metrics and recovery also cover the plugins' and
    // auth's refusals; authentication before the plugins' middleware and the policy after it, as upstream orders them.
    // Without plugin middleware between them, authentication is the edge interceptor's guard: no layer of its own.
    const middleware = plugins.get(PluginId.UnaryServiceMiddleware);
    const separate = auth !== undefined && middleware.length > 0;
    const interceptors: Interceptor[] = [
      edgeInterceptor(metrics, log, config.logger.accessLog, separate ? undefined : auth?.guard),
      ...(separate ? [auth.authenticate] : []),
      ...middleware,
      ...(auth ? [auth.authorize] : []),
    ];
    // Additional services get REST routes too where their methods carry google.api.http options.
    const described = [...flyteServices, ...plugins.get(PluginId.AdditionalGRPCService).map((a) => a.service)];
    const limits = {
      readMaxBytes: config.server.grpc.maxMessageSizeBytes,
      writeMaxBytes: config.server.grpc.maxMessageSizeBytes,
      // Unknown JSON fields are refused, as upstream's gateway does for application/json: a typo in a
      // field name should fail loudly, not be dropped.
      jsonOptions: { ignoreUnknownFields: false },
    };
    const routeFn = routes(impls);
    const transport = createRouterTransport(routeFn, { router: { interceptors, ...limits } });
    const { app } = createApp({
      services: described,
      transport,
      metrics,
      log,
      healthy: () => database.ping(),
      maxBodyBytes: config.server.grpc.maxMessageSizeBytes,
      accessLog: config.logger.accessLog,
      headerMatcher: plugins.get(PluginId.CustomerHeaderMatcher),
      extraRoutes: [
        ...(blobs.local
          ? [(app: Hono) => mountBlobRoutes(app, new SignedBlobs(blobs.local!.store, blobs.local!.signer, config.server.dataProxy.upload.maxSizeBytes))]
          : []),
        ...(auth?.routes ?? []),
      ],
    });
    const connectHandler = connectNodeAdapter({
      routes: routeFn,
      interceptors,
      ...limits,
      // The two libraries type node's response slightly differently; both take http and http2 objects.
      fallback: getRequestListener(app.fetch) as unknown as NodeHandlerFn,
    }) as RequestHandler;
    // Native gRPC unary calls take the lean path; everything else goes through Connect.
    const grpcUnary = grpcUnaryHandler(routeFn, { interceptors, readMaxBytes: limits.readMaxBytes, writeMaxBytes: limits.writeMaxBytes });
    const route: RequestHandler = (req, res) => {
      if (!grpcUnary(req, res)) connectHandler(req, res);
    };
    // The access log names each call's protocol and client; without it, no per-request context.
    const serve = config.logger.accessLog ? withCallOrigin(route) : route;
    // CORS in front of everything, so Connect and gRPC-web answer browsers as REST does.
    const { allowCors, allowedOrigins, allowedHeaders } = config.server.security;
    const handler = allowCors ? withCors(serve, { origins: allowedOrigins, headers: allowedHeaders }) : serve;
    const listeners = await listen({
      host: config.server.host,
      ports: [config.server.httpPort, config.server.grpc.port],
      handler,
      tls,
      log,
      timeouts: edgeTimeouts(config.server),
      maxConnections: config.server.maxConnections,
    });
    const { scheduler: schedulerConfig } = config;
    const scheduler =
      schedulerConfig.enabled && schedulerConfig.eventScheduler.scheme === "local"
        ? startScheduler({ config: schedulerConfig, store: scheduleStore(database.db), createExecution: (r) => managers.executions.create(r), log })
        : undefined;
    if (scheduler) {
      schedulesChanged = () => scheduler.poke();
      metrics.addCollector(() => scheduler.runner.metrics.exposition());
    }
    const clusterResources = config.cluster_resources.inServe ? startClusterResources(config, database, metrics, log) : undefined;
    log.info("serving", { ports: listeners.ports, tls: Boolean(tls), database: redactUrl(database.url), scheduler: Boolean(scheduler) });
    return {
      ports: listeners.ports,
      database,
      metrics,
      async close() {
        await scheduler?.stop(); // its lease released, so another replica's runner takes over at once
        clusterResources?.abort();
        await listeners.close(config.server.gracefulShutdownTimeoutSeconds * 1000);
        // The checkpoint leaves a complete .db file, so copying it alone is a backup.
        await database.checkpointAndClose();
      },
    };
  } catch (e) {
    await database.close();
    throw e;
  }
}
