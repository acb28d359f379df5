// Queries shared by the versioned entities (tasks, workflows, launch plans): one page of rows and one
// page of distinct names, with the parsed filters and sort applied.
import { getTableName, sql, type InferSelectModel, type SQL } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { SqlEngine } from "./engine";
import type { SqlRow } from "./raw-sql";
import { readerOf } from "./rows";
import { orderSql, whereSql } from "./list-sql";
import type { EntityKey, ListQuery } from "../../ports/common";

/** The largest LIMIT both engines take, for an OFFSET without a limit (SQLite needs a LIMIT for an OFFSET). */
const noLimit = Number.MAX_SAFE_INTEGER;

export function pageSql(q: Pick<ListQuery, "order" | "limit" | "offset">): SQL {
  const order = q.order ? sql` ORDER BY ${orderSql(q.order)}` : sql``;
  if (q.limit <= 0 && q.offset <= 0) return order;
  return sql`${order} LIMIT ${q.limit > 0 ? q.limit : noLimit} OFFSET ${q.offset}`;
}

export async function listRows<T extends SQLiteTable>(db: SqlEngine, table: T, q: ListQuery): Promise<Array<InferSelectModel<T>>> {
  const where = whereSql(q.filters);
  const rows = await db.all<SqlRow>(sql`SELECT * FROM ${table}${where ? sql` WHERE ${where}` : sql``}${pageSql(q)}`);
  return rows.map(readerOf(table));
}

const groupedColumns = new Set(["project", "domain", "name"]);

export async function listNames(db: SqlEngine, table: SQLiteTable, q: ListQuery): Promise<Array<{ project: string; domain: string; name: string }>> {
  const where = whereSql(q.filters);
  // PostgreSQL orders groups only by grouped columns or aggregates: another column orders by its greatest value.
  const o = q.order;
  const byAggregate = o !== undefined && !groupedColumns.has(o.column);
  const order = byAggregate ? sql` ORDER BY MAX(${sql.identifier(o.column)}) ${sql.raw(o.direction)}` : sql``;
  const page = pageSql(byAggregate ? { ...q, order: undefined } : q);
  return db.all(sql`SELECT project, domain, name FROM ${table}${where ? sql` WHERE ${where}` : sql``} GROUP BY project, domain, name${order}${page}`);
}

/** The row of one version, by its natural key (hand-written: launches read several per call). */
export async function getByKey<T extends SQLiteTable>(db: SqlEngine, table: T, key: EntityKey): Promise<InferSelectModel<T> | undefined> {
  const sql = `SELECT * FROM "${getTableName(table)}" WHERE project = ? AND domain = ? AND name = ? AND version = ? LIMIT 1`;
  const [row] = await db.query(sql, [key.project, key.domain, key.name, key.version]);
  return row && readerOf(table)(row);
}
