// Prepared-statement reuse for the embedded database. @libsql/client prepares every statement anew and
// asks for its columns twice per call; on the event and launch paths that was a third of the CPU. This
// keeps the last statements per database handle (they are reusable, and libsql runs them synchronously)
// and remembers their columns. Remote (sqld) connections do not use this code path.
import Database from "libsql";

interface CachedStatement {
  columns(): unknown[];
}

const limit = 512;
const caches = new WeakMap<object, Map<string, CachedStatement>>();
let installed = false;

export function installStatementCache(): void {
  if (installed) return;
  installed = true;
  const proto = Database.prototype as unknown as { prepare(this: object, sql: string): CachedStatement };
  const prepare = proto.prepare;
  proto.prepare = function (this: object, sql: string): CachedStatement {
    let cache = caches.get(this);
    if (!cache) caches.set(this, (cache = new Map()));
    const hit = cache.get(sql);
    if (hit) {
      // Most recently used last, so the oldest is evicted first.
      cache.delete(sql);
      cache.set(sql, hit);
      return hit;
    }
    const stmt = prepare.call(this, sql);
    const columns = stmt.columns.bind(stmt);
    let known: unknown[] | undefined;
    stmt.columns = () => (known ??= columns());
    cache.set(sql, stmt);
    if (cache.size > limit) cache.delete(cache.keys().next().value as string);
    return stmt;
  };
}
