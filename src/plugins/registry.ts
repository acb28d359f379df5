// The plugin registry, as upstream's (flyteadmin/plugins/registry.go): replaceable parts by ID, one
// implementation each, a default for every ID when none is registered. The server reads it once, at
// start; what is registered later has no effect.
import type {
  AdditionalGRPCServices,
  DataProxyPlugin,
  HeaderMatcher,
  LogoutHook,
  PreRedirectHook,
  UnaryServiceMiddleware,
  WorkflowExecutorPlugin,
} from "./types";

/** Upstream's IDs, spelt as upstream spells them. */
export const PluginId = {
  WorkflowExecutor: "WorkflowExecutor",
  DataProxy: "DataProxy",
  UnaryServiceMiddleware: "UnaryServiceMiddleware",
  AdditionalGRPCService: "AdditionalGRPCService",
  CustomerHeaderMatcher: "CustomerHeaderMatcher",
  PreRedirectHook: "PreRedirectHook",
  LogoutHook: "LogoutHook",
} as const;
export type PluginId = (typeof PluginId)[keyof typeof PluginId];

/** The type of each ID's implementation (see types.ts for what each one does). */
export interface PluginTypes {
  WorkflowExecutor: WorkflowExecutorPlugin;
  DataProxy: DataProxyPlugin;
  UnaryServiceMiddleware: UnaryServiceMiddleware;
  AdditionalGRPCService: AdditionalGRPCServices;
  CustomerHeaderMatcher: HeaderMatcher;
  PreRedirectHook: PreRedirectHook;
  LogoutHook: LogoutHook;
}

/**
 * Defaults, upstream's where they carry over: the built-in executor (Kubernetes when configured, else the
 * queued no-op) and data proxy; no extra interceptors (ours already do upstream's request id; its blanket
 * authorization comes with auth); no extra services; no extra headers; no auth hooks.
 */
const builtInDefaults: PluginTypes = {
  WorkflowExecutor: (builtIn) => builtIn(),
  DataProxy: (builtIn) => builtIn,
  UnaryServiceMiddleware: [],
  AdditionalGRPCService: [],
  CustomerHeaderMatcher: () => undefined,
  PreRedirectHook: async () => undefined,
  LogoutHook: async () => {},
};

export class PluginRegistry {
  private readonly registered: Partial<PluginTypes> = {};
  private readonly defaults: PluginTypes = { ...builtInDefaults };

  /** Registers the implementation for an ID; only one may be registered per ID. */
  register<K extends PluginId>(id: K, impl: PluginTypes[K]): void {
    if (this.registered[id] !== undefined) throw new Error(`an existing implementation has already been registered for [${id}]`);
    this.registered[id] = impl;
  }

  /** Replaces the implementation used when none is registered for the ID. */
  registerDefault<K extends PluginId>(id: K, impl: PluginTypes[K]): void {
    this.defaults[id] = impl;
  }

  /** The registered implementation, else the default. */
  get<K extends PluginId>(id: K): PluginTypes[K] {
    return this.registered[id] ?? this.defaults[id];
  }

  isRegistered(id: PluginId): boolean {
    return this.registered[id] !== undefined;
  }
}
