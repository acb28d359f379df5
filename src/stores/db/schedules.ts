// The schedule runner's storage: active schedulable entities, fire times and the runner lease. I/O only.
import { eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { scheduleFireTimes, schedulableEntities, schedulerLeases } from "./schema";
import { type ScheduleStore, scheduleKeyText } from "../../ports/schedules";

export function scheduleStore(db: Db): ScheduleStore {
  return {
    async listActive() {
      const rows = await db.select().from(schedulableEntities).where(eq(schedulableEntities.active, true));
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
      const rows = await db.select().from(scheduleFireTimes);
      return new Map(rows.map((r) => [scheduleKeyText(r), r.lastFiredAt * 1000]));
    },

    async markFired(key, tickMs) {
      const lastFiredAt = Math.floor(tickMs / 1000);
      await db
        .insert(scheduleFireTimes)
        .values({ project: key.project, domain: key.domain, name: key.name, version: key.version, lastFiredAt })
        .onConflictDoUpdate({
          target: [scheduleFireTimes.project, scheduleFireTimes.domain, scheduleFireTimes.name, scheduleFireTimes.version],
          set: { lastFiredAt: sql`max(${scheduleFireTimes.lastFiredAt}, excluded.last_fired_at)` },
        });
    },

    async acquireLease(name, holder, nowMs, durationMs) {
      // One statement: insert, or take over when ours or expired; RETURNING is empty when another holds it.
      const rows = await db
        .insert(schedulerLeases)
        .values({ name, holder, expiresAt: nowMs + durationMs })
        .onConflictDoUpdate({
          target: schedulerLeases.name,
          set: { holder, expiresAt: nowMs + durationMs },
          setWhere: sql`${schedulerLeases.holder} = ${holder} OR ${schedulerLeases.expiresAt} <= ${nowMs}`,
        })
        .returning({ holder: schedulerLeases.holder });
      return rows.length === 1 && rows[0]?.holder === holder;
    },

    async releaseLease(name, holder) {
      await db.delete(schedulerLeases).where(sql`${schedulerLeases.name} = ${name} AND ${schedulerLeases.holder} = ${holder}`);
    },
  };
}
