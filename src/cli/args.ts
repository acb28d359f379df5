// Command-line parsing: positional words form the command; `--config FILE`, `--help`/`-h`,
// `--version`/`-v` and `--<config.key> VALUE` / `--<config.key>=VALUE` may appear anywhere, and `--`
// ends the flags. A flag that is none of these is refused here, before any command runs.
import { closest, configKeys } from "../config/keys";

/** A flag of one command only (`secret init -p DIR`), besides the global ones. */
export interface CommandOption {
  /** Spellings, e.g. ["-p", "--localPath"]. */
  names: string[];
  /** Key in ParsedArgs.options. */
  key: string;
  /** True: takes a value; false: a switch. */
  value: boolean;
}

export interface ParsedArgs {
  words: string[];
  /** Command options given, by key (switches: "true"), with the spelling used, for checking against the command. */
  options: Record<string, { value: string; spelled: string }>;
  config?: string;
  help: boolean;
  version: boolean;
  /** Dotted config key → raw value. */
  flags: Record<string, string>;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

const keyNames = configKeys.map((k) => k.key);
const knownKeys = new Set(keyNames);
const switches: Record<string, "help" | "version"> = { "--help": "help", "-h": "help", "--version": "version", "-v": "version" };

function unknownFlag(flag: string): UsageError {
  const hint = closest(flag.replace(/^-+/, ""), keyNames);
  const more = hint ? `did you mean --${hint}?` : "see 'flyteadmin config docs' for every key";
  return new UsageError(`unknown flag ${flag} (${more})`);
}

export function parseArgs(argv: string[], commandOptions: readonly CommandOption[] = []): ParsedArgs {
  const out: ParsedArgs = { words: [], options: {}, help: false, version: false, flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      out.words.push(...argv.slice(i + 1));
      break;
    }
    const eq = a.indexOf("=");
    const flag = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    const sw = switches[flag];
    if (sw) {
      if (flag !== a) throw new UsageError(`flag ${flag} takes no value`);
      out[sw] = true;
      continue;
    }
    // "-" alone is a word by convention; any other dash word is a flag.
    if (!a.startsWith("-") || a === "-") {
      out.words.push(a);
      continue;
    }
    const option = commandOptions.find((o) => o.names.includes(flag));
    if (option) {
      let value = "true";
      if (option.value) {
        const next = argv[i + 1];
        if (flag !== a) value = a.slice(eq + 1);
        else if (next === undefined || next.startsWith("-")) throw new UsageError(`flag ${flag} needs a value`);
        else [value, i] = [next, i + 1];
      } else if (flag !== a) throw new UsageError(`flag ${flag} takes no value`);
      out.options[option.key] = { value, spelled: flag };
      continue;
    }
    if (!a.startsWith("--")) throw unknownFlag(a);
    const name = flag.slice(2);
    if (name !== "config" && !knownKeys.has(name)) throw unknownFlag(flag);
    let value: string;
    if (flag !== a) value = a.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`flag --${name} needs a value`);
      value = next;
      i++;
    }
    if (name === "config") {
      if (value === "") throw new UsageError("flag --config needs a value");
      out.config = value;
    } else out.flags[name] = value;
  }
  return out;
}
