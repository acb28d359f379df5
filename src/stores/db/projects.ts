// Project rows: I/O only.
import { sql } from "drizzle-orm";
import type { SqlEngine } from "./engine";
import { projects } from "./schema";
import { dbError } from "./errors";
import { TableWriter, type SqlRow } from "./raw-sql";
import { bytesOrNull, rowReader } from "./rows";
import { pageSql } from "./versioned";
import { whereSql } from "./list-sql";
import type { ProjectListQuery, ProjectPatch, ProjectRecord, ProjectStore } from "../../ports/projects";

const archived = 1;

/** The columns a record holds, which the hand-written get selects. */
const readRecord = rowReader(projects, ["identifier", "name", "description", "labels", "state"]);
const writer = new TableWriter(projects);
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
    labels: r.labels,
    state: r.state,
    createdAt: now,
    updatedAt: now,
  };
}

export function projectStore(db: SqlEngine): ProjectStore {
  return {
    async create(record) {
      try {
        await writer.insert(db, toRow(record, new Date().toISOString()));
      } catch (e) {
        throw dbError(e, "projects_pkey");
      }
    },

    async get(identifier) {
      // Hand-written: every launch reads its project.
      const [r] = await db.query(getSql, [identifier]);
      return r && toRecord(readRecord(r));
    },

    async update(identifier, patch: ProjectPatch) {
      const set = { updatedAt: new Date().toISOString(), name: patch.name, description: patch.description, labels: patch.labels, state: patch.state };
      try {
        await writer.update(db, set, { identifier });
      } catch (e) {
        throw dbError(e, "projects_pkey");
      }
    },

    async list(q: ProjectListQuery) {
      // Without filters archived projects are hidden, as upstream.
      const where = q.filters.length === 0 ? sql`state <> ${archived}` : whereSql(q.filters);
      const rows = await db.all<SqlRow>(sql`SELECT ${sql.raw(readRecord.columns)} FROM projects WHERE ${where}${pageSql(q)}`);
      return rows.map((r) => toRecord(readRecord(r)));
    },

    async seed(records) {
      const now = new Date().toISOString();
      return db.transaction(async (tx) => {
        const inserted: string[] = [];
        for (const r of records) {
          if ((await writer.insert(tx, toRow(r, now), { ignoreConflict: true })) > 0) inserted.push(r.identifier);
        }
        return inserted;
      });
    },
  };
}
