// File descriptors. When the process runs out, Bun's accept loop finds the listening socket readable,
// fails to accept, and tries again at once: a core at 100% with nothing reported to JavaScript. So
// the edge keeps connections within the open-file limit itself, and a probe notices when the limit is
// reached anyway (other files, outgoing sockets, or the system-wide table) so the listeners can pause.
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";

/** The soft RLIMIT_NOFILE, where the platform shows it (Linux); undefined elsewhere. */
export function openFileLimit(): number | undefined {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.split(/\s{2,}/)[1];
    const n = Number(soft);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Descriptors open now, where the platform lists them (Linux); undefined elsewhere. */
export function openFileCount(): number | undefined {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return undefined;
  }
}

/**
 * How many client connections fit: the limit less what is open already and a reserve for the
 * database, blob files and outgoing calls. Infinity when the limit is unknown.
 */
export function connectionBudget(limit = openFileLimit(), open = openFileCount()): number {
  if (limit === undefined) return Number.POSITIVE_INFINITY;
  const reserve = Math.max(16, Math.ceil(limit * 0.05));
  return Math.max(1, limit - (open ?? 0) - reserve);
}

/** True when one more descriptor can be opened now; false on EMFILE or ENFILE. */
export function canOpenFile(): boolean {
  try {
    closeSync(openSync("/dev/null", "r"));
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code !== "EMFILE" && code !== "ENFILE";
  }
}
