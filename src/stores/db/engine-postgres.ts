// The SqlEngine of a PostgreSQL pool (Bun's built-in client: measured fastest of the clients on npm here,
// and it needs nothing beside the binary). Hand-written `?` text is rewritten to `$n` once per text.
import type { SQL as Fragment } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { SQL } from "bun";
import type { SqlEngine, SqlRow, SqlValue } from "./engine";

const dialect = new PgDialect();
const texts = new Map<string, string>();
const textLimit = 2048;

/** `?` → `$1, $2, …` and SQLite's numbered `?N` → `$N`, outside quoted strings and identifiers. */
export function numberedPlaceholders(text: string): string {
  let out = "";
  let n = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === "?") {
      const digits = /^\d+/.exec(text.slice(i + 1))?.[0];
      if (digits) {
        out += `$${digits}`;
        i += digits.length;
      } else {
        n += 1;
        out += `$${n}`;
      }
      continue;
    }
    out += ch;
  }
  return out;
}

function numbered(text: string): string {
  let t = texts.get(text);
  if (t === undefined) {
    t = numberedPlaceholders(text);
    // Texts are the stores' own (a bounded set); the cap only guards against a store building them freely.
    if (texts.size >= textLimit) texts.clear();
    texts.set(text, t);
  }
  return t;
}

/**
 * The pool runs with `bigint: true` so that bigint columns arrive as BigInt rather than as text; they are
 * turned into numbers here (ids, counts and epoch milliseconds all fit), so rows look as libSQL's do.
 */
function plain(rows: SqlRow[]): SqlRow[] {
  for (const row of rows) {
    for (const k in row) {
      const v = row[k];
      if (typeof v === "bigint") row[k] = Number(v);
    }
  }
  return rows;
}

interface Result extends Array<SqlRow> {
  count: number;
}

type Runner = Pick<SQL, "unsafe">;

/** Told every statement's text before it runs (database.postgres.debug). */
export type StatementLog = (text: string) => void;

function engineOn(target: Runner, transaction: SqlEngine["transaction"], log: StatementLog | undefined): SqlEngine {
  const execute = (text: string, args: readonly unknown[]) => {
    log?.(text);
    return target.unsafe(text, args as unknown[]) as Promise<Result>;
  };
  return {
    dialect: "postgres",
    async all<R>(q: Fragment) {
      const { sql, params } = dialect.sqlToQuery(q);
      return plain(await execute(sql, params)) as unknown as R[];
    },
    async run(q: Fragment) {
      const { sql, params } = dialect.sqlToQuery(q);
      return (await execute(sql, params)).count;
    },
    async query(text: string, args: readonly SqlValue[]) {
      return plain(await execute(numbered(text), args));
    },
    async exec(text: string, args: readonly SqlValue[]) {
      return (await execute(numbered(text), args)).count;
    },
    transaction,
  };
}

export function postgresEngine(pool: SQL, log?: StatementLog): SqlEngine {
  return engineOn(
    pool,
    (fn) =>
      pool.begin(async (tx) => {
        // Nested calls join the open transaction.
        const inner: SqlEngine = engineOn(tx, (f) => f(inner), log);
        return fn(inner);
      }),
    log,
  );
}
