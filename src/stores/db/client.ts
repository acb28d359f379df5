// Opens the libSQL database (embedded file or remote server) and wraps it in drizzle.
import { installStatementCache } from "./statement-cache";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createClient, type Client } from "@libsql/client";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import * as schema from "./schema";
import { groupCommit } from "./group-commit";

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

export interface Database {
  client: Client;
  db: Db;
  url: string;
  /** The embedded database's file path; undefined for a remote server or :memory:. */
  file?: string;
  /** True while the database answers a trivial query. */
  ping(): Promise<boolean>;
  /** Closes at once; committed pages may stay in the -wal file beside the database file. */
  close(): void;
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

export interface DatabaseOptions {
  url: string;
  authToken?: string;
  busyTimeoutMs?: number;
}

/** The file an embedded database URL names; undefined for a remote server or :memory:. */
export function embeddedFile(url: string): string | undefined {
  if (!url.startsWith("file:")) return undefined;
  const path = url.slice("file:".length).split("?")[0];
  return path === ":memory:" ? undefined : path;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
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
  const db = drizzle(groupCommit(client), { schema });
  return {
    client,
    db,
    url: opts.url,
    async ping() {
      try {
        await client.execute("SELECT 1");
        return true;
      } catch {
        return false;
      }
    },
    file: path,
    close: () => client.close(),
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
