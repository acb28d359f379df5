// The manager tier: every manager built as the server builds them, over real stores on a fresh
// in-memory database with the migrations applied, an in-memory blob store and a launcher that records
// what it is handed. No listeners, no services: calls go straight to the domain.
import { loadConfig } from "../../src/config/load";
import { openDatabase } from "../../src/stores/db/client";
import { scratchDatabaseUrl } from "../helpers/test-database";
import { migrateUp } from "../../src/stores/db/migrate";
import { MemBlobStore } from "../../src/stores/blob/mem";
import { buildStores } from "../../src/compose/stores";
import { buildManagers, type Managers } from "../../src/compose/managers";
import { AdminError } from "../../src/kernel/errors";
import type { Launcher, LaunchRequest } from "../../src/ports/launcher";

export interface ManagerHarness {
  managers: Managers;
  /** What the execution rules asked the launcher to submit. */
  launched: LaunchRequest[];
  close(): void;
}

/** `flags` are config keys as on the command line, e.g. { "task_resources.limits.cpu": "4" }. */
export async function managersOverMemory(flags: Record<string, string> = {}): Promise<ManagerHarness> {
  const database = await openDatabase({ url: await scratchDatabaseUrl() });
  await migrateUp(database.db);
  const launched: LaunchRequest[] = [];
  const launcher: Launcher = {
    clusterFor: () => "",
    launch: async (r) => {
      launched.push(r);
      return { cluster: "" };
    },
    abort: async () => {},
  };
  const stores = buildStores(database, { store: new MemBlobStore("test") });
  const managers = buildManagers(loadConfig({ flags }), stores, { launcher });
  return { managers, launched, close: () => database.close() };
}

/** The AdminError a call was refused with; throws when it succeeded or failed otherwise. */
export async function refusal(p: Promise<unknown>): Promise<AdminError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AdminError) return e;
    throw e;
  }
  throw new Error("expected the call to be refused, it succeeded");
}
