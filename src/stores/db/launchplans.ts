// Launch plan rows, activation switching and schedulable entities: I/O only.
import { sql } from "drizzle-orm";
import type { SqlEngine } from "./engine";
import { launchPlans, schedulableEntities } from "./schema";
import { dbError } from "./errors";
import { whereSql, orderSql } from "./list-sql";
import { TableWriter, type SqlRow } from "./raw-sql";
import { bytes, readerOf } from "./rows";
import { getByKey, listNames, listRows, pageSql } from "./versioned";
import { eq } from "../../kernel/lists/filters";
import type { EntityKey, ListQuery } from "../../ports/common";
import type { LaunchPlanRecord, LaunchPlanStore } from "../../ports/launchplans";

type Row = typeof launchPlans.$inferSelect;
const readRow = readerOf(launchPlans);

function fromRow(r: Row): LaunchPlanRecord {
  return {
    id: r.id,
    project: r.project,
    domain: r.domain,
    name: r.name,
    version: r.version,
    spec: bytes(r.spec),
    closure: bytes(r.closure),
    workflowId: r.workflowId,
    state: r.state,
    digest: bytes(r.digest),
    scheduleType: r.scheduleType as LaunchPlanRecord["scheduleType"],
    launchConditionType: r.launchConditionType,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

const keyWhere = (k: EntityKey) => ({ project: k.project, domain: k.domain, name: k.name, version: k.version });
const writer = new TableWriter(launchPlans);
const schedules = new TableWriter(schedulableEntities);

const lockNameSql = "SELECT id FROM launch_plans WHERE project = ? AND domain = ? AND name = ? ORDER BY id FOR UPDATE";
const deactivateOthersSql = "UPDATE launch_plans SET state = 0, updated_at = ? WHERE project = ? AND domain = ? AND name = ? AND version <> ? AND state = 1";
const unscheduleOthersSql =
  "UPDATE schedulable_entities SET active = 0, updated_at = ? WHERE project = ? AND domain = ? AND name = ? AND version <> ? AND active = 1";

// One statement either engine runs atomically: insert, or on the version's unique key switch it back on.
const scheduleUpsertSql = `INSERT INTO schedulable_entities (project, domain, name, version, cron_expression, fixed_rate_value, unit,
  kickoff_time_input_arg, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
  ON CONFLICT (project, domain, name, version) DO UPDATE SET cron_expression = excluded.cron_expression,
  fixed_rate_value = excluded.fixed_rate_value, unit = excluded.unit, kickoff_time_input_arg = excluded.kickoff_time_input_arg,
  active = 1, updated_at = excluded.updated_at`;

/** Upstream always joins workflows for launch plan lists; filters name their table. */
async function listJoined(db: SqlEngine, q: ListQuery): Promise<LaunchPlanRecord[]> {
  const where = whereSql(q.filters, (f) => (f.entity === "workflow" ? "workflows" : "launch_plans"));
  const order = q.order ? sql` ORDER BY ${orderSql(q.order, "launch_plans")}` : sql``;
  const page = pageSql({ ...q, order: undefined });
  const rows = await db.all<SqlRow>(sql`SELECT launch_plans.* FROM launch_plans
    INNER JOIN workflows ON launch_plans.workflow_id = workflows.id${where ? sql` WHERE ${where}` : sql``}${order}${page}`);
  return rows.map((r) => fromRow(readRow(r)));
}

export function launchPlanStore(db: SqlEngine): LaunchPlanStore {
  return {
    async create(lp) {
      const now = new Date().toISOString();
      try {
        await writer.insert(db, {
          project: lp.project,
          domain: lp.domain,
          name: lp.name,
          version: lp.version,
          spec: lp.spec,
          closure: lp.closure,
          workflowId: lp.workflowId,
          state: lp.state,
          digest: lp.digest,
          scheduleType: lp.scheduleType,
          launchConditionType: lp.launchConditionType,
          createdAt: now,
          updatedAt: now,
        });
      } catch (e) {
        throw dbError(e, "launch_plans_pkey");
      }
    },

    async get(key) {
      const row = await getByKey(db, launchPlans, key);
      return row && fromRow(row);
    },

    list: (q) => listJoined(db, q),

    listNames: (q) => listNames(db, launchPlans, q),

    async findActive(project, domain, name) {
      const filters = [
        eq("launch_plan", "project", project),
        eq("launch_plan", "domain", domain),
        eq("launch_plan", "name", name),
        eq("launch_plan", "state", "1"),
      ];
      return (await listRows(db, launchPlans, { filters, limit: 1, offset: 0 })).map(fromRow)[0];
    },

    async setStates(change) {
      const now = new Date().toISOString();
      await db.transaction(async (tx) => {
        // Every change is to one name's versions; first lock them all (see the activation below).
        const named = "deactivateOnly" in change ? change.deactivateOnly : change.activate;
        const name = [named.project, named.domain, named.name];
        if (tx.dialect === "postgres") await tx.query(lockNameSql, name);
        for (const k of change.unschedule) await schedules.update(tx, { active: 0, updatedAt: now }, keyWhere(k));
        if ("deactivateOnly" in change) {
          await writer.update(tx, { state: 0, updatedAt: now }, keyWhere(change.deactivateOnly));
          return;
        }
        const k = change.activate;
        // The caller's read of the former active version may be stale (another replica activated since):
        // every other version goes inactive here. SQLite runs one write transaction at a time; PostgreSQL
        // (read committed) needs the name's rows locked, in id order, so concurrent activations queue (locked
        // first thing, before any row is updated, so two transactions never wait on each other).
        await tx.exec(deactivateOthersSql, [now, ...name, k.version]);
        await tx.exec(unscheduleOthersSql, [now, ...name, k.version]);
        await writer.update(tx, { state: 1, updatedAt: now }, keyWhere(k));
        if (change.schedule) {
          const s = change.schedule;
          await tx.exec(scheduleUpsertSql, [
            s.project,
            s.domain,
            s.name,
            s.version,
            s.cronExpression ?? null,
            s.fixedRateValue ?? null,
            s.unit ?? null,
            s.kickoffTimeInputArg ?? null,
            now,
            now,
          ]);
        }
      });
    },
  };
}
