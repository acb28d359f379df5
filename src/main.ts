#!/usr/bin/env bun
// CLI entry: parse the command line, load config, run one command, exit with its code.
import { parseArgs, UsageError } from "./cli/args";
import { commands, helpText } from "./cli/commands";
import { ConfigError, loadConfig } from "./config/load";
import { configSchema } from "./config/schema";
import { createLogger } from "./log";

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const command = [...commands]
    .sort((a, b) => b.path.length - a.path.length)
    .find((c) => c.path.every((w, i) => args.words[i] === w));
  if (args.help || !command) {
    if (!args.help && args.words.length > 0) {
      console.error(`flyteadmin: unknown command "${args.words.join(" ")}"\n`);
      console.error(helpText());
      return 2;
    }
    console.log(helpText(command?.path ?? args.words));
    return 0;
  }
  const config = command.needsConfig
    ? loadConfig({ file: args.config, env: process.env, flags: args.flags })
    : configSchema.parse({});
  const log = createLogger(config.logger.level);
  return command.run({ config, args: args.words.slice(command.path.length), log });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const known = e instanceof ConfigError || e instanceof UsageError;
    console.error(`flyteadmin: ${e instanceof Error ? e.message : String(e)}`);
    if (!known && e instanceof Error && process.env.FLYTEADMIN_DEBUG) console.error(e.stack);
    process.exit(known ? 2 : 1);
  },
);
