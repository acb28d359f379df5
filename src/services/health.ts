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
}

export function healthService(probe: HealthProbe, opts: HealthOptions = {}): ServiceImpl<typeof Health> {
  const known = new Set(["", "flyteadmin", Health.typeName, ...(opts.services ?? [])]);
  const interval = opts.watchIntervalMs ?? 5000;
  const overall = async () => ((await safeProbe(probe)) ? Status.SERVING : Status.NOT_SERVING);
  const statusOf = async (service: string) => (known.has(service) ? overall() : Status.SERVICE_UNKNOWN);
  return {
    async check(req) {
      // The spec wants NOT_FOUND (not SERVICE_UNKNOWN) from Check for services the server does not know.
      if (!known.has(req.service)) throw new ConnectError(`unknown service ${req.service}`, Code.NotFound);
      return response(await overall());
    },
    async *watch(req, ctx) {
      // First message at once, then only changes; an unknown service stays open as SERVICE_UNKNOWN (per spec).
      let last: Status | undefined;
      while (!ctx.signal.aborted) {
        const now = await statusOf(req.service);
        if (now !== last && !ctx.signal.aborted) yield response(now);
        last = now;
        await sleep(interval, ctx.signal);
      }
    },
    async list() {
      const status = await overall();
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

/** Waits ms, or less if the signal aborts; removes its listener so long watches do not pile them up. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
