// The PostgreSQL migrations (migrations-postgres/, hand-written) against the embedded SQLite ones (drizzle/,
// drizzle-kit's): the same tags, and after every step up or down the same tables, columns, primary keys and
// indexes in both engines, read back from each engine's catalog; the drizzle schema is the third witness for
// tables and columns. A real PostgreSQL (test/helpers/postgres.ts) and an in-memory libSQL.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Client, createClient } from "@libsql/client";
import { SQL } from "bun";
import { getTableColumns, getTableName, is } from "drizzle-orm";
import { SQLiteTable } from "drizzle-orm/sqlite-core";
import { type Migration, migrations, statements } from "../src/stores/db/migrations";
import { postgresMigrations } from "../src/stores/db/migrations-postgres";
import * as schema from "../src/stores/db/schema";
import { type SharedPostgres, sharedPostgres } from "./helpers/postgres";

// Generous: on a clean image the first start installs Debian's postgresql package.
const START_TIMEOUT = 300_000;

/** SQLite's declared column types as PostgreSQL spells them (the mapping the migrations follow). */
const pgType: Record<string, string> = { integer: "bigint", text: "text", blob: "bytea" };
/** Bookkeeping of the migration runner, not part of the schema. */
const ignored = new Set(["__migrations"]);

interface Column {
  name: string;
  type: string;
  notNull: boolean;
  default: string | null;
  identity: boolean;
}
interface Index {
  table: string;
  columns: string[];
  unique: boolean;
  where: string | null;
}
interface Shape {
  tables: Record<string, Column[]>;
  primaryKeys: Record<string, string[]>;
  indexes: Record<string, Index>;
}

const typeOf = (declared: string) => pgType[declared.toLowerCase()] ?? `unmapped ${declared}`;
/** A partial index's predicate without quotes, parentheses or case, which the engines print differently. */
const predicate = (text: string | null | undefined) =>
  text
    ? text
        .replace(/[`"()]/g, "")
        .replace(/\s+/g, " ")
        .trim()
        .toLowerCase()
    : null;
/** drizzle-kit writes a boolean default as `true`/`false`, which SQLite stores as 1/0. */
const sqliteDefault = (v: unknown) => (v === null ? null : (({ true: "1", false: "0" } as Record<string, string>)[String(v)] ?? String(v)));
/** PostgreSQL prints a default with its cast: `''::text`. */
const postgresDefault = (v: unknown) => (v === null ? null : String(v).replace(/::[a-z ]+$/, ""));

async function sqliteShape(db: Client): Promise<Shape> {
  const shape: Shape = { tables: {}, primaryKeys: {}, indexes: {} };
  const tables = await db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  for (const t of tables.rows) {
    const table = String(t.name);
    if (ignored.has(table)) continue;
    const cols = (await db.execute({ sql: 'SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?) ORDER BY cid', args: [table] })).rows;
    shape.tables[table] = cols.map((c) => ({
      name: String(c.name),
      type: typeOf(String(c.type)),
      notNull: Number(c.notnull) === 1,
      default: sqliteDefault(c.dflt_value),
      identity: new RegExp(`[\`"]${c.name}[\`"] integer PRIMARY KEY AUTOINCREMENT`, "i").test(String(t.sql)),
    }));
    shape.primaryKeys[table] = cols
      .filter((c) => Number(c.pk) > 0)
      .sort((a, b) => Number(a.pk) - Number(b.pk))
      .map((c) => String(c.name));
    // origin 'pk' is the primary key's own index (sqlite_autoindex_…), PostgreSQL's `…_pkey`: compared as primaryKeys.
    const indexes = await db.execute({ sql: "SELECT name, \"unique\" FROM pragma_index_list(?) WHERE origin <> 'pk'", args: [table] });
    for (const i of indexes.rows) {
      const name = String(i.name);
      const columns = await db.execute({ sql: "SELECT name FROM pragma_index_info(?) ORDER BY seqno", args: [name] });
      const ddl = await db.execute({ sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", args: [name] });
      const where = String(ddl.rows[0]?.sql ?? "").match(/\sWHERE\s([\s\S]*)$/i)?.[1];
      shape.indexes[name] = { table, columns: columns.rows.map((r) => String(r.name)), unique: Number(i.unique) === 1, where: predicate(where) };
    }
  }
  return shape;
}

