// Upstream's deterministic names (flyteadmin/scheduler/identifier, ops.md §3): a tick fired twice, by a
// restart, a catch-up or a second replica, names the same execution, so the second create is AlreadyExists.
import type { EntityKey } from "../ports/common";

const offset = 0xcbf29ce484222325n;
const prime = 0x100000001b3n;
const mask = 0xffffffffffffffffn;

/** FNV-1 (multiply, then xor) 64-bit over the UTF-8 bytes of `text`, as Go's hash/fnv New64. */
export function fnv1_64(text: string): bigint {
  let h = offset;
  for (const b of new TextEncoder().encode(text)) h = ((h * prime) & mask) ^ BigInt(b);
  return h;
}

/** Upstream's schedule name: the decimal hash of "project:domain:name:version". */
export const scheduleName = (k: EntityKey): string => fnv1_64(`${k.project}:${k.domain}:${k.name}:${k.version}`).toString(10);

/**
 * The execution name of the tick at `tickMs`: "f" + the first 19 hex digits of the UUID whose bytes are
 * the little-endian hash of "project:domain:name:version:<unix seconds>" followed by eight zero bytes.
 */
export function executionName(k: EntityKey, tickMs: number): string {
  const h = fnv1_64(`${k.project}:${k.domain}:${k.name}:${k.version}:${Math.floor(tickMs / 1000)}`);
  let hex = "";
  for (let i = 0n; i < 8n; i++) hex += ((h >> (8n * i)) & 0xffn).toString(16).padStart(2, "0");
  return `f${(hex + "0".repeat(16)).slice(0, 19)}`;
}
