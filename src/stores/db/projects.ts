// Project rows: I/O only.
import { eq, ne } from "drizzle-orm";
import type { Db } from "./client";
import { projects } from "./schema";
import { dbError } from "./errors";
import { queryRows } from "./raw-sql";
import { bytesOrNull, rowReader } from "./rows";
import { orderSql, whereSql } from "./list-sql";
import type { ProjectListQuery, ProjectPatch, ProjectRecord, ProjectStore } from "../../ports/projects";

const archived = 1;

/** The columns a record holds, which the hand-written get selects. */
const readRecord = rowReader(projects, ["identifier", "name", "description", "labels", "state"]);
const getSql = `SELECT ${readRecord.columns} FROM projects WHERE identifier = ? LIMIT 1`;

function toRecord(row: ReturnType<typeof readRecord>): ProjectRecord {
  return {
    identifier: row.identifier,
    name: row.name,
    description: row.description,
    labels: bytesOrNull(row.labels),
    state: row.state,
  };
}

function toRow(r: ProjectRecord, now: string) {
  return {
    identifier: r.identifier,
    name: r.name,
    description: r.description,
    labels: r.labels ? Buffer.from(r.labels) : null,
    state: r.state,
    createdAt: now,
    updatedAt: now,
  };
}

export function projectStore(db: Db): ProjectStore {
  return {
    async create(record) {
      try {
        await db.insert(projects).values(toRow(record, new Date().toISOString()));
      } catch (e) {
        throw dbError(e, "projects_pkey");
      }
    },

    async get(identifier) {
      // Hand-written: every launch reads its project.
      const [r] = await queryRows(db, getSql, [identifier]);
      return r && toRecord(readRecord(r));
    },

    async update(identifier, patch: ProjectPatch) {
      const set: Partial<typeof projects.$inferInsert> = { updatedAt: new Date().toISOString() };
      if (patch.name !== undefined) set.name = patch.name;
      if (patch.description !== undefined) set.description = patch.description;
      if (patch.labels !== undefined) set.labels = patch.labels ? Buffer.from(patch.labels) : null;
      if (patch.state !== undefined) set.state = patch.state;
      try {
        await db.update(projects).set(set).where(eq(projects.identifier, identifier));
      } catch (e) {
        throw dbError(e, "projects_pkey");
      }
    },

    async list(q: ProjectListQuery) {
      // Without filters archived projects are hidden, as upstream.
      const where = q.filters.length === 0 ? ne(projects.state, archived) : whereSql(q.filters);
      let query = db.select().from(projects).where(where).orderBy(orderSql(q.order)).$dynamic();
      if (q.limit > 0) query = query.limit(q.limit);
      if (q.offset > 0) query = q.limit > 0 ? query.offset(q.offset) : query.limit(-1).offset(q.offset);
      return (await query).map(toRecord);
    },

    async seed(records) {
      const now = new Date().toISOString();
      return db.transaction(async (tx) => {
        const inserted: string[] = [];
        for (const r of records) {
          const res = await tx.insert(projects).values(toRow(r, now)).onConflictDoNothing().returning({ id: projects.identifier });
          if (res.length > 0) inserted.push(r.identifier);
        }
        return inserted;
      });
    },
  };
}
