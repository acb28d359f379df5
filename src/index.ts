// The library entry: flyteadmin-ts embedded in another Bun program, with its own plugins.
//
//   const plugins = new PluginRegistry();
//   plugins.register(PluginId.UnaryServiceMiddleware, [myInterceptor]);
//   const server = await createServer({ config: { server: { httpPort: 8088 } }, plugins });
//   ...
//   await server.close();
import { startServer, type RunningServer } from "./server";
import { configFromObject, type ConfigInput } from "./compose/config-object";
import { createLogger, type Logger } from "./kernel/log";
import { PluginRegistry } from "./plugins/registry";

export interface CreateServerOptions {
  /** Any part of the configuration, shaped as the YAML file and validated as it is; the rest is defaults. */
  config?: ConfigInput;
  /** Read once, at start; parts not registered take their defaults. */
  plugins?: PluginRegistry;
  /** Where the server logs; JSON lines on stdout at `logger.level` when absent, as the CLI does. */
  log?: Logger;
}

/** Opens the database (migrating it unless `database.migrateOnStart` is false) and starts serving. */
export async function createServer(opts: CreateServerOptions = {}): Promise<RunningServer> {
  const config = configFromObject(opts.config ?? {});
  return startServer(config, opts.log ?? createLogger(config.logger.level), opts.plugins ?? new PluginRegistry());
}

export type { RunningServer } from "./server";
export type { ConfigInput } from "./compose/config-object";
export { ConfigError } from "./config/load";
export type { Config } from "./config/schema";
export { createLogger, silentLogger, type Logger, type LogLevel } from "./kernel/log";
export { PluginId, PluginRegistry, type PluginTypes } from "./plugins/registry";
export {
  additionalService,
  type AdditionalGRPCServices,
  type AdditionalService,
  type AuthHookCall,
  type DataProxyImpl,
  type DataProxyPlugin,
  type HeaderMatcher,
  type LogoutHook,
  type PreRedirectHook,
  type PreRedirectHookError,
  type UnaryServiceMiddleware,
  type WorkflowExecutorPlugin,
} from "./plugins/types";
export type { Launcher, LaunchRequest, ResourceSet } from "./ports/launcher";
