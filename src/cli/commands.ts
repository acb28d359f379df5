// The commands: each loads what it needs and returns an exit code.
import type { Config } from "../config/schema";
import { configDocs } from "../config/load";
import type { Logger } from "../log";
import { openDatabase } from "../stores/db/client";
import { migrateDown, migrateUp } from "../stores/db/migrate";
import { projectStore } from "../stores/db/projects";
import { ProjectManager } from "../domain/projects/manager";
import { startServer } from "../server";
import { versionInfo } from "../version";

export interface Command {
  path: string[];
  summary: string;
  usage: string;
  /** Commands that run without a configuration (version, config docs). */
  needsConfig: boolean;
  run(ctx: { config: Config; args: string[]; log: Logger }): Promise<number>;
}

async function withDatabase<T>(config: Config, fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const db = await openDatabase({
    url: config.database.url,
    authToken: config.database.authToken,
    busyTimeoutMs: config.database.busyTimeoutMs,
  });
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

export const commands: Command[] = [
  {
    path: ["serve"],
    summary: "serve every protocol on server.httpPort and server.grpc.port until SIGTERM/SIGINT",
    usage: "flyteadmin serve [--config FILE] [--<key> VALUE ...]",
    needsConfig: true,
    async run({ config, log }) {
      const server = await startServer(config, log);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          log.info("stopping", { signal });
          server.close().then(resolve, resolve);
        };
        process.once("SIGTERM", () => stop("SIGTERM"));
        process.once("SIGINT", () => stop("SIGINT"));
      });
      log.info("stopped");
      return 0;
    },
  },
  {
    path: ["migrate", "run"],
    summary: "apply every pending database migration",
    usage: "flyteadmin migrate run [--config FILE]",
    needsConfig: true,
    async run({ config, log }) {
      const ran = await withDatabase(config, (db) => migrateUp(db.client));
      log.info(ran.length ? "applied migrations" : "no pending migrations", { migrations: ran });
      return 0;
    },
  },
  {
    path: ["migrate", "rollback"],
    summary: "undo the most recently applied migration",
    usage: "flyteadmin migrate rollback [--config FILE]",
    needsConfig: true,
    async run({ config, log }) {
      const tag = await withDatabase(config, (db) => migrateDown(db.client));
      log.info(tag ? "rolled back migration" : "no migration to roll back", { migration: tag });
      return 0;
    },
  },
  {
    path: ["migrate", "seed-projects"],
    summary: "create projects that do not exist yet (flytesnacks when no names are given)",
    usage: "flyteadmin migrate seed-projects [NAME ...] [--config FILE]",
    needsConfig: true,
    async run({ config, args, log }) {
      const names = args.length > 0 ? args : ["flytesnacks"];
      const created = await withDatabase(config, async (db) => {
        await migrateUp(db.client);
        return new ProjectManager(projectStore(db.db), config.domains).seed(names);
      });
      log.info("seeded projects", { created, existing: names.filter((n) => !created.includes(n)) });
      return 0;
    },
  },
  {
    path: ["config", "docs"],
    summary: "print every configuration key with its default and environment variable",
    usage: "flyteadmin config docs",
    needsConfig: false,
    async run() {
      console.log(configDocs());
      return 0;
    },
  },
  {
    path: ["version"],
    summary: "print version, commit and build time",
    usage: "flyteadmin version",
    needsConfig: false,
    async run() {
      console.log(JSON.stringify(versionInfo));
      return 0;
    },
  },
];

export function helpText(prefix: string[] = []): string {
  const shown = commands.filter((c) => prefix.every((w, i) => c.path[i] === w));
  const exact = shown.find((c) => c.path.length === prefix.length);
  if (exact) return `${exact.summary}\n\nusage: ${exact.usage}\n\nConfiguration keys: flyteadmin config docs`;
  return [
    "flyteadmin: Flyte's control plane (flyteadmin v1.16 compatible)",
    "",
    "commands:",
    ...shown.map((c) => `  ${c.path.join(" ").padEnd(24)} ${c.summary}`),
    "",
    "global flags: --config FILE, --<config.key> VALUE (see 'flyteadmin config docs'), --help",
  ].join("\n");
}

