// Opens the configured database: the embedded libSQL file (or a libSQL server), or a PostgreSQL pool. The
// stores see only its SqlEngine; the rest of the handle is lifecycle (ping, close) and migrations.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createClient, type Client } from "@libsql/client";
import { SQL } from "bun";
import type { Config } from "../../config/schema";
import { parseGoDuration } from "../../kernel/duration";
import type { Logger } from "../../kernel/log";
import { redactUrl } from "../../kernel/redact-url";
import type { Dialect, SqlEngine } from "./engine";
import { libsqlEngine } from "./engine-libsql";
import { postgresEngine, type StatementLog } from "./engine-postgres";
import { groupCommit } from "./group-commit";
import { installStatementCache } from "./statement-cache";

export interface Database {
  /** What the stores run their SQL on. */
  db: SqlEngine;
  dialect: Dialect;
  url: string;
  /** The embedded database's file path; undefined for a server or :memory:. */
  file?: string;
  /** The libSQL client (embedded or libSQL server), for the maintenance only it can do (backup). */
  libsql?: Client;
  /** True while the database answers a trivial query. */
  ping(): Promise<boolean>;
  /** Closes at once; committed pages may stay in the -wal file beside an embedded database file. */
  close(): Promise<void>;
  /**
   * Folds the WAL into the database file (embedded file only), then closes, so the .db file alone is
   * the whole database after a clean stop. Closes even when the checkpoint fails, then throws.
   */
  checkpointAndClose(): Promise<void>;
}

/** The WAL could not be folded into the database file (another connection held it). */
export class CheckpointError extends Error {
  override readonly name = "CheckpointError";
}

export interface PoolOptions {
  /** Most open connections (0: no limit). */
  maxOpen?: number;
  /** Most idle connections kept. */
  maxIdle?: number;
  /** Seconds a connection lives before it is replaced (0: forever). */
  maxLifetimeSeconds?: number;
}

export interface DatabaseOptions {
  url: string;
  authToken?: string;
  busyTimeoutMs?: number;
  pool?: PoolOptions;
  /** PostgreSQL only: told the text of every statement (database.postgres.debug). */
  logStatement?: StatementLog;
}

export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//.test(url);

/** The file an embedded database URL names; undefined for a server or :memory:. */
export function embeddedFile(url: string): string | undefined {
  if (!url.startsWith("file:")) return undefined;
  const path = url.slice("file:".length).split("?")[0];
  return path === ":memory:" ? undefined : path;
}

/** The options `database.*` configure; with database.postgres.debug, `log` gets every statement at debug level. */
export function databaseOptions(database: Config["database"], log?: Logger): DatabaseOptions {
  return {
    logStatement: database.postgres.debug && log ? (sql) => log.debug("sql", { sql }) : undefined,
    url: database.url,
    authToken: database.authToken,
    busyTimeoutMs: database.busyTimeoutMs,
    pool: {
      maxOpen: database.maxOpenConnections,
      maxIdle: database.maxIdleConnections,
      maxLifetimeSeconds: Math.round((parseGoDuration(database.connMaxLifeTime) ?? 0) / 1000),
    },
  };
}

export function openDatabase(opts: DatabaseOptions): Promise<Database> {
  return isPostgresUrl(opts.url) ? openPostgres(opts) : openLibsql(opts);
}

/**
 * Bun's pool opens all its connections at the first query and keeps them, where Go's (upstream's) opens
 * them on demand and closes idle ones beyond maxIdleConnections. A pool of min(maxIdle, maxOpen) keeps both
 * of upstream's limits: never more open than maxOpenConnections, never more idle than maxIdleConnections.
 */
export function poolSize(pool: PoolOptions = {}): number {
  const idle = Math.max(1, pool.maxIdle ?? 10);
  return pool.maxOpen ? Math.min(idle, pool.maxOpen) : idle;
}

async function openPostgres(opts: DatabaseOptions): Promise<Database> {
  const pool = new SQL({
    url: opts.url,
    bigint: true,
    max: poolSize(opts.pool),
    ...(opts.pool?.maxLifetimeSeconds ? { maxLifetime: opts.pool.maxLifetimeSeconds } : {}),
  });
  // Connect now, so a wrong host or password fails the start rather than the first call.
  try {
    await pool.unsafe("SELECT 1");
  } catch (e) {
    await pool.close();
    const code = (e as { code?: unknown }).code;
    throw new Error(
      `cannot use PostgreSQL at ${redactUrl(opts.url)}: ${e instanceof Error ? e.message : String(e)}${typeof code === "string" ? ` (${code})` : ""}`,
    );
  }
  const close = () => pool.close();
  return {
    db: postgresEngine(pool, opts.logStatement),
    dialect: "postgres",
    url: opts.url,
    ping: () =>
      pool.unsafe("SELECT 1").then(
        () => true,
        () => false,
      ),
    close,
    checkpointAndClose: close,
  };
}

async function openLibsql(opts: DatabaseOptions): Promise<Database> {
  const path = embeddedFile(opts.url);
  if (opts.url.startsWith("file:")) installStatementCache();
  if (path) mkdirSync(dirname(path), { recursive: true });
  const client = createClient({
    url: opts.url,
    authToken: opts.authToken || undefined,
    timeout: opts.busyTimeoutMs,
    intMode: "number",
    // One connection for the embedded file: the WAL and synchronous pragmas below are per connection (a
    // pooled second connection would fsync every commit), and with every statement running synchronously
    // on this thread more connections add nothing. Transactions never span real I/O, so none waits.
    ...(path ? { concurrency: 1 } : {}),
  });
  if (path) {
    // WAL lets readers run beside the single writer; it is a property of the file, so set once.
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute("PRAGMA synchronous = NORMAL");
  }
  return {
    db: libsqlEngine(groupCommit(client)),
    dialect: "sqlite",
    url: opts.url,
    file: path,
    libsql: client,
    ping: () =>
      client.execute("SELECT 1").then(
        () => true,
        () => false,
      ),
    close: async () => client.close(),
    async checkpointAndClose() {
      try {
        if (!path) return;
        // TRUNCATE also empties the -wal file; a busy result means a reader or writer elsewhere kept
        // part of the log, so the .db file alone would be stale.
        const rs = await client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        const busy = Number(rs.rows[0]?.[0] ?? 0);
        if (busy !== 0) throw new CheckpointError(`database ${path}: WAL checkpoint incomplete (another connection is using the database)`);
      } finally {
        client.close();
      }
    },
  };
}
