// `flyteadmin db copy --from URL --to URL`: every row of one database into another, empty one, of either
// engine (the embedded file into PostgreSQL above all). The source must be fully migrated by this binary;
// it is read in one snapshot, in pages by primary key. The target is migrated up, filled, its identity
// sequences moved past the copied ids and its counts checked, all in one transaction: a failed copy
// leaves it as it was.
import { existsSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { is } from "drizzle-orm";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Config } from "../config/schema";
import type { Logger } from "../kernel/log";
import { redactUrl } from "../kernel/redact-url";
import { databaseOptions, embeddedFile, openDatabase, type Database } from "../stores/db/client";
import type { SqlEngine, SqlRow, SqlValue } from "../stores/db/engine";
import { migrateUp, migrationsOf } from "../stores/db/migrate";
import * as schema from "../stores/db/schema";

/** A copy refused or failed before anything was committed to the target. */
export class CopyError extends Error {
  override readonly name = "CopyError";
}

export interface CopyTable {
  name: string;
  columns: string[];
  /** The primary key's columns: the order pages are read in. */
  key: string[];
}

/** Every table of the schema, by name (there are no foreign keys, so any stable order will do). */
export const copyTables: CopyTable[] = (Object.values(schema) as unknown[])
  .filter((x): x is SQLiteTable => is(x, SQLiteTable))
  .map((table) => {
    const cfg = getTableConfig(table);
    const columns = cfg.columns.map((c) => c.name);
    const key = cfg.primaryKeys[0]?.columns.map((c) => c.name) ?? cfg.columns.filter((c) => c.primary).map((c) => c.name);
    return { name: cfg.name, columns, key: key.length > 0 ? key : columns };
  })
  .filter((t) => t.name !== "__migrations")
  .sort((a, b) => (a.name < b.name ? -1 : 1));

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
/** Rows per page and per INSERT, under SQLite's 32766 bound parameters. */
const batchOf = (t: CopyTable) => Math.max(1, Math.min(500, Math.floor(32_000 / t.columns.length)));

type Reader = (text: string, args: SqlValue[]) => Promise<SqlRow[]>;

/** libSQL hands blobs back as ArrayBuffers; both engines bind Buffers. */
const bindable = (v: unknown): SqlValue => (v instanceof ArrayBuffer ? Buffer.from(v) : typeof v === "bigint" ? Number(v) : (v as SqlValue));

/** Runs `fn` over one consistent, read-only view of the source; a running server's writers are not blocked. */
async function withSnapshot<T>(db: Database, fn: (read: Reader) => Promise<T>): Promise<T> {
  if (db.libsql) {
    const tx = await db.libsql.transaction("read");
    try {
      return await fn(async (sql, args) => (await tx.execute({ sql, args })).rows as unknown as SqlRow[]);
    } finally {
      tx.close();
    }
  }
  return db.db.transaction(async (tx) => {
    await tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", []);
    return fn((text, args) => tx.query(text, args));
  });
}

async function tablesOf(db: SqlEngine): Promise<Set<string>> {
  const rows =
    db.dialect === "postgres"
      ? await db.query("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()", [])
      : await db.query("SELECT name FROM sqlite_master WHERE type = 'table'", []);
  return new Set(rows.map((r) => String(r.name)));
}

/** Refuses a database with migrations this binary does not know, and (`complete`) one with pending ones. */
async function checkMigrations(db: SqlEngine, side: string, url: string, complete: boolean): Promise<void> {
  const known = migrationsOf(db).map((m) => m.tag);
  const applied = (await tablesOf(db)).has("__migrations") ? (await db.query("SELECT tag FROM __migrations ORDER BY tag", [])).map((r) => String(r.tag)) : [];
  const unknown = applied.filter((t) => !known.includes(t));
  if (unknown.length > 0)
    throw new CopyError(`${side} ${url} has migrations this binary does not know (${unknown.join(", ")}); use the flyteadmin that applied them`);
  const pending = known.filter((t) => !applied.includes(t));
  if (complete && pending.length > 0) {
    throw new CopyError(`${side} ${url} has pending migrations (${pending.join(", ")}); run 'flyteadmin migrate run' on it first`);
  }
}

/** The first table of the schema holding a row, if any. */
async function usedTable(db: SqlEngine): Promise<string | undefined> {
  const present = await tablesOf(db);
  for (const t of copyTables) {
    if (present.has(t.name) && (await db.query(`SELECT 1 AS one FROM ${quote(t.name)} LIMIT 1`, [])).length > 0) return t.name;
  }
  return undefined;
}

const notEmpty = (url: string, table: string) =>
  new CopyError(`target ${url} is not empty (table ${table} has rows); db copy only fills an empty database, it does not merge`);

async function countRows(read: Reader, table: string): Promise<number> {
  return Number((await read(`SELECT COUNT(*) AS n FROM ${quote(table)}`, []))[0]?.n ?? 0);
}

