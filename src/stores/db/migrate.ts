// Applies and rolls back the embedded migrations under one write transaction, bookkept in `__migrations`.
import type { Client, Transaction } from "@libsql/client";
import { migrations, statements, type Migration } from "./migrations";

const bookkeeping = `CREATE TABLE IF NOT EXISTS __migrations (
  tag TEXT PRIMARY KEY NOT NULL,
  applied_at TEXT NOT NULL
)`;

async function applied(tx: Transaction): Promise<string[]> {
  await tx.execute(bookkeeping);
  const rs = await tx.execute("SELECT tag FROM __migrations ORDER BY tag");
  return rs.rows.map((r) => String(r.tag));
}

/**
 * Runs `fn` in one write transaction. Taking the write lock before reading what is applied makes
 * processes that migrate at the same moment (serve and seed-projects, several replicas) queue on the
 * lock: the first applies everything, the others then find nothing pending. Reading first and locking
 * per migration let two of them both apply the same one ("table ... already exists").
 */
async function locked<T>(client: Client, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  const tx = await client.transaction("write");
  try {
    const out = await fn(tx);
    await tx.commit();
    return out;
  } catch (e) {
    await tx.rollback();
    throw e;
  } finally {
    tx.close();
  }
}

async function run(tx: Transaction, sqlText: string): Promise<void> {
  for (const stmt of statements(sqlText)) await tx.execute(stmt);
}

/** Applies every pending migration in order, all under one lock; returns the tags it applied. */
export async function migrateUp(client: Client, list: Migration[] = migrations): Promise<string[]> {
  return locked(client, async (tx) => {
    const done = new Set(await applied(tx));
    const ran: string[] = [];
    for (const m of list) {
      if (done.has(m.tag)) continue;
      await run(tx, m.up);
      await tx.execute({ sql: "INSERT INTO __migrations (tag, applied_at) VALUES (?, ?)", args: [m.tag, new Date().toISOString()] });
      ran.push(m.tag);
    }
    return ran;
  });
}

/** Undoes the most recently applied migration; returns its tag, or undefined when none is applied. */
export async function migrateDown(client: Client, list: Migration[] = migrations): Promise<string | undefined> {
  return locked(client, async (tx) => {
    const done = await applied(tx);
    const last = done[done.length - 1];
    if (last === undefined) return undefined;
    const m = list.find((x) => x.tag === last);
    if (!m) throw new Error(`applied migration ${last} is not known to this binary; cannot roll it back`);
    await run(tx, m.down);
    await tx.execute({ sql: "DELETE FROM __migrations WHERE tag = ?", args: [m.tag] });
    return m.tag;
  });
}
