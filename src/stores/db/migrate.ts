// Applies and rolls back the migrations of the database's engine under one write transaction, bookkept
// in `__migrations`.
import type { SqlEngine } from "./engine";
import { migrations, statements, type Migration } from "./migrations";
import { postgresMigrations } from "./migrations-postgres";

const bookkeeping = `CREATE TABLE IF NOT EXISTS __migrations (
  tag TEXT PRIMARY KEY NOT NULL,
  applied_at TEXT NOT NULL
)`;

/** Any fixed number: the PostgreSQL advisory lock every replica's migration run queues on. */
const migrationLock = 7_316_420_051;

export const migrationsOf = (db: SqlEngine): Migration[] => (db.dialect === "postgres" ? postgresMigrations : migrations);

async function applied(tx: SqlEngine): Promise<string[]> {
  await tx.exec(bookkeeping, []);
  const rows = await tx.query("SELECT tag FROM __migrations ORDER BY tag", []);
  return rows.map((r) => String(r.tag));
}

/**
 * Runs `fn` in one write transaction holding the migration lock: SQLite's write lock (taken at BEGIN),
 * on PostgreSQL an advisory lock held to the commit. Processes that migrate at the same moment (serve and
 * seed-projects, several replicas) queue on it: the first applies everything, the others then find
 * nothing pending. Reading first and locking per migration let two of them both apply the same one
 * ("table ... already exists").
 */
function locked<T>(db: SqlEngine, fn: (tx: SqlEngine) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    if (tx.dialect === "postgres") await tx.query(`SELECT pg_advisory_xact_lock(${migrationLock})`, []);
    return fn(tx);
  });
}

async function run(tx: SqlEngine, sqlText: string): Promise<void> {
  for (const stmt of statements(sqlText)) await tx.exec(stmt, []);
}

/** Applies every pending migration in order, all under one lock; returns the tags it applied. */
export async function migrateUp(db: SqlEngine, list: Migration[] = migrationsOf(db)): Promise<string[]> {
  return locked(db, async (tx) => {
    const done = new Set(await applied(tx));
    const ran: string[] = [];
    for (const m of list) {
      if (done.has(m.tag)) continue;
      await run(tx, m.up);
      await tx.exec("INSERT INTO __migrations (tag, applied_at) VALUES (?, ?)", [m.tag, new Date().toISOString()]);
      ran.push(m.tag);
    }
    return ran;
  });
}

/** Undoes the most recently applied migration; returns its tag, or undefined when none is applied. */
export async function migrateDown(db: SqlEngine, list: Migration[] = migrationsOf(db)): Promise<string | undefined> {
  return locked(db, async (tx) => {
    const done = await applied(tx);
    const last = done[done.length - 1];
    if (last === undefined) return undefined;
    const m = list.find((x) => x.tag === last);
    if (!m) throw new Error(`applied migration ${last} is not known to this binary; cannot roll it back`);
    await run(tx, m.down);
    await tx.exec("DELETE FROM __migrations WHERE tag = ?", [m.tag]);
    return m.tag;
  });
}
