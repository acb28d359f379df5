// Signal rows: I/O only.
import { sql } from "drizzle-orm";
import type { SqlEngine } from "./engine";
import { signals } from "./schema";
import { whereSql } from "./list-sql";
import { TableWriter, type SqlRow } from "./raw-sql";
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

const keyWhere = (k: SignalKey) => ({ executionProject: k.project, executionDomain: k.domain, executionName: k.name, signalId: k.signalId });
const writer = new TableWriter(signals);

export function signalStore(db: SqlEngine): SignalStore {
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
      await writer.insert(db, { ...keyWhere(key), type, createdAt: now, updatedAt: now }, { ignoreConflict: true });
      const row = await get(key);
      if (!row) throw new Error(`signal ${key.signalId} vanished after insert`);
      return row;
    },
    async setValue(key, value) {
      await writer.update(db, { value, updatedAt: new Date().toISOString() }, keyWhere(key));
    },
    async list(q) {
      const where = whereSql(q.filters);
      const rows = await db.all<SqlRow>(sql`SELECT * FROM signals${where ? sql` WHERE ${where}` : sql``}${pageSql(q)}`);
      return rows.map(fromSqlRow);
    },
  };
}
