// `flyteadmin db backup FILE`: a consistent copy of the embedded database, safe beside a running
// server. VACUUM INTO reads one snapshot (WAL readers do not block the server's writer) and writes a
// compact, self-contained file; copying the .db file by hand would miss what is still in the -wal file.
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Config } from "../config/schema";
import { embeddedFile, isPostgresUrl, openDatabase } from "../stores/db/client";

/** A backup refused before anything was written: target exists, no embedded database, ... */
export class BackupError extends Error {
  override readonly name = "BackupError";
}

export interface BackupResult {
  from: string;
  to: string;
  bytes: number;
}

export async function backupDatabase(config: Config, target: string): Promise<BackupResult> {
  const url = config.database.url;
  const source = embeddedFile(url);
  if (!source) {
    throw new BackupError(
      url.startsWith("file:")
        ? `database.url ${url} is an in-memory database: there is nothing to back up`
        : isPostgresUrl(url)
          ? "db backup copies the embedded database only; back a PostgreSQL database up with pg_dump"
          : `db backup copies the embedded database only; database.url names a remote libSQL server (back it up with that server's own tools)`,
    );
  }
  const from = resolve(source);
  const to = resolve(target);
  if (!existsSync(from)) throw new BackupError(`no database at ${from} (database.url ${url})`);
  if (existsSync(to)) throw new BackupError(`${to} already exists; db backup does not overwrite`);
  if (!existsSync(dirname(to))) throw new BackupError(`folder ${dirname(to)} does not exist`);
  const db = await openDatabase({ url, authToken: config.database.authToken, busyTimeoutMs: config.database.busyTimeoutMs });
  try {
    if (!db.libsql) throw new BackupError("db backup copies the embedded database only");
    await db.libsql.execute({ sql: "VACUUM INTO ?", args: [to] });
  } finally {
    // Only read here, and a server may hold the database: no checkpoint of its WAL from this process.
    await db.close();
  }
  return { from, to, bytes: statSync(to).size };
}
