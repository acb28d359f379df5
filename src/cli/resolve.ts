// Finds the command the words name: a command (with its operands checked), a group word alone
// (`migrate`), or nothing known.
import { UsageError } from "./args";
import { commands, groups, type Command } from "./commands";

export type Resolved = { kind: "command"; command: Command; operands: string[] } | { kind: "group"; word: string } | { kind: "none" } | { kind: "unknown" };

const longestFirst = [...commands].sort((a, b) => b.path.length - a.path.length);

export function resolveCommand(words: string[]): Resolved {
  if (words.length === 0) return { kind: "none" };
  const command = longestFirst.find((c) => c.path.every((w, i) => words[i] === w));
  if (command) return { kind: "command", command, operands: words.slice(command.path.length) };
  if (words.length === 1 && words[0] in groups) return { kind: "group", word: words[0] };
  return { kind: "unknown" };
}

/** Refuses operands a command does not take, and missing ones, naming them. */
export function checkOperands(command: Command, operands: string[]): void {
  const spec = command.operands ?? { name: "", min: 0, max: 0 };
  const name = `"${command.path.join(" ")}"`;
  if (operands.length > spec.max) {
    const takes = spec.max === 0 ? "takes no arguments" : `takes ${spec.max === 1 ? "one" : `at most ${spec.max}`} ${spec.name}`;
    throw new UsageError(`unexpected argument "${operands[spec.max]}": ${name} ${takes}`);
  }
  if (operands.length < spec.min) throw new UsageError(`${name} needs ${spec.name} (usage: ${command.usage})`);
}

/** Refuses a command option given to a command it does not belong to. */
export function checkOptions(command: Command, given: Record<string, { spelled: string }>): void {
  const own = new Set((command.options ?? []).map((o) => o.key));
  for (const [key, { spelled }] of Object.entries(given)) {
    if (!own.has(key)) throw new UsageError(`flag ${spelled} is not a flag of "${command.path.join(" ")}" (usage: ${command.usage})`);
  }
}
