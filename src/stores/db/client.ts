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
  /** True while the database answers a trivial query. */
  ping(): Promise<boolean>;
  close(): void;
}

export interface DatabaseOptions {
  url: string;
  authToken?: string;
  busyTimeoutMs?: number;
}

function filePath(url: string): string | undefined {
  if (!url.startsWith("file:")) return undefined;
  const path = url.slice("file:".length).split("?")[0];
  return path === ":memory:" ? undefined : path;
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  const path = filePath(opts.url);
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
    close: () => client.close(),
  };
}
