// The schedule runner's turn: hold the lease, read the active schedules, fire every due tick through
// CreateExecution, remember what fired. Clock-driven and timer-free, so a test advances time and calls
// runOnce; start.ts loops it on a real timer. A schedule that cannot be read or whose creates fail is
// logged with its launch plan id and set aside (with backoff); the others go on.
import { ErrorCode, errorText, hasCode } from "../kernel/errors";
import type { Logger } from "../kernel/log";
import type { ExecutionCreateRequest } from "../gen/flyteidl/admin/execution_pb";
import { type ActiveSchedule, type ScheduleStore, scheduleKeyText } from "../ports/schedules";
import { TokenBucket } from "./limiter";
import { SchedulerMetrics } from "./metrics";
import { tickRequest } from "./request";
import { type CatchUpRules, duePlan, type Ticker, tickerOf } from "./ticks";

export interface RunnerSettings {
  /** This runner's name in the lease row. */
  holder: string;
  leaseName: string;
  leaseMs: number;
  renewMs: number;
  pollMs: number;
  catchUp: CatchUpRules;
  /** Cron's zone when a schedule names none: undefined for the process's, "UTC" with useUTCTz. */
  defaultZone: string | undefined;
  tps: number;
  burst: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Schedules fired at once (each schedule's own ticks are always in order). */
  concurrency: number;
}

export interface RunnerDeps {
  store: ScheduleStore;
  /** The ExecutionManager's create (principal: none; the execution's mode says who started it). */
  createExecution(req: ExecutionCreateRequest): Promise<unknown>;
  now(): number;
  log: Logger;
}

interface Entry {
  record: ActiveSchedule;
  /** What the record says, to see a changed row on reload. */
  shape: string;
  ticker: Ticker | undefined;
  /** The latest tick handled (fired or skipped on purpose); where the next ticks are counted from. */
  lastMs: number;
  /** A tick whose create failed: retried first, whatever the catch-up policy. */
  pending: number | undefined;
  failures: number;
  retryAt: number;
}

const shapeOf = (r: ActiveSchedule) => JSON.stringify([r.cronExpression, r.fixedRateValue, r.unit, r.kickoffTimeInputArg, r.updatedAtMs]);
const lpId = (r: ActiveSchedule) => scheduleKeyText(r);
/** Answers that the same request would get again: the tick is skipped rather than retried. */
const permanent = [ErrorCode.InvalidArgument, ErrorCode.NotFound, ErrorCode.FailedPrecondition, ErrorCode.PermissionDenied];

export class ScheduleRunner {
  readonly metrics = new SchedulerMetrics();
  private holding = false;
  private leaseUntil = 0;
  private nextRenew = 0;
  private nextPoll = 0;
  private reloadAsked = true;
  private entries = new Map<string, Entry>();
  private readonly limiter: TokenBucket;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly settings: RunnerSettings,
  ) {
    this.limiter = new TokenBucket(settings.tps, settings.burst, deps.now());
  }

  get isHolder(): boolean {
    return this.holding;
  }

  /** Re-read the schedules at the next turn (an activation happened). */
  askReload(): void {
    this.reloadAsked = true;
  }

  /** One turn; the milliseconds until the next one is due. */
  async runOnce(): Promise<number> {
    const now = this.deps.now();
    if (now >= this.nextRenew) await this.renewLease(now);
    if (!this.holding) return this.settings.renewMs;
    if (this.reloadAsked || now >= this.nextPoll) await this.reload(now);
    const work = [...this.entries.values()].filter((e) => e.ticker && e.retryAt <= now);
    let next = 0;
    const worker = async () => {
      for (let e = work[next++]; e; e = work[next++]) await this.fire(e);
    };
    await Promise.all(Array.from({ length: Math.min(this.settings.concurrency, work.length) }, worker));
    return this.wait();
  }

  /** Gives the lease up (a clean stop). */
  async release(): Promise<void> {
    if (!this.holding) return;
    this.holding = false;
    this.entries.clear();
    await this.deps.store.releaseLease(this.settings.leaseName, this.settings.holder);
  }

  private async renewLease(now: number): Promise<void> {
    const s = this.settings;
    let held = false;
    try {
      held = await this.deps.store.acquireLease(s.leaseName, s.holder, now, s.leaseMs);
    } catch (e) {
      this.deps.log.error("scheduler: lease renewal failed", { holder: s.holder, error: errorText(e) });
    }
    if (held && !this.holding) this.deps.log.info("scheduler: lease taken", { holder: s.holder });
    if (!held && this.holding) this.deps.log.warn("scheduler: lease lost", { holder: s.holder });
    // Another holder may have fired meanwhile: a newly taken lease starts from the stored fire times.
    if (held !== this.holding) {
      this.entries.clear();
      this.reloadAsked = true;
    }
    this.holding = held;
    if (held) this.leaseUntil = now + s.leaseMs;
    this.nextRenew = now + s.renewMs;
  }

