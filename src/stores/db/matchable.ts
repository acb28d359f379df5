// Matchable attribute rows (the resources table): I/O only.
import type { SqlEngine } from "./engine";
import { TableWriter } from "./raw-sql";
import { bytes, rowReader } from "./rows";
import { resources } from "./schema";
import type { ResourceRecord, ResourceStore } from "../../ports/matchable";

/** The columns a record holds, which the hand-written candidates query selects. */
const readRecord = rowReader(resources, ["project", "domain", "workflow", "launchPlan", "resourceType", "priority", "attributes"]);

const fromRow = (r: ReturnType<typeof readRecord>): ResourceRecord => ({
  project: r.project,
  domain: r.domain,
  workflow: r.workflow,
  launchPlan: r.launchPlan,
  resourceType: r.resourceType,
  priority: r.priority,
  attributes: bytes(r.attributes),
});

const writer = new TableWriter(resources);
const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");

const upsertSql = `INSERT INTO resources (project, domain, workflow, launch_plan, resource_type, priority, attributes, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project, domain, workflow, launch_plan, resource_type)
  DO UPDATE SET attributes = excluded.attributes, priority = excluded.priority, updated_at = excluded.updated_at`;
const exactSql = `SELECT ${readRecord.columns} FROM resources WHERE project = ? AND domain = ? AND workflow = ? AND launch_plan = ? AND resource_type = ? LIMIT 1`;

/** A column matches its value or "" (any). */
const orAny = (v: string) => (v === "" ? [""] : ["", v]);

export function resourceStore(db: SqlEngine): ResourceStore {
  return {
    async upsert(r) {
      const now = new Date().toISOString();
      await db.exec(upsertSql, [r.project, r.domain, r.workflow, r.launchPlan, r.resourceType, r.priority, r.attributes, now, now]);
    },
    async getExact(k) {
      const [row] = await db.query(exactSql, [k.project, k.domain, k.workflow, k.launchPlan, k.resourceType]);
      return row && fromRow(readRecord(row));
    },
    async matching(k) {
      const [project, domain, workflow, launchPlan] = [orAny(k.project), orAny(k.domain), orAny(k.workflow), orAny(k.launchPlan)];
      const rows = await db.query(
        `SELECT ${readRecord.columns} FROM resources WHERE resource_type = ? AND project IN (${marks(project.length)}) AND domain IN (${marks(domain.length)}) AND workflow IN (${marks(workflow.length)}) AND launch_plan IN (${marks(launchPlan.length)}) ORDER BY priority DESC`,
        [k.resourceType, ...project, ...domain, ...workflow, ...launchPlan],
      );
      return rows.map((r) => fromRow(readRecord(r)));
    },
    async deleteWhere(k) {
      // Like upstream's struct conditions: empty fields do not restrict.
      const where = {
        resourceType: k.resourceType,
        ...(k.project && { project: k.project }),
        ...(k.domain && { domain: k.domain }),
        ...(k.workflow && { workflow: k.workflow }),
        ...(k.launchPlan && { launchPlan: k.launchPlan }),
      };
      await writer.delete(db, where);
    },
    async candidates(s) {
      // Hand-written: every launch reads its candidates once.
      const project = orAny(s.project);
      const domain = orAny(s.domain);
      const workflows = ["", ...s.workflows];
      const launchPlans = ["", ...s.launchPlans];
      const rows = await db.query(
        `SELECT ${readRecord.columns} FROM resources WHERE project IN (${marks(project.length)}) AND domain IN (${marks(domain.length)}) AND workflow IN (${marks(workflows.length)}) AND launch_plan IN (${marks(launchPlans.length)})`,
        [...project, ...domain, ...workflows, ...launchPlans],
      );
      return rows.map((r) => fromRow(readRecord(r)));
    },

    async listAll(resourceType) {
      const rows = await db.query(`SELECT ${readRecord.columns} FROM resources WHERE resource_type = ? ORDER BY priority DESC, id`, [resourceType]);
      return rows.map((r) => fromRow(readRecord(r)));
    },
  };
}
