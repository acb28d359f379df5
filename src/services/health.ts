// grpc.health.v1.Health: "" and "flyteadmin" (what upstream's scheduler precheck asks) and every served
// service are SERVING while the probe (the database answering) says so.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ServiceImpl } from "@connectrpc/connect";
import {
  Health,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as Status,
  HealthListResponseSchema,
} from "../gen/grpc/health/v1/health_pb";

export type HealthProbe = () => Promise<boolean>;

export interface HealthOptions {
  /** Fully qualified names of the served services; "" and "flyteadmin" are always known. */
  services?: string[];
  watchIntervalMs?: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

export function healthService(probe: HealthProbe, opts: HealthOptions = {}): ServiceImpl<typeof Health> {
  const known = new Set(["", "flyteadmin", ...(opts.services ?? [])]);
  const interval = opts.watchIntervalMs ?? 5000;
  const status = async (service: string): Promise<Status> => {
    if (!known.has(service)) return Status.SERVICE_UNKNOWN;
    return (await probe()) ? Status.SERVING : Status.NOT_SERVING;
  };
  return {
    async check(req) {
      if (!known.has(req.service)) throw new ConnectError(`unknown service ${req.service}`, Code.NotFound);
      return create(HealthCheckResponseSchema, { status: await status(req.service) });
    },
    async *watch(req, ctx) {
      let last: Status | undefined;
      while (!ctx.signal.aborted) {
        const now = await status(req.service);
        if (now !== last) yield create(HealthCheckResponseSchema, { status: now });
        last = now;
        await sleep(interval, ctx.signal);
      }
    },
    async list() {
      const serving = (await probe()) ? Status.SERVING : Status.NOT_SERVING;
      const statuses = Object.fromEntries([...known].map((s) => [s, create(HealthCheckResponseSchema, { status: serving })]));
      return create(HealthListResponseSchema, { statuses });
    },
  };
}
