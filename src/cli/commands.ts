// The commands: each loads what it needs and returns an exit code.
import type { Config } from "../config/schema";
import { configDocs } from "../config/load";
import { CheckpointError, databaseOptions, openDatabase, type Database } from "../stores/db/client";
import { migrateDown, migrateUp } from "../stores/db/migrate";
import { projectStore } from "../stores/db/projects";
import { ProjectManager } from "../domain/projects/manager";
import { versionInfo } from "../kernel/version";
import { backupDatabase } from "./backup";
import { dbCopyCommand } from "./db-copy";
import { startupFields } from "./startup";
import type { Command } from "./command";
import { createSecret, initSecrets, secretClient, secretData } from "./secrets";
import { parseGoDuration } from "../kernel/duration";
import { schedulerCommands } from "./commands-scheduler";
import { clusterResourceCommands } from "./commands-clusterresource";

export type { Command, CommandContext } from "./command";

/** Summaries of the words that only group subcommands. */
export const groups: Record<string, string> = {
  migrate: "database migrations and seeding",
  config: "configuration reference",
  db: "database maintenance: backup, copy between engines",
  secret: "the auth secrets: files and the Kubernetes Secret",
  scheduler: "the schedule runner",
  clusterresource: "namespaces and resources per project and domain",
};

