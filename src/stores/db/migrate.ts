// Applies and rolls back the embedded migrations, one transaction each, bookkept in `__migrations`.
import type { Client } from "@libsql/client";
import { migrations, statements, type Migration } from "./migrations";

const bookkeeping = `CREATE TABLE IF NOT EXISTS __migrations (
  tag TEXT PRIMARY KEY NOT NULL,
  applied_at TEXT NOT NULL
)`;

async function applied(client: Client): Promise<string[]> {
  await client.execute(bookkeeping);
  const rs = await client.execute("SELECT tag FROM __migrations ORDER BY tag");
  return rs.rows.map((r) => String(r.tag));
}

async function runInTx(client: Client, sqlText: string, book: { sql: string; args: string[] }): Promise<void> {
  const tx = await client.transaction("write");
  try {
    for (const stmt of statements(sqlText)) await tx.execute(stmt);
    await tx.execute(book);
    await tx.commit();
  } catch (e) {
    await tx.rollback();
    throw e;
  } finally {
    tx.close();
  }
}

/** Applies every pending migration in order; returns the tags it applied. */
export async function migrateUp(client: Client, list: Migration[] = migrations): Promise<string[]> {
  const done = new Set(await applied(client));
  const ran: string[] = [];
  for (const m of list) {
    if (done.has(m.tag)) continue;
    await runInTx(client, m.up, {
      sql: "INSERT INTO __migrations (tag, applied_at) VALUES (?, ?)",
      args: [m.tag, new Date().toISOString()],
    });
    ran.push(m.tag);
  }
  return ran;
}

/** Undoes the most recently applied migration; returns its tag, or undefined when none is applied. */
export async function migrateDown(client: Client, list: Migration[] = migrations): Promise<string | undefined> {
  const done = await applied(client);
  const last = done[done.length - 1];
  if (last === undefined) return undefined;
  const m = list.find((x) => x.tag === last);
  if (!m) throw new Error(`applied migration ${last} is not known to this binary; cannot roll it back`);
  await runInTx(client, m.down, { sql: "DELETE FROM __migrations WHERE tag = ?", args: [m.tag] });
  return m.tag;
}
