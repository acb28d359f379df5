// What the schedule runner needs from storage: the active schedules (written by launch plan activation),
// when each last fired, and the lease that lets one runner per deployment fire. stores/db implements it.
import type { EntityKey } from "./common";
import type { ScheduleRecord } from "./launchplans";

/** An active schedulable entity as the runner reads it. */
export interface ActiveSchedule extends ScheduleRecord {
  /** When the row was last written (activation), epoch ms: where a schedule that never fired starts. */
  updatedAtMs: number;
}

export interface ScheduleStore {
  /** Every schedule whose launch plan version is active. */
  listActive(): Promise<ActiveSchedule[]>;
  /** The last fired tick of every version that ever fired, epoch ms, keyed by `scheduleKeyText`. */
  lastFired(): Promise<Map<string, number>>;
  /** Records a fired tick; never lowers what is stored (catch-up and a late replica cannot move it back). */
  markFired(key: EntityKey, tickMs: number): Promise<void>;
  /**
   * Takes or renews the lease `name` for `holder` until `nowMs + durationMs`: true when `holder` holds it
   * afterwards, i.e. it was free, expired or already `holder`'s. Of racing callers exactly one wins.
   */
  acquireLease(name: string, holder: string, nowMs: number, durationMs: number): Promise<boolean>;
  /** Gives the lease up at once (a clean stop), so a successor need not wait for it to expire. */
  releaseLease(name: string, holder: string): Promise<void>;
}

export const scheduleKeyText = (k: EntityKey): string => `${k.project}:${k.domain}:${k.name}:${k.version}`;
