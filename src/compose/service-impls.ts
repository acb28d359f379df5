// The one place that knows which concrete pieces make up the server: stores over the database and blob
// store, managers over the stores, services over the managers, with the plugins' parts put in. server.ts
// then puts the edge in front.
import type { Config } from "../config/schema";
import type { Database } from "../stores/db/client";
import type { BlobSetup } from "../stores/blob";
import type { ServiceImpls } from "../edge/routes";
import { silentLogger, type Logger } from "../kernel/log";
import { PluginId, PluginRegistry } from "../plugins/registry";
import { buildStores } from "./stores";
import { buildManagers, type ManagerOverrides, type Managers } from "./managers";
import { buildServices } from "./services";
import { builtInLauncher } from "./executor";

export function buildServiceImpls(
  config: Config,
  database: Database,
  blobs: BlobSetup,
  log: Logger = silentLogger,
  plugins: PluginRegistry = new PluginRegistry(),
  auth?: Pick<ServiceImpls, "authMetadata" | "identity">,
  hooks: Pick<ManagerOverrides, "onSchedulesChanged"> = {},
): { impls: ServiceImpls; managers: Managers } {
  const launcher = plugins.get(PluginId.WorkflowExecutor)(() => builtInLauncher(config, log));
  const managers = buildManagers(config, buildStores(database, blobs), { launcher, log, ...hooks });
  const impls = buildServices(managers, {
    healthy: () => database.ping(),
    reflection: config.server.grpc.serverReflection,
    dataProxy: plugins.get(PluginId.DataProxy),
    additional: plugins.get(PluginId.AdditionalGRPCService),
    auth,
  });
  return { impls, managers };
}