async function withDatabase<T>(config: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(databaseOptions(config.database));
  let result: T;
  try {
    result = await fn(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  try {
    await db.checkpointAndClose();
  } catch (e) {
    // The work is committed either way; a busy WAL only means a running server folds it in later.
    if (!(e instanceof CheckpointError)) throw e;
  }
  return result;
}

export const commands: Command[] = [
  {
    path: ["serve"],
    summary: "serve every protocol on server.httpPort and server.grpc.port until SIGTERM/SIGINT",
    usage: "flyteadmin serve [--config FILE] [--<key> VALUE ...]",
    async run({ config, configFile, log }) {
      log.info("starting", startupFields(config, configFile));
      // Loaded here: the server's modules are most of start-up time, and no other command needs them.
      const { startServer } = await import("../server");
      const server = await startServer(config, log);
      const failure = await new Promise<unknown>((resolve) => {
        const stop = (signal: string) => {
          log.info("stopping", { signal });
          server.close().then(() => resolve(undefined), resolve);
        };
        process.once("SIGTERM", () => stop("SIGTERM"));
        process.once("SIGINT", () => stop("SIGINT"));
      });
      if (failure !== undefined) {
        log.error("stop failed", { error: failure instanceof Error ? failure.message : String(failure) });
        return 1;
      }
      log.info("stopped");
      return 0;
    },
  },
  {
    path: ["migrate", "run"],
    summary: "apply every pending database migration",
    usage: "flyteadmin migrate run [--config FILE]",
    async run({ config, log }) {
      const ran = await withDatabase(config, (db) => migrateUp(db.db));
      log.info(ran.length ? "applied migrations" : "no pending migrations", { migrations: ran });
      return 0;
    },
  },
  {
    path: ["migrate", "rollback"],
    summary: "undo the most recently applied migration",
    usage: "flyteadmin migrate rollback [--config FILE]",
    async run({ config, log }) {
      const tag = await withDatabase(config, (db) => migrateDown(db.db));
      log.info(tag ? "rolled back migration" : "no migration to roll back", { migration: tag });
      return 0;
    },
  },
  {
    path: ["migrate", "seed-projects"],
    summary: "create projects that do not exist yet (flytesnacks when no names are given)",
    usage: "flyteadmin migrate seed-projects [NAME ...] [--config FILE]",
    operands: { name: "NAME", min: 0, max: Infinity },
    async run({ config, args, log }) {
      const names = args.length > 0 ? args : ["flytesnacks"];
      const created = await withDatabase(config, async (db) => {
        await migrateUp(db.db);
        return new ProjectManager(projectStore(db.db), config.domains).seed(names);
      });
      log.info("seeded projects", { created, existing: names.filter((n) => !created.includes(n)) });
      return 0;
    },
  },
  {
    path: ["db", "backup"],
    summary: "write a consistent copy of the embedded database to FILE (safe while serve runs)",
    usage: "flyteadmin db backup FILE [--config CONFIG]",
    operands: { name: "FILE", min: 1, max: 1 },
    async run({ config, args, log }) {
      log.info("backed up database", { ...(await backupDatabase(config, args[0])) });
      return 0;
    },
  },
  {
    path: ["db", "copy"],
    summary: "copy every row into an empty database of either engine (file: to postgres://, or back)",
    usage: "flyteadmin db copy [--from URL] --to URL [--config CONFIG] (--from defaults to database.url)",
    options: [
      { names: ["--from"], key: "from", value: true },
      { names: ["--to"], key: "to", value: true },
    ],
    run: ({ config, options, log }) => dbCopyCommand(config, options, log),
  },
  {
    path: ["secret", "init"],
    summary: "write new auth secrets (claim_symmetric_key, cookie_hash_key, cookie_block_key, token_rsa_key.pem)",
    usage: "flyteadmin secret init [-p|--localPath DIR]",
    options: [{ names: ["-p", "--localPath"], key: "localPath", value: true }],
    async run({ options, log }) {
      const dir = options.localPath ?? process.cwd();
      log.info("wrote secrets", { dir, files: initSecrets(dir) });
      return 0;
    },
  },
  {
    path: ["secret", "create"],
    summary: "put the files of a folder into a Kubernetes Secret in $POD_NAMESPACE (create, or add missing keys)",
    usage: "flyteadmin secret create [--name NAME] [--fromPath DIR] [-f|--force]",
    options: [
      { names: ["--name"], key: "name", value: true },
      { names: ["--fromPath"], key: "fromPath", value: true },
      { names: ["-f", "--force"], key: "force", value: false },
    ],
    async run({ config, options, log }) {
      const client = secretClient(config.server["kube-config"], config.server.master, parseGoDuration(config.server.kubeClientConfig.timeout) ?? 30_000);
      const name = options.name ?? "flyte-admin-auth";
      const namespace = process.env.POD_NAMESPACE || "default";
      const data = secretData(options.fromPath ?? "/etc/secrets");
      const { outcome, added } = await createSecret(client, { name, namespace, data, force: options.force === "true" });
      log.info(`secret ${outcome}`, { secret: `${namespace}/${name}`, keys: added });
      return 0;
    },
  },
  ...schedulerCommands,
  ...clusterResourceCommands,
  {
    path: ["config", "docs"],
    summary: "print every configuration key with its default and environment variable",
    usage: "flyteadmin config docs",
    async run() {
      console.log(configDocs());
      return 0;
    },
  },
  {
    path: ["version"],
    summary: "print version, commit and build time (also --version, -v)",
    usage: "flyteadmin version",
    async run() {
      console.log(JSON.stringify(versionInfo));
      return 0;
    },
  },
];

const listing = (shown: Command[]) => shown.map((c) => `  ${c.path.join(" ").padEnd(24)} ${c.summary}`);

/** Help of one command, of a group (`migrate`), or of everything (no words). */
export function helpText(prefix: string[] = []): string {
  const exact = commands.find((c) => c.path.join(" ") === prefix.join(" "));
  if (exact) return `${exact.summary}\n\nusage: ${exact.usage}\n\nConfiguration keys: flyteadmin config docs`;
  const group = prefix.length === 1 ? groups[prefix[0]] : undefined;
  if (group) {
    return [
      `flyteadmin ${prefix[0]}: ${group}`,
      "",
      `usage: flyteadmin ${prefix[0]} <command>`,
      "",
      "commands:",
      ...listing(commands.filter((c) => c.path[0] === prefix[0])),
    ].join("\n");
  }
  return [
    "flyteadmin: Flyte's control plane (flyteadmin v1.16 compatible)",
    "",
    "commands:",
    ...listing(commands),
    `  ${"help [COMMAND]".padEnd(24)} this help, or a command's`,
    "",
    "global flags: --config FILE, --<config.key> VALUE (see 'flyteadmin config docs'), --help, --version",
  ].join("\n");
}
