// `clusterresource …`: the cluster-resource controller, once (`sync`, non-zero when a namespace failed)
// or every cluster_resources.refreshInterval until SIGTERM/SIGINT (`run`). Both only read the database.
import type { Config } from "../config/schema";
import { buildController, refreshMs } from "../cluster/resources/start";
import { databaseOptions, openDatabase, type Database } from "../stores/db/client";
import type { Command } from "./command";

async function withReadDatabase<T>(config: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase(databaseOptions(config.database));
  try {
    return await fn(db);
  } finally {
    await db.close(); // nothing was written: no checkpoint to make
  }
}

export const clusterResourceCommands: Command[] = [
  {
    path: ["clusterresource", "sync"],
    summary: "apply the cluster_resources templates to every project-domain namespace once",
    usage: "flyteadmin clusterresource sync [--config FILE]",
    async run({ config, log }) {
      const report = await withReadDatabase(config, (db) => buildController(config, db.db, log).sync());
      for (const f of report.failures) for (const e of f.errors) console.error(`namespace ${f.namespace}: ${e}`);
      return report.failures.length > 0 ? 1 : 0;
    },
  },
  {
    path: ["clusterresource", "run"],
    summary: "apply the cluster_resources templates every cluster_resources.refreshInterval until SIGTERM/SIGINT",
    usage: "flyteadmin clusterresource run [--config FILE]",
    async run({ config, log }) {
      const stop = new AbortController();
      const onSignal = (signal: string) => {
        log.info("stopping", { signal });
        stop.abort();
      };
      process.once("SIGTERM", () => onSignal("SIGTERM"));
      process.once("SIGINT", () => onSignal("SIGINT"));
      await withReadDatabase(config, (db) => {
        const controller = buildController(config, db.db, log);
        log.info("cluster resource controller running", { refreshInterval: config.cluster_resources.refreshInterval });
        return controller.run(refreshMs(config), stop.signal);
      });
      log.info("stopped");
      return 0;
    },
  },
];