  private async reload(now: number): Promise<void> {
    let rows: ActiveSchedule[];
    let fired: Map<string, number>;
    try {
      [rows, fired] = await Promise.all([this.deps.store.listActive(), this.deps.store.lastFired()]);
    } catch (e) {
      this.deps.log.error("scheduler: reading schedules failed", { error: errorText(e) });
      this.nextPoll = now + this.settings.backoffBaseMs;
      return;
    }
    this.reloadAsked = false;
    this.nextPoll = now + this.settings.pollMs;
    const entries = new Map<string, Entry>();
    for (const record of rows) {
      const key = lpId(record);
      const old = this.entries.get(key);
      const stored = fired.get(key) ?? 0;
      if (old && old.shape === shapeOf(record)) {
        old.lastMs = Math.max(old.lastMs, stored);
        entries.set(key, old);
        continue;
      }
      // A version fires from its activation on: ticks before it (say, while it was inactive) are not missed.
      const lastMs = Math.max(record.updatedAtMs, stored);
      let ticker: Ticker | undefined;
      try {
        ticker = tickerOf(record, lastMs, this.settings.defaultZone);
      } catch (e) {
        this.metrics.failures++;
        this.deps.log.error("scheduler: schedule cannot run, skipped", { launchPlan: key, error: errorText(e) });
      }
      entries.set(key, { record, shape: shapeOf(record), ticker, lastMs, pending: undefined, failures: 0, retryAt: 0 });
    }
    this.entries = entries;
  }

  private async fire(e: Entry): Promise<void> {
    if (!e.ticker) return;
    const now = this.deps.now();
    const plan = duePlan(e.ticker, e.lastMs, now, this.settings.catchUp);
    const ticks = e.pending !== undefined && !plan.fire.includes(e.pending) ? [e.pending, ...plan.fire] : plan.fire;
    if (plan.skipped > 0 && e.pending === undefined) {
      this.metrics.skipped += plan.skipped;
      this.deps.log.info("scheduler: missed ticks not fired (catch-up policy)", { launchPlan: lpId(e.record), skipped: plan.skipped });
    }
    for (const tick of ticks) {
      const at = this.deps.now();
      if (at >= this.leaseUntil || !this.holding) return;
      if (!this.limiter.take(at)) return;
      if (!(await this.create(e, tick, at))) return;
    }
    if (plan.handledUntil !== undefined && plan.handledUntil > e.lastMs) await this.handled(e, plan.handledUntil);
  }

  /** True when the tick is done (created now or before). */
  private async create(e: Entry, tick: number, at: number): Promise<boolean> {
    try {
      await this.deps.createExecution(tickRequest(e.record, tick));
      this.metrics.created++;
    } catch (err) {
      if (permanent.some((code) => hasCode(err, code))) {
        // Refused on its merits (an archived project, a launch plan gone): retrying this tick cannot
        // help and would hold back the next ones, so it is skipped, as upstream ignores InactiveProject.
        this.metrics.failures++;
        this.deps.log.error("scheduler: scheduled execution refused, tick skipped", {
          launchPlan: lpId(e.record),
          tick: new Date(tick).toISOString(),
          error: errorText(err),
        });
        e.pending = undefined;
        await this.handled(e, tick);
        return true;
      }
      if (!hasCode(err, ErrorCode.AlreadyExists)) {
        e.failures++;
        e.pending = tick;
        const delay = Math.min(this.settings.backoffMaxMs, this.settings.backoffBaseMs * 2 ** (e.failures - 1));
        e.retryAt = at + delay;
        this.metrics.failures++;
        this.deps.log.error("scheduler: creating the scheduled execution failed", {
          launchPlan: lpId(e.record),
          tick: new Date(tick).toISOString(),
          retryInMs: delay,
          error: errorText(err),
        });
        return false;
      }
      this.metrics.alreadyDone++;
    }
    this.metrics.fired(this.deps.now() - tick);
    e.failures = 0;
    e.pending = undefined;
    e.retryAt = 0;
    await this.handled(e, tick);
    return true;
  }

  private async handled(e: Entry, tick: number): Promise<void> {
    e.lastMs = Math.max(e.lastMs, tick);
    try {
      await this.deps.store.markFired(e.record, e.lastMs);
    } catch (err) {
      // The deterministic name keeps a refire after a restart harmless; the next tick writes again.
      this.deps.log.warn("scheduler: recording the fire time failed", { launchPlan: lpId(e.record), error: errorText(err) });
    }
  }

  private wait(): number {
    const now = this.deps.now();
    let at = Math.min(this.nextRenew, this.nextPoll);
    for (const e of this.entries.values()) {
      if (!e.ticker) continue;
      const due = e.retryAt > now ? e.retryAt : e.pending !== undefined ? now : e.ticker.next(e.lastMs);
      if (due !== undefined) at = Math.min(at, due);
    }
    const throttle = this.limiter.waitMs();
    return Math.max(0, at - now, throttle > 0 && at <= now ? throttle : 0);
  }
}
