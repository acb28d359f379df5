// Queries shared by the versioned entities (tasks, workflows, launch plans): one page of rows and one
// page of distinct names, with the parsed filters and sort applied.
import { getTableName, sql, type InferSelectModel, type SQL } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import { queryRows, type SqlRow } from "./raw-sql";
import { readerOf } from "./rows";
import { orderSql, whereSql } from "./list-sql";
import type { EntityKey, ListQuery } from "../../ports/common";

export function pageSql(q: ListQuery): SQL {
  const order = q.order ? sql` ORDER BY ${orderSql(q.order)}` : sql``;
  // SQLite needs a LIMIT for an OFFSET; -1 means none.
  const limit = sql` LIMIT ${q.limit > 0 ? q.limit : -1} OFFSET ${q.offset}`;
  return sql`${order}${limit}`;
}

export async function listRows<T extends SQLiteTable>(db: Db, table: T, q: ListQuery): Promise<Array<InferSelectModel<T>>> {
  const where = whereSql(q.filters);
  const rows = await db.all<SqlRow>(sql`SELECT * FROM ${table}${where ? sql` WHERE ${where}` : sql``}${pageSql(q)}`);
  return rows.map(readerOf(table));
}

export async function listNames(db: Db, table: SQLiteTable, q: ListQuery): Promise<Array<{ project: string; domain: string; name: string }>> {
  const where = whereSql(q.filters);
  return db.all(sql`SELECT project, domain, name FROM ${table}${where ? sql` WHERE ${where}` : sql``} GROUP BY project, domain, name${pageSql(q)}`);
}

/** The row of one version, by its natural key (hand-written: launches read several per call). */
export async function getByKey<T extends SQLiteTable>(db: Db, table: T, key: EntityKey): Promise<InferSelectModel<T> | undefined> {
  const sql = `SELECT * FROM "${getTableName(table)}" WHERE project = ? AND domain = ? AND name = ? AND version = ? LIMIT 1`;
  const [row] = await queryRows(db, sql, [key.project, key.domain, key.name, key.version]);
  return row && readerOf(table)(row);
}
