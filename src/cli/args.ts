// Command-line parsing: positional words form the command; `--config FILE`, `--help`, and
// `--<config.key> VALUE` / `--<config.key>=VALUE` may appear anywhere.
export interface ParsedArgs {
  words: string[];
  config?: string;
  help: boolean;
  /** Dotted config key → raw value. */
  flags: Record<string, string>;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function parseArgs(argv: string[]): ParsedArgs {
  const out: ParsedArgs = { words: [], help: false, flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") {
      out.help = true;
      continue;
    }
    if (!a.startsWith("--")) {
      out.words.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    let value: string;
    if (eq > 0) value = a.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`flag --${name} needs a value`);
      value = next;
      i++;
    }
    if (name === "config") out.config = value;
    else out.flags[name] = value;
  }
  return out;
}
