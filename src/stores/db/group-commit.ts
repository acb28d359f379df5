// Group commit: single-statement writes from concurrent calls are gathered for one turn of the event loop
// and committed together in one write transaction. Each commit appends every page it touched to the WAL
// (a node execution insert dirties the row's leaf and five index pages), so under load one commit for
// many statements writes each shared page once instead of once per statement. Every caller still waits
// for the commit that holds its statement before it answers, and gets its own statement's result or error.
// Reads and explicit transactions pass straight through.
import { LibsqlBatchError, type Client, type InStatement, type InArgs, type ResultSet } from "@libsql/client";

interface Pending {
  stmt: InStatement;
  resolve(r: ResultSet): void;
  reject(e: unknown): void;
}

const writeSql = /^\s*(insert|update|delete|replace)\b/i;
const maxBatch = 256;

const sqlOf = (stmt: InStatement) => (typeof stmt === "string" ? stmt : stmt.sql);

export function groupCommit(client: Client): Client {
  const queue: Pending[] = [];
  let scheduled = false;

  async function commit(batch: Pending[]): Promise<void> {
    if (batch.length === 0) return;
    if (batch.length === 1) {
      const [one] = batch;
      await client.execute(one.stmt).then(one.resolve, one.reject);
      return;
    }
    try {
      const results = await client.batch(
        batch.map((b) => b.stmt),
        "write",
      );
      results.forEach((r, i) => {
        batch[i].resolve(r);
      });
    } catch (e) {
      // A failed statement rolls the batch back: it alone gets the error, the others commit without it.
      const i = e instanceof LibsqlBatchError ? e.statementIndex : -1;
      if (i < 0 || i >= batch.length) {
        for (const b of batch) b.reject(e);
        return;
      }
      batch[i].reject(e);
      await commit([...batch.slice(0, i), ...batch.slice(i + 1)]);
    }
  }

  function flush(): void {
    const batch = queue.splice(0, maxBatch);
    scheduled = queue.length > 0;
    if (scheduled) setImmediate(flush);
    void commit(batch);
  }

  function execute(stmtOrSql: InStatement | string, args?: InArgs): Promise<ResultSet> {
    const stmt: InStatement = typeof stmtOrSql === "string" ? (args === undefined ? stmtOrSql : { sql: stmtOrSql, args }) : stmtOrSql;
    if (!writeSql.test(sqlOf(stmt))) return client.execute(stmt);
    return new Promise((resolve, reject) => {
      queue.push({ stmt, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  }

  return new Proxy(client, {
    get(target, prop) {
      if (prop === "execute") return execute;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
