// Matchable attribute rows (the resources table): I/O only.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./client";
import { queryRows } from "./raw-sql";
import { bytes, rowReader } from "./rows";
import { resources } from "./schema";
import type { ResourceKey, ResourceRecord, ResourceStore } from "../../ports/matchable";

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

const exact = (k: ResourceKey) =>
  and(
    eq(resources.project, k.project),
    eq(resources.domain, k.domain),
    eq(resources.workflow, k.workflow),
    eq(resources.launchPlan, k.launchPlan),
    eq(resources.resourceType, k.resourceType),
  );

/** A column matches its value or "" (any). */
const orAny = (v: string) => (v === "" ? [""] : ["", v]);

export function resourceStore(db: Db): ResourceStore {
  return {
    async upsert(r) {
      const now = new Date().toISOString();
      await db
        .insert(resources)
        .values({ ...r, attributes: Buffer.from(r.attributes), createdAt: now, updatedAt: now })
        .onConflictDoUpdate({
          target: [resources.project, resources.domain, resources.workflow, resources.launchPlan, resources.resourceType],
          set: { attributes: Buffer.from(r.attributes), priority: r.priority, updatedAt: now },
        });
    },
    async getExact(k) {
      const [row] = await db.select().from(resources).where(exact(k)).limit(1);
      return row && fromRow(row);
    },
    async matching(k) {
      const rows = await db
        .select()
        .from(resources)
        .where(
          and(
            eq(resources.resourceType, k.resourceType),
            inArray(resources.project, orAny(k.project)),
            inArray(resources.domain, orAny(k.domain)),
            inArray(resources.workflow, orAny(k.workflow)),
            inArray(resources.launchPlan, orAny(k.launchPlan)),
          ),
        )
        .orderBy(desc(resources.priority));
      return rows.map(fromRow);
    },
    async deleteWhere(k) {
      const conditions = [eq(resources.resourceType, k.resourceType)];
      // Like upstream's struct conditions: empty fields do not restrict.
      if (k.project) conditions.push(eq(resources.project, k.project));
      if (k.domain) conditions.push(eq(resources.domain, k.domain));
      if (k.workflow) conditions.push(eq(resources.workflow, k.workflow));
      if (k.launchPlan) conditions.push(eq(resources.launchPlan, k.launchPlan));
      await db.delete(resources).where(and(...conditions));
    },
    async candidates(s) {
      // Hand-written: every launch reads its candidates once.
      const project = orAny(s.project);
      const domain = orAny(s.domain);
      const workflows = ["", ...s.workflows];
      const launchPlans = ["", ...s.launchPlans];
      const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");
      const rows = await queryRows(
        db,
        `SELECT ${readRecord.columns} FROM resources WHERE project IN (${marks(project.length)}) AND domain IN (${marks(domain.length)}) AND workflow IN (${marks(workflows.length)}) AND launch_plan IN (${marks(launchPlans.length)})`,
        [...project, ...domain, ...workflows, ...launchPlans],
      );
      return rows.map((r) => fromRow(readRecord(r)));
    },

    async listAll(resourceType) {
      const rows = await db.select().from(resources).where(eq(resources.resourceType, resourceType)).orderBy(desc(resources.priority), sql`id`);
      return rows.map(fromRow);
    },
  };
}
