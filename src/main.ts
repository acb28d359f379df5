#!/usr/bin/env bun
// CLI entry: parse the command line, load config, run one command, exit with its code.
import { parseArgs, UsageError } from "./cli/args";
import { BackupError } from "./cli/backup";
import { SecretCommandError } from "./cli/secrets";
import { ClusterConfigError } from "./cluster/selection";
import { TemplateConfigError } from "./cluster/resources/values";
import { commands, groups, helpText } from "./cli/commands";
import { checkOperands, checkOptions, resolveCommand } from "./cli/resolve";
import { ConfigError, loadConfig } from "./config/load";
import { createLogger } from "./kernel/log";

function refuse(message: string, help: string): number {
  console.error(`flyteadmin: ${message}\n`);
  console.error(help);
  return 2;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(
    argv,
    commands.flatMap((c) => c.options ?? []),
  );
  // `help serve` is `serve --help`.
  const asksHelp = args.help || args.words[0] === "help";
  const words = args.words[0] === "help" ? args.words.slice(1) : args.words;
  const target = args.version && !asksHelp ? resolveCommand(["version"]) : resolveCommand(words);
  if (target.kind === "unknown") {
    const group = words[0] in groups ? [words[0]] : [];
    return refuse(`unknown command "${words.join(" ")}"`, helpText(group));
  }
  if (asksHelp || target.kind === "none") {
    console.log(helpText(target.kind === "command" ? target.command.path : words));
    return 0;
  }
  if (target.kind === "group") return refuse(`"${target.word}" needs a subcommand`, helpText([target.word]));
  const { command } = target;
  // --version runs `version`, whatever words came with it.
  const operands = args.version ? [] : target.operands;
  checkOperands(command, operands);
  checkOptions(command, args.options);
  const config = loadConfig({
    file: args.config,
    env: process.env,
    flags: args.flags,
    warn: (message) => console.error(`flyteadmin: warning: ${message}`),
  });
  const log = createLogger(config.logger.level);
  const options = Object.fromEntries(Object.entries(args.options).map(([k, v]) => [k, v.value]));
  return command.run({ config, configFile: args.config, args: operands, options, log });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const known =
      e instanceof ConfigError ||
      e instanceof UsageError ||
      e instanceof BackupError ||
      e instanceof SecretCommandError ||
      e instanceof ClusterConfigError ||
      e instanceof TemplateConfigError;
    console.error(`flyteadmin: ${e instanceof Error ? e.message : String(e)}`);
    if (!known && e instanceof Error && process.env.FLYTEADMIN_DEBUG) console.error(e.stack);
    process.exit(known ? 2 : 1);
  },
);
