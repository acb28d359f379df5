// Database failures in the server's error family: unique violations are AlreadyExists (as upstream maps
// Postgres 23505), everything else Internal with the driver's message.
import { AdminError, alreadyExists, internal } from "../../kernel/errors";

function messageOf(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${e.message}: ${cause.message}` : e.message;
  }
  return String(e);
}

export function isUniqueViolation(e: unknown): boolean {
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
