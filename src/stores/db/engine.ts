// The one surface the stores run SQL through, so the same store code serves the embedded libSQL file and
// a shared PostgreSQL. Statements come two ways: drizzle `sql` fragments (rendered per dialect: `?` or
// `$n`, quoting) and hand-written text with `?` placeholders for the hot paths.
import type { SQL } from "drizzle-orm";

export type SqlRow = Record<string, unknown>;
export type SqlValue = string | number | null | Uint8Array;
export type Dialect = "sqlite" | "postgres";

export interface SqlEngine {
  readonly dialect: Dialect;
  /** The rows of a drizzle `sql` fragment. */
  all<R = SqlRow>(q: SQL): Promise<R[]>;
  /** Runs a drizzle `sql` fragment; the number of rows it changed. */
  run(q: SQL): Promise<number>;
  /** The rows of hand-written text with `?` placeholders. */
  query(text: string, args: readonly SqlValue[]): Promise<SqlRow[]>;
  /** Runs hand-written text with `?` placeholders; the number of rows it changed. */
  exec(text: string, args: readonly SqlValue[]): Promise<number>;
  /** Runs `fn` in one transaction (committed when it resolves, rolled back when it throws). Inside, `tx` is the engine. */
  transaction<T>(fn: (tx: SqlEngine) => Promise<T>): Promise<T>;
}
