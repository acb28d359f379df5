// Signal rows: I/O only.
import { and, eq as deq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { signals } from "./schema";
import { whereSql } from "./list-sql";
import type { SqlRow } from "./raw-sql";
import { bytes, bytesOrNull, readerOf } from "./rows";
import { pageSql } from "./versioned";
import type { SignalKey, SignalRecord, SignalStore } from "../../ports/signals";

function fromRow(r: typeof signals.$inferSelect): SignalRecord {
  return {
    project: r.executionProject,
    domain: r.executionDomain,
    name: r.executionName,
    signalId: r.signalId,
    type: bytes(r.type),
    value: bytesOrNull(r.value),
  };
}

/** A row read by hand-written SQL (`SELECT *`). */
const readRow = readerOf(signals);
const fromSqlRow = (r: SqlRow) => fromRow(readRow(r));

const keyWhere = (k: SignalKey) =>
  and(deq(signals.executionProject, k.project), deq(signals.executionDomain, k.domain), deq(signals.executionName, k.name), deq(signals.signalId, k.signalId));

export function signalStore(db: Db): SignalStore {
  const get = async (key: SignalKey) => {
    const rows = await db.all<SqlRow>(
      sql`SELECT * FROM signals WHERE execution_project = ${key.project} AND execution_domain = ${key.domain} AND execution_name = ${key.name} AND signal_id = ${key.signalId} LIMIT 1`,
    );
    return rows[0] && fromSqlRow(rows[0]);
  };
  return {
    get,
    async getOrCreate(key, type) {
      const now = new Date().toISOString();
      await db
        .insert(signals)
        .values({
          executionProject: key.project,
          executionDomain: key.domain,
          executionName: key.name,
          signalId: key.signalId,
          type: Buffer.from(type),
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing();
      const row = await get(key);
      if (!row) throw new Error(`signal ${key.signalId} vanished after insert`);
      return row;
    },
    async setValue(key, value) {
      await db
        .update(signals)
        .set({ value: Buffer.from(value), updatedAt: new Date().toISOString() })
        .where(keyWhere(key));
    },
    async list(q) {
      const where = whereSql(q.filters);
      const rows = await db.all<SqlRow>(sql`SELECT * FROM signals${where ? sql` WHERE ${where}` : sql``}${pageSql(q)}`);
      return rows.map(fromSqlRow);
    },
  };
}