/** Copies one table page by page (keyset on its primary key); the number of rows copied. */
async function copyTable(read: Reader, to: SqlEngine, t: CopyTable): Promise<number> {
  const batch = batchOf(t);
  const cols = t.columns.map(quote).join(", ");
  const key = t.key.map(quote).join(", ");
  const page = (where: string) => `SELECT ${cols} FROM ${quote(t.name)}${where} ORDER BY ${key} LIMIT ${batch}`;
  const first = page("");
  const next = page(` WHERE (${key}) > (${t.key.map(() => "?").join(", ")})`);
  const tuple = `(${t.columns.map(() => "?").join(", ")})`;
  let copied = 0;
  let after: SqlValue[] | undefined;
  for (;;) {
    const rows = await read(after ? next : first, after ?? []);
    if (rows.length === 0) return copied;
    const values = rows.flatMap((r) => t.columns.map((c) => bindable(r[c])));
    await to.exec(`INSERT INTO ${quote(t.name)} (${cols}) VALUES ${rows.map(() => tuple).join(", ")}`, values);
    copied += rows.length;
    if (rows.length < batch) return copied;
    const last = rows[rows.length - 1];
    after = t.key.map((c) => bindable(last[c]));
  }
}

/** Two URLs naming one database: the same string, or the same file however spelled. */
function sameDatabase(a: string, b: string): boolean {
  const fa = embeddedFile(a);
  const fb = embeddedFile(b);
  return a === b || (fa !== undefined && fb !== undefined && resolve(fa) === resolve(fb));
}

export interface CopyResult {
  from: string;
  to: string;
  tables: Record<string, number>;
  rows: number;
  seconds: number;
}

export async function copyDatabase(config: Config, fromUrl: string, toUrl: string, log: Logger): Promise<CopyResult> {
  const from = redactUrl(fromUrl);
  const to = redactUrl(toUrl);
  if (sameDatabase(fromUrl, toUrl)) throw new CopyError(`--from and --to name the same database (${to})`);
  for (const [flag, url] of [
    ["--from", fromUrl],
    ["--to", toUrl],
  ]) {
    if (url.startsWith("file:") && !embeddedFile(url)) throw new CopyError(`${flag} ${url} is an in-memory database; give a file or a server`);
  }
  const sourceFile = embeddedFile(fromUrl);
  if (sourceFile && !existsSync(sourceFile)) throw new CopyError(`no database at ${resolve(sourceFile)} (--from ${from})`);
  const targetFile = embeddedFile(toUrl);
  const createdTarget = targetFile !== undefined && !existsSync(targetFile);
  const options = databaseOptions(config.database);
  const source = await openDatabase({ ...options, url: fromUrl });
  let target: Database | undefined;
  let done = false;
  try {
    await checkMigrations(source.db, "source", from, true);
    const dst = await openDatabase({ ...options, url: toUrl });
    target = dst;
    await checkMigrations(dst.db, "target", to, false);
    const used = await usedTable(dst.db);
    if (used) throw notEmpty(to, used);
    log.info("copying database", { from, to, tables: copyTables.length });
    const started = performance.now();
    const tables = await withSnapshot(source, (read) =>
      dst.db.transaction(async (tx) => {
        await migrateUp(tx);
        // Again under the transaction: a writer may have come between the check above and here.
        const usedNow = await usedTable(tx);
        if (usedNow) throw notEmpty(to, usedNow);
        const counts: Record<string, number> = {};
        for (const t of copyTables) {
          const t0 = performance.now();
          counts[t.name] = await copyTable(read, tx, t);
          log.info("copied table", { table: t.name, rows: counts[t.name], ms: Math.round(performance.now() - t0) });
        }
        if (tx.dialect === "postgres") {
          for (const t of copyTables.filter((x) => x.columns.includes("id"))) {
            const name = quote(t.name);
            await tx.query(`SELECT setval(pg_get_serial_sequence('${name}', 'id'), COALESCE(MAX("id"), 0) + 1, false) FROM ${name}`, []);
          }
        }
        for (const t of copyTables) {
          const [inSource, inTarget] = [await countRows(read, t.name), await countRows((s, a) => tx.query(s, a), t.name)];
          if (inSource !== inTarget || inTarget !== counts[t.name]) {
            throw new CopyError(`table ${t.name}: ${inSource} rows in the source, ${counts[t.name]} copied, ${inTarget} in the target; nothing was committed`);
          }
        }
        return counts;
      }),
    );
    done = true;
    const rows = Object.values(tables).reduce((a, b) => a + b, 0);
    return { from, to, tables, rows, seconds: Math.round(performance.now() - started) / 1000 };
  } finally {
    // The source is only read and a server may hold it: no checkpoint of its WAL from here.
    await source.close();
    if (target) await (done ? target.checkpointAndClose() : target.close());
    if (!done && createdTarget && targetFile) for (const f of [targetFile, `${targetFile}-wal`, `${targetFile}-shm`]) rmSync(f, { force: true });
  }
}

/** The command: the copy, its summary logged; a refusal is exit code 2, as main gives other known errors. */
export async function dbCopyCommand(config: Config, options: Record<string, string>, log: Logger): Promise<number> {
  const to = options.to;
  if (!to) {
    console.error("flyteadmin: db copy needs --to URL (usage: flyteadmin db copy [--from URL] --to URL)");
    return 2;
  }
  try {
    const r = await copyDatabase(config, options.from ?? config.database.url, to, log);
    const perSecond = r.seconds > 0 ? Math.round(r.rows / r.seconds) : r.rows;
    log.info("copied database", { from: r.from, to: r.to, tables: Object.keys(r.tables).length, rows: r.rows, seconds: r.seconds, rowsPerSecond: perSecond });
    return 0;
  } catch (e) {
    if (!(e instanceof CopyError)) throw e;
    console.error(`flyteadmin: ${e.message}`);
    return 2;
  }
}
