// grpc.health.v1.Health: "" and "flyteadmin" (what upstream's scheduler precheck asks), the health
// service itself and every service the caller names as served are SERVING while the probe (the
// database answering) says so; anything else is unknown (NOT_FOUND from Check).
// Semantics follow https://github.com/grpc/grpc/blob/master/doc/health-checking.md.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import {
  Health,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as Status,
  HealthListResponseSchema,
  type HealthCheckResponse,
} from "../gen/grpc/health/v1/health_pb";

/** Resolves true while the server can do its work (e.g. the database answers). */
export type HealthProbe = () => Promise<boolean>;

export interface HealthOptions {
  /** Fully qualified names of the served services; "", "flyteadmin" and grpc.health.v1.Health are always known. */
  services?: string[];
  /** How often Watch re-probes; default 5000. */
  watchIntervalMs?: number;
  /**
   * The server's shutdown signal for the current call. Once aborted, statuses are NOT_SERVING and
   * Watch streams end with Unavailable instead of holding the server's grace period.
   */
  shutdown?: () => AbortSignal | undefined;
}

const shuttingDown = () => new ConnectError("server is shutting down", Code.Unavailable);

export function healthService(probe: HealthProbe, opts: HealthOptions = {}): ServiceImpl<typeof Health> {
  const known = new Set(["", "flyteadmin", Health.typeName, ...(opts.services ?? [])]);
  const interval = opts.watchIntervalMs ?? 5000;
  const overall = async (stop: AbortSignal | undefined) => (!stop?.aborted && (await safeProbe(probe)) && !stop?.aborted ? Status.SERVING : Status.NOT_SERVING);
  const statusOf = async (service: string, stop: AbortSignal | undefined) => (known.has(service) ? overall(stop) : Status.SERVICE_UNKNOWN);
  return {
    async check(req) {
      // The spec wants NOT_FOUND (not SERVICE_UNKNOWN) from Check for services the server does not know.
      if (!known.has(req.service)) throw new ConnectError(`unknown service ${req.service}`, Code.NotFound);
      return response(await overall(opts.shutdown?.()));
    },
    async *watch(req, ctx) {
      // First message at once, then only changes; an unknown service stays open as SERVICE_UNKNOWN (per spec).
      const stop = opts.shutdown?.();
      let last: Status | undefined;
      while (!ctx.signal.aborted) {
        const now = await statusOf(req.service, stop);
        if (now !== last && !ctx.signal.aborted) yield response(now);
        last = now;
        // Watchers learn the server is going (NOT_SERVING above), then the stream ends so it can stop.
        if (stop?.aborted) throw shuttingDown();
        await sleep(interval, ctx.signal, stop);
      }
    },
    async list() {
      const status = await overall(opts.shutdown?.());
      const statuses = Object.fromEntries([...known].map((s) => [s, response(status)]));
      return create(HealthListResponseSchema, { statuses });
    },
  };
}

const response = (status: Status): HealthCheckResponse => create(HealthCheckResponseSchema, { status });

/** A probe that throws means "not serving", never a failed health RPC. */
async function safeProbe(probe: HealthProbe): Promise<boolean> {
  try {
    return await probe();
  } catch {
    return false;
  }
}

/** Waits ms, or less if a signal aborts; removes its listeners so long watches do not pile them up. */
function sleep(ms: number, ...signals: Array<AbortSignal | undefined>): Promise<void> {
  const live = signals.filter((s): s is AbortSignal => s !== undefined);
  return new Promise((resolve) => {
    if (live.some((s) => s.aborted)) return resolve();
    const done = () => {
      clearTimeout(timer);
      for (const s of live) s.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const s of live) s.addEventListener("abort", done, { once: true });
  });
}