async function postgresShape(sql: SQL): Promise<Shape> {
  const shape: Shape = { tables: {}, primaryKeys: {}, indexes: {} };
  const tables = await sql.unsafe("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
  for (const { table_name } of tables) {
    if (ignored.has(table_name)) continue;
    shape.tables[table_name] = [];
    shape.primaryKeys[table_name] = [];
  }
  const columns = await sql.unsafe(`SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity
    FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position`);
  for (const c of columns) {
    shape.tables[c.table_name]?.push({
      name: c.column_name,
      type: c.data_type,
      notNull: c.is_nullable === "NO",
      default: postgresDefault(c.column_default),
      identity: c.is_identity === "YES",
    });
  }
  const indexes = await sql.unsafe(`SELECT i.relname AS name, t.relname AS "table", x.indisunique AS "unique", x.indisprimary AS "primary",
      pg_get_expr(x.indpred, x.indrelid) AS "where",
      (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
        JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum) AS columns
    FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_namespace s ON s.oid = t.relnamespace WHERE s.nspname = 'public'`);
  for (const i of indexes) {
    if (ignored.has(i.table)) continue;
    const cols = String(i.columns ?? "").split(",");
    if (i.primary) shape.primaryKeys[i.table] = cols;
    else shape.indexes[i.name] = { table: i.table, columns: cols, unique: i.unique, where: predicate(i.where) };
  }
  return shape;
}

/** Everything left in the public schema: tables, sequences, indexes, views, types. */
async function leftovers(sql: SQL): Promise<string[]> {
  const rows = await sql.unsafe(`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'
    UNION ALL SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public'`);
  return rows.map((r: { name: string }) => r.name).sort();
}

async function applyPostgres(sql: SQL, m: Migration, direction: "up" | "down"): Promise<void> {
  for (const s of statements(m[direction])) {
    try {
      await sql.unsafe(s);
    } catch (error) {
      throw new Error(`${m.tag} ${direction}: ${(error as Error).message}\n${s}`);
    }
  }
}

async function applySqlite(db: Client, m: Migration, direction: "up" | "down"): Promise<void> {
  for (const s of statements(m[direction])) await db.execute(s);
}

/** The tables of the drizzle schema, as the store code sees them. */
const drizzleTables = (Object.values(schema) as unknown[]).filter((x): x is SQLiteTable => is(x, SQLiteTable));

describe("PostgreSQL migrations", () => {
  let pg: SharedPostgres;
  let sql: SQL;
  let lite: Client;
  let pgShape: Shape;
  let liteShape: Shape;
  const open = async () => new SQL({ url: await pg.createDatabase(), max: 1, bigint: true });

  beforeAll(async () => {
    pg = await sharedPostgres();
    sql = await open();
    for (const m of postgresMigrations) await applyPostgres(sql, m, "up");
    lite = createClient({ url: "file::memory:" });
    for (const m of migrations) await applySqlite(lite, m, "up");
    [pgShape, liteShape] = await Promise.all([postgresShape(sql), sqliteShape(lite)]);
  }, START_TIMEOUT);

  afterAll(async () => {
    await sql?.close();
    lite?.close();
  });

  test("the same tags in the same order as the embedded migrations", () => {
    expect(postgresMigrations.map((m) => m.tag)).toEqual(migrations.map((m) => m.tag));
  });

  test("the tables are the drizzle schema's: columns in order, nullability, kinds, identity", () => {
    expect(drizzleTables.length).toBeGreaterThan(10);
    const fromDrizzle = Object.fromEntries(
      drizzleTables.map((t) => [
        getTableName(t),
        Object.values(getTableColumns(t)).map((c) => ({
          name: c.name,
          type: typeOf(c.getSQLType()),
          notNull: c.notNull,
          identity: (c as { autoIncrement?: boolean }).autoIncrement === true,
        })),
      ]),
    );
    const fromPostgres = Object.fromEntries(
      Object.entries(pgShape.tables).map(([table, cols]) => [table, cols.map(({ name, type, notNull, identity }) => ({ name, type, notNull, identity }))]),
    );
    expect(Object.keys(fromPostgres).sort()).toEqual(Object.keys(fromDrizzle).sort());
    expect(fromPostgres).toEqual(fromDrizzle);
  });

  test("the columns and primary keys are SQLite's: kinds, nullability, defaults", () => {
    expect(Object.keys(liteShape.tables).length).toBe(drizzleTables.length);
    expect(pgShape.tables).toEqual(liteShape.tables);
    expect(pgShape.primaryKeys).toEqual(liteShape.primaryKeys);
  });

  test("the indexes are SQLite's: names, tables, columns in order, uniqueness, predicates", async () => {
    const names = await lite.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name");
    const liteNames = names.rows.map((r) => String(r.name));
    expect(liteNames.length).toBeGreaterThan(40);
    expect(Object.keys(pgShape.indexes).sort()).toEqual(liteNames);
    expect(pgShape.indexes).toEqual(liteShape.indexes);
    // The primary keys' indexes are PostgreSQL's `<table>_pkey`, nothing else hides behind them.
    const pkeys = await sql.unsafe("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE '%\\_pkey'");
    expect(pkeys.map((r: { indexname: string }) => r.indexname).sort()).toEqual(
      Object.keys(liteShape.primaryKeys)
        .map((t) => `${t}_pkey`)
        .sort(),
    );
  });

  test("every unique index serves as an ON CONFLICT target, as the upserts use them", async () => {
    const unique = Object.values(pgShape.indexes).filter((i) => i.unique);
    expect(unique.length).toBeGreaterThan(15);
    for (const { table, columns } of unique) {
      const cols = columns.map((c) => `"${c}"`).join(", ");
      // Planned (so the arbiter index is inferred, or the statement fails) but inserts nothing.
      await sql.unsafe(`INSERT INTO "${table}" (${cols}) SELECT ${cols} FROM "${table}" WHERE false ON CONFLICT (${cols}) DO NOTHING`);
    }
  });

  test("each step up and down matches SQLite's; the downs undo the ups, and the ups apply again", async () => {
    const stepwise = await open();
    const db = createClient({ url: "file::memory:" });
    try {
      const states = [await postgresShape(stepwise)];
      expect(states[0]).toEqual({ tables: {}, primaryKeys: {}, indexes: {} });
      for (const [k, m] of postgresMigrations.entries()) {
        await applyPostgres(stepwise, m, "up");
        await applySqlite(db, migrations[k], "up");
        const state = await postgresShape(stepwise);
        expect({ tag: m.tag, state }).toEqual({ tag: m.tag, state: await sqliteShape(db) });
        states.push(state);
      }
      for (let k = postgresMigrations.length - 1; k >= 0; k--) {
        const m = postgresMigrations[k];
        await applyPostgres(stepwise, m, "down");
        await applySqlite(db, migrations[k], "down");
        expect({ tag: m.tag, state: await postgresShape(stepwise) }).toEqual({ tag: m.tag, state: states[k] });
        expect({ tag: m.tag, state: await sqliteShape(db) }).toEqual({ tag: m.tag, state: states[k] });
      }
      expect(await leftovers(stepwise)).toEqual([]);
      for (const m of postgresMigrations) await applyPostgres(stepwise, m, "up");
      expect(await postgresShape(stepwise)).toEqual(states.at(-1) as Shape);
    } finally {
      await stepwise.close();
      db.close();
    }
  });

  test("a row round-trips a bytea and a bigint, with the defaults and the identity filled in", async () => {
    const labels = Buffer.from([0, 1, 2, 0xfe, 0xff, 0]);
    const state = 9_007_199_254_740_993n; // above 2^53: a float would round it
    const now = "2024-01-02T03:04:05Z";
    const insert = `INSERT INTO projects (created_at, updated_at, identifier, labels, state) VALUES ($1, $1, $2, $3, $4)
      ON CONFLICT (identifier) DO UPDATE SET state = excluded.state RETURNING *`;
    const [row] = await sql.unsafe(insert, [now, "p1", labels, state]);
    expect(row).toEqual({ id: 1n, created_at: now, updated_at: now, deleted_at: null, identifier: "p1", name: "", description: "", labels, state });
    expect(Buffer.isBuffer(row.labels) || row.labels instanceof Uint8Array).toBe(true);
    const [again] = await sql.unsafe(insert, [now, "p1", labels, 7n]);
    expect({ id: again.id, state: again.state }).toEqual({ id: 1n, state: 7n });
    const [second] = await sql.unsafe("INSERT INTO projects (created_at, updated_at, identifier) VALUES ($1, $1, 'p2') RETURNING id, labels, state", [now]);
    // Unlike SQLite's rowid, the identity also advanced for the upsert that updated in place: ids have gaps.
    expect(second).toEqual({ id: expect.any(BigInt), labels: null, state: 0n });
    expect(second.id).toBeGreaterThan(again.id);
  });
});
