// The schedule runner's own tables (re-exported by schema.ts, the one schema drizzle-kit reads).
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * When each launch plan version's schedule last fired, epoch seconds of the tick (not of the create):
 * where catch-up and a fixed rate's phase start after a restart. One row per version, raised only,
 * in place of upstream's appended gob snapshots.
 */
export const scheduleFireTimes = sqliteTable(
  "schedule_fire_times",
  {
    project: text("project").notNull(),
    domain: text("domain").notNull(),
    name: text("name").notNull(),
    version: text("version").notNull(),
    lastFiredAt: integer("last_fired_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.project, t.domain, t.name, t.version] })],
);

/** Who runs the schedules: one holder per lease name until `expires_at` (epoch ms) unless renewed. */
export const schedulerLeases = sqliteTable("scheduler_leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  expiresAt: integer("expires_at").notNull(),
});
