// Renders parsed list filters and sort orders to SQL. Column names were checked against the entity's
// column set by the parser, so they are safe to place as identifiers; values are always bound.
import { sql, type SQL } from "drizzle-orm";
import type { Filter } from "../../kernel/lists/filters";
import type { SortOrder } from "../../kernel/lists/page";

function column(table: string | undefined, name: string): SQL | ReturnType<typeof sql.identifier> {
  return table ? sql`${sql.identifier(table)}.${sql.identifier(name)}` : sql.identifier(name);
}

/**
 * `numeric` binds numeric-looking values as numbers: needed where the column is a computed expression
 * (no type affinity), so SQLite would otherwise compare an integer with text and never match.
 */
export function filterSql(f: Filter, table?: string, numeric = false): SQL {
  return filterOn(column(table, f.field), f, numeric);
}

/** A filter on a column expression (a computed value rather than a named column). */
export function filterOn(col: SQL | ReturnType<typeof sql.identifier>, f: Filter, numeric = false): SQL {
  const bind = (x: string): string | number => (numeric && /^-?\d+(\.\d+)?$/.test(x) ? Number(x) : x);
  const v = bind(f.values[0]);
  switch (f.op) {
    case "eq":
      return sql`${col} = ${v}`;
    case "ne":
      return sql`${col} <> ${v}`;
    case "gt":
      return sql`${col} > ${v}`;
    case "gte":
      return sql`${col} >= ${v}`;
    case "lt":
      return sql`${col} < ${v}`;
    case "lte":
      return sql`${col} <= ${v}`;
    case "contains":
      return sql`${col} LIKE ${`%${v}%`}`;
    case "not_like":
      return sql`${col} NOT LIKE ${v}`;
    case "value_in":
      return sql`${col} IN (${sql.join(
        f.values.map((x) => sql`${bind(x)}`),
        sql`, `,
      )})`;
    case "value_not_in":
      return sql`${col} NOT IN (${sql.join(
        f.values.map((x) => sql`${bind(x)}`),
        sql`, `,
      )})`;
  }
}

/** AND of all filters, or undefined for none. */
export function whereSql(filters: Filter[], tableOf?: (f: Filter) => string | undefined): SQL | undefined {
  if (filters.length === 0) return undefined;
  return sql.join(
    filters.map((f) => sql`(${filterSql(f, tableOf?.(f))})`),
    sql` AND `,
  );
}

export function orderSql(order: SortOrder, table?: string): SQL {
  return sql`${column(table, order.column)} ${sql.raw(order.direction)}`;
}
