// When a schedule fires, pure: cron ticks in the schedule's zone, fixed-rate ticks on the grid of the last
// fired time (so a restart keeps the phase), and which missed ticks catch-up fires.
import { cronTicks, parseCronSpec } from "../domain/launchplans/cron";
import type { ScheduleRecord } from "../ports/launchplans";

export interface Ticker {
  /** The first tick strictly after `afterMs`, or undefined when there is none. */
  next(afterMs: number): number | undefined;
}

const unitMs = [60_000, 3_600_000, 86_400_000];

/**
 * The ticker of a schedule. `anchorMs`: a time on a fixed rate's grid (its last fired tick, or activation).
 * `defaultZone`: undefined for the process's zone, "UTC" with useUTCTz. Throws an Error naming the fault.
 */
export function tickerOf(s: ScheduleRecord, anchorMs: number, defaultZone: string | undefined): Ticker {
  if (s.cronExpression) {
    return { next: cronTicks(parseCronSpec(s.cronExpression), defaultZone) };
  }
  const unit = unitMs[s.unit ?? -1];
  if (!s.fixedRateValue || s.fixedRateValue <= 0 || unit === undefined) throw new Error(`invalid fixed rate ${s.fixedRateValue} unit ${s.unit}`);
  const period = s.fixedRateValue * unit;
  return { next: (after) => anchorMs + (Math.floor((after - anchorMs) / period) + 1) * period };
}

export type CatchUp = "last" | "all" | "none";

export interface DuePlan {
  /** Ticks to fire now, oldest first. */
  fire: number[];
  /** The latest tick at or before now (fired or deliberately skipped): where the schedule resumes. */
  handledUntil: number | undefined;
  /** Missed ticks inside the window left unfired by the policy (those before the window are not counted). */
  skipped: number;
}

export interface CatchUpRules {
  policy: CatchUp;
  /** Ticks older than this are never fired. */
  windowMs: number;
  /** A tick no older than this is on time, fired under every policy. */
  graceMs: number;
}

/** The ticks in (fromMs, nowMs] and what to do with them; at most `maxTicks` are looked at from the window's start. */
export function duePlan(ticker: Ticker, fromMs: number, nowMs: number, rules: CatchUpRules, maxTicks = 100_000): DuePlan {
  const windowStart = nowMs - rules.windowMs;
  // Ticks before the window are neither fired nor enumerated: start from the window when it is later.
  let t = ticker.next(Math.max(fromMs, windowStart - 1));
  const onTime: number[] = [];
  const missed: number[] = [];
  let handledUntil: number | undefined;
  for (let n = 0; t !== undefined && t <= nowMs && n < maxTicks; n++) {
    if (nowMs - t <= rules.graceMs) onTime.push(t);
    else missed.push(t);
    handledUntil = t;
    t = ticker.next(t);
  }
  let keep: number[] = [];
  if (rules.policy === "all") keep = missed;
  else if (rules.policy === "last" && onTime.length === 0 && missed.length > 0) keep = missed.slice(-1);
  return { fire: [...keep, ...onTime], handledUntil, skipped: missed.length - keep.length };
}
