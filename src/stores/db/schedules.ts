// The schedule runner's storage: active schedulable entities, fire times and the runner lease. I/O only.
import type { SqlEngine } from "./engine";
import { schedulableEntities, scheduleFireTimes, schedulerLeases } from "./schema";
import { TableWriter } from "./raw-sql";
import { readerOf } from "./rows";
import { type ScheduleStore, scheduleKeyText } from "../../ports/schedules";

const readSchedule = readerOf(schedulableEntities);
const readFireTime = readerOf(scheduleFireTimes);
const leases = new TableWriter(schedulerLeases);

// Raised only: a replica with an older tick never lowers what another recorded.
const markFiredSql = `INSERT INTO schedule_fire_times (project, domain, name, version, last_fired_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (project, domain, name, version) DO UPDATE SET last_fired_at = CASE
  WHEN excluded.last_fired_at > schedule_fire_times.last_fired_at THEN excluded.last_fired_at ELSE schedule_fire_times.last_fired_at END`;

// One statement: insert, or take over when ours or expired; RETURNING is empty when another holds it.
const acquireSql = `INSERT INTO scheduler_leases (name, holder, expires_at) VALUES (?, ?, ?)
  ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
  WHERE scheduler_leases.holder = excluded.holder OR scheduler_leases.expires_at <= ?
  RETURNING holder`;

export function scheduleStore(db: SqlEngine): ScheduleStore {
  return {
    async listActive() {
      const rows = (await db.query("SELECT * FROM schedulable_entities WHERE active = 1", [])).map(readSchedule);
      return rows.map((r) => ({
        project: r.project,
        domain: r.domain,
        name: r.name,
        version: r.version,
        cronExpression: r.cronExpression,
        fixedRateValue: r.fixedRateValue,
        unit: r.unit,
        kickoffTimeInputArg: r.kickoffTimeInputArg ?? "",
        updatedAtMs: Date.parse(r.updatedAt),
      }));
    },

    async lastFired() {
      const rows = (await db.query("SELECT * FROM schedule_fire_times", [])).map(readFireTime);
      return new Map(rows.map((r) => [scheduleKeyText(r), r.lastFiredAt * 1000]));
    },

    async markFired(key, tickMs) {
      const lastFiredAt = Math.floor(tickMs / 1000);
      await db.exec(markFiredSql, [key.project, key.domain, key.name, key.version, lastFiredAt]);
    },

    async acquireLease(name, holder, nowMs, durationMs) {
      const rows = await db.query(acquireSql, [name, holder, nowMs + durationMs, nowMs]);
      return rows.length === 1 && rows[0]?.holder === holder;
    },

    async releaseLease(name, holder) {
      await leases.delete(db, { name, holder });
    },
  };
}
