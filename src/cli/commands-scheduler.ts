// `scheduler …`: the schedule runner on its own. It creates executions through the same ExecutionManager
// serve uses (so the executor of the config submits them), and holds the same database lease as serve's
// runner: beside running servers it fires only while no one else holds the lease.
import { databaseOptions, openDatabase } from "../stores/db/client";
import { scheduleStore } from "../stores/db/schedules";
import { createBlobStore } from "../stores/blob";
import { buildStores } from "../compose/stores";
import { buildManagers } from "../compose/managers";
import { startScheduler } from "../scheduler";
import type { Command } from "./command";

export const schedulerCommands: Command[] = [
  {
    path: ["scheduler", "run"],
    summary: "run launch plan schedules (cron and fixed rate) until SIGTERM/SIGINT, one runner per deployment by lease",
    usage: "flyteadmin scheduler run [--config FILE] [--<key> VALUE ...]",
    async run({ config, log }) {
      if (config.scheduler.eventScheduler.scheme !== "local") {
        log.warn("scheduler.eventScheduler.scheme is not local: activation records no schedules for this runner", {
          scheme: config.scheduler.eventScheduler.scheme,
        });
      }
      const database = await openDatabase(databaseOptions(config.database, log));
      const managers = buildManagers(config, buildStores(database, createBlobStore(config)), { log });
      const scheduler = startScheduler({
        config: config.scheduler,
        store: scheduleStore(database.db),
        createExecution: (r) => managers.executions.create(r),
        log,
      });
      log.info("schedule runner running", { pollInterval: config.scheduler.pollInterval, catchUp: config.scheduler.catchUp });
      const signal = await new Promise<string>((resolve) => {
        process.once("SIGTERM", () => resolve("SIGTERM"));
        process.once("SIGINT", () => resolve("SIGINT"));
      });
      log.info("stopping", { signal });
      await scheduler.stop();
      await database.close();
      log.info("stopped");
      return 0;
    },
  },
];
