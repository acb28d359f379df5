// The runner on a timer: startScheduler builds it from the `scheduler.*` config and turns it whenever
// it is due, until stop(). In serve, poke() after an activation makes it re-read the schedules at once.
import { hostname } from "node:os";
import type { Config } from "../config/schema";
import { parseGoDuration } from "../kernel/duration";
import { errorText } from "../kernel/errors";
import type { Logger } from "../kernel/log";
import type { ExecutionCreateRequest } from "../gen/flyteidl/admin/execution_pb";
import type { ScheduleStore } from "../ports/schedules";
import { type RunnerSettings, ScheduleRunner } from "./runner";

export interface Timer {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimer: Timer = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface SchedulerDeps {
  config: Config["scheduler"];
  store: ScheduleStore;
  /** ExecutionManager.create, or anything that creates an execution the same way. */
  createExecution(req: ExecutionCreateRequest): Promise<unknown>;
  log: Logger;
  now?: () => number;
  timer?: Timer;
  /** This runner's name in the lease; default host:pid:random. */
  holder?: string;
  /** Overrides of the settings the config does not expose (tests). */
  settings?: Partial<RunnerSettings>;
}

export interface SchedulerHandle {
  runner: ScheduleRunner;
  /** Re-read the schedules now (an activation or deactivation happened). */
  poke(): void;
  /** Stops turning, waits for a turn under way and gives the lease up. */
  stop(): Promise<void>;
}

const ms = (d: string) => parseGoDuration(d) ?? 0;

export function runnerSettings(config: Config["scheduler"], holder: string): RunnerSettings {
  const local = config.workflowExecutor.local;
  return {
    holder,
    leaseName: "schedule-runner",
    leaseMs: ms(config.lease.duration),
    renewMs: ms(config.lease.renewInterval),
    pollMs: ms(config.pollInterval),
    catchUp: { policy: config.catchUp, windowMs: ms(config.catchUpWindow), graceMs: 60_000 },
    defaultZone: local.useUTCTz ? "UTC" : undefined,
    tps: local.adminRateLimit.tps,
    burst: local.adminRateLimit.burst,
    backoffBaseMs: 1_000,
    backoffMaxMs: 300_000,
    concurrency: 16,
  };
}

export function startScheduler(deps: SchedulerDeps): SchedulerHandle {
  const timer = deps.timer ?? realTimer;
  const holder = deps.holder ?? `${hostname()}:${process.pid}:${crypto.randomUUID().slice(0, 8)}`;
  const runner = new ScheduleRunner(
    { store: deps.store, createExecution: deps.createExecution, now: deps.now ?? Date.now, log: deps.log },
    { ...runnerSettings(deps.config, holder), ...deps.settings },
  );
  let handle: unknown;
  let turning: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  const turn = () => {
    handle = undefined;
    turning = (async () => {
      let wait = 1_000;
      try {
        wait = await runner.runOnce();
      } catch (e) {
        deps.log.error("scheduler: turn failed", { error: errorText(e) });
      }
      turning = undefined;
      if (stopped) return;
      handle = timer.set(turn, again ? 0 : wait);
      again = false;
    })();
  };

  handle = timer.set(turn, 0);
  return {
    runner,
    poke() {
      runner.askReload();
      if (stopped) return;
      if (turning) again = true;
      else {
        if (handle !== undefined) timer.clear(handle);
        handle = timer.set(turn, 0);
      }
    },
    async stop() {
      stopped = true;
      if (handle !== undefined) timer.clear(handle);
      await turning;
      await runner.release();
    },
  };
}
