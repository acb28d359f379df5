// Launch plan rows, activation switching and schedulable entities: I/O only.
import { and, eq as deq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { launchPlans, schedulableEntities } from "./schema";
import { dbError } from "./errors";
import { whereSql, orderSql } from "./list-sql";
import type { SqlRow } from "./raw-sql";
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

const keyWhere = (k: EntityKey) =>
  and(deq(launchPlans.project, k.project), deq(launchPlans.domain, k.domain), deq(launchPlans.name, k.name), deq(launchPlans.version, k.version));

const scheduleWhere = (k: EntityKey) =>
  and(
    deq(schedulableEntities.project, k.project),
    deq(schedulableEntities.domain, k.domain),
    deq(schedulableEntities.name, k.name),
    deq(schedulableEntities.version, k.version),
  );

/** Upstream always joins workflows for launch plan lists; filters name their table. */
async function listJoined(db: Db, q: ListQuery): Promise<LaunchPlanRecord[]> {
  const where = whereSql(q.filters, (f) => (f.entity === "workflow" ? "workflows" : "launch_plans"));
  const order = q.order ? sql` ORDER BY ${orderSql(q.order, "launch_plans")}` : sql``;
  const page = pageSql({ ...q, order: undefined });
  const rows = await db.all<SqlRow>(sql`SELECT launch_plans.* FROM launch_plans
    INNER JOIN workflows ON launch_plans.workflow_id = workflows.id${where ? sql` WHERE ${where}` : sql``}${order}${page}`);
  return rows.map((r) => fromRow(readRow(r)));
}

export function launchPlanStore(db: Db): LaunchPlanStore {
  return {
    async create(lp) {
      const now = new Date().toISOString();
      try {
        await db.insert(launchPlans).values({
          project: lp.project,
          domain: lp.domain,
          name: lp.name,
          version: lp.version,
          spec: Buffer.from(lp.spec),
          closure: Buffer.from(lp.closure),
          workflowId: lp.workflowId,
          state: lp.state,
          digest: Buffer.from(lp.digest),
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
        for (const k of change.unschedule) {
          await tx.update(schedulableEntities).set({ active: false, updatedAt: now }).where(scheduleWhere(k));
        }
        if ("deactivateOnly" in change) {
          await tx.update(launchPlans).set({ state: 0, updatedAt: now }).where(keyWhere(change.deactivateOnly));
          return;
        }
        if (change.deactivate) await tx.update(launchPlans).set({ state: 0, updatedAt: now }).where(keyWhere(change.deactivate));
        await tx.update(launchPlans).set({ state: 1, updatedAt: now }).where(keyWhere(change.activate));
        if (change.schedule) {
          const s = change.schedule;
          const values = {
            cronExpression: s.cronExpression,
            fixedRateValue: s.fixedRateValue,
            unit: s.unit,
            kickoffTimeInputArg: s.kickoffTimeInputArg,
            active: true,
            updatedAt: now,
          };
          await tx
            .insert(schedulableEntities)
            .values({ project: s.project, domain: s.domain, name: s.name, version: s.version, ...values, createdAt: now })
            .onConflictDoUpdate({
              target: [schedulableEntities.project, schedulableEntities.domain, schedulableEntities.name, schedulableEntities.version],
              set: values,
            });
        }
      });
    },
  };
}
