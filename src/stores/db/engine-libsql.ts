// The SqlEngine of a libSQL client: writes outside transactions go through group commit (when the client
// is wrapped in it), reads and transactions straight to the client.
import { SQLiteAsyncDialect } from "drizzle-orm/sqlite-core";
import type { SQL } from "drizzle-orm";
import type { Client, InValue, Transaction } from "@libsql/client";
import type { SqlEngine, SqlRow, SqlValue } from "./engine";

const dialect = new SQLiteAsyncDialect();

/** libsql binds Buffers, not bare Uint8Arrays; this wraps without copying. */
const bindable = (v: unknown): InValue => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : (v as InValue));

type Executor = Pick<Client | Transaction, "execute">;

function engineOn(target: Executor, transaction: SqlEngine["transaction"]): SqlEngine {
  const execute = (sql: string, args: readonly unknown[]) => target.execute({ sql, args: args.map(bindable) });
  return {
    dialect: "sqlite",
    async all<R>(q: SQL) {
      const { sql, params } = dialect.sqlToQuery(q);
      return (await execute(sql, params)).rows as unknown as R[];
    },
    async run(q: SQL) {
      const { sql, params } = dialect.sqlToQuery(q);
      return (await execute(sql, params)).rowsAffected;
    },
    async query(text: string, args: readonly SqlValue[]) {
      return (await execute(text, args)).rows as unknown as SqlRow[];
    },
    async exec(text: string, args: readonly SqlValue[]) {
      return (await execute(text, args)).rowsAffected;
    },
    transaction,
  };
}

export function libsqlEngine(client: Client): SqlEngine {
  return engineOn(client, async (fn) => {
    const tx = await client.transaction("write");
    try {
      // Nested calls join the open transaction (SQLite has one writer anyway).
      const inner: SqlEngine = engineOn(tx, (f) => f(inner));
      const out = await fn(inner);
      await tx.commit();
      return out;
    } catch (e) {
      // A failed commit may have closed the transaction already; its own error is the one to report.
      await tx.rollback().catch(() => undefined);
      throw e;
    } finally {
      tx.close();
    }
  });
}
