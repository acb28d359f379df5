// Flattens the config schema into its leaves: dotted key, default, doc, and whether the value is text.
// Used for `config docs`, FLYTE_* environment variables and --flags.
import { z } from "zod";
import { configSchema } from "./schema";

export interface ConfigKey {
  key: string;
  default: unknown;
  doc: string;
  /** String-typed leaves take env/flag values verbatim; others are parsed as YAML scalars/lists. */
  textual: boolean;
}

function innerOf(t: z.ZodType): z.ZodType {
  let cur: z.ZodType = t;
  while (cur instanceof z.ZodDefault || cur instanceof z.ZodPrefault) cur = cur.unwrap() as z.ZodType;
  return cur;
}

function walk(obj: z.ZodObject, prefix: string, out: ConfigKey[]): void {
  for (const [name, field] of Object.entries(obj.shape) as Array<[string, z.ZodType]>) {
    const key = prefix ? `${prefix}.${name}` : name;
    const inner = innerOf(field);
    if (inner instanceof z.ZodObject) {
      walk(inner, key, out);
      continue;
    }
    const def = field instanceof z.ZodDefault ? (field.def.defaultValue as unknown) : undefined;
    out.push({
      key,
      default: def,
      doc: field.description ?? "",
      textual: inner instanceof z.ZodString || inner instanceof z.ZodEnum,
    });
  }
}

export const configKeys: ConfigKey[] = (() => {
  const out: ConfigKey[] = [];
  walk(configSchema, "", out);
  return out;
})();

/** server.httpPort → FLYTE_SERVER_HTTPPORT: upper case, every run of non-alphanumerics becomes "_". */
export function envName(key: string): string {
  return `FLYTE_${key.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}`;
}

/** Levenshtein distance, case-insensitive (a flag typed in the wrong case is still the same flag). */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length];
}

/** The candidate `name` is an obvious misspelling of: the single nearest one, if it is near enough. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 6));
  let best: string | undefined;
  let bestDistance = Infinity;
  let tied = false;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestDistance) [best, bestDistance, tied] = [c, d, false];
    else if (d === bestDistance) tied = true;
  }
  return bestDistance <= limit && !tied ? best : undefined;
}
