// What a command is: its words, help, operands and options, and how it runs.
import type { Config } from "../config/schema";
import type { Logger } from "../kernel/log";
import type { CommandOption } from "./args";

export interface CommandContext {
  config: Config;
  /** The --config file given, if any. */
  configFile?: string;
  args: string[];
  /** The command's own options given (CommandOption.key → value; switches "true"). */
  options: Record<string, string>;
  log: Logger;
}

export interface Command {
  path: string[];
  summary: string;
  usage: string;
  /** Positional arguments after the command words; none when absent. */
  operands?: { name: string; min: number; max: number };
  options?: CommandOption[];
  run(ctx: CommandContext): Promise<number>;
}
