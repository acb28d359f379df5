// Database failures in the server's error family: unique violations (SQLite's constraint error, PostgreSQL's
// SQLSTATE 23505) are AlreadyExists as upstream maps them, everything else Internal with the driver's message.
import { AdminError, alreadyExists, internal } from "../../kernel/errors";

function messageOf(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
  }
  return String(e);
}

/** Bun's PostgreSQL client puts the SQLSTATE in `errno`. */
const sqlState = (e: unknown) => (e instanceof Error ? (e as Error & { errno?: unknown }).errno : undefined);

export function isUniqueViolation(e: unknown): boolean {
  if (sqlState(e) === "23505") return true;
  return /UNIQUE constraint failed|SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)/.test(messageOf(e));
}

/** `constraint` names the violated key the way upstream's Postgres message would. */
export function dbError(e: unknown, constraint: string): AdminError {
  if (e instanceof AdminError) return e;
  if (isUniqueViolation(e)) {
    return alreadyExists(`value with matching already exists (duplicate key value violates unique constraint "${constraint}")`);
  }
  return internal(`failed database operation with ${messageOf(e)}`);
}
