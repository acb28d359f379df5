// What each plugin is: the TypeScript shape of every replaceable part upstream's registry names.
import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, Interceptor, ServiceImpl } from "@connectrpc/connect";
import type { DataProxyService } from "../gen/flyteidl/service/dataproxy_pb";
import type { Launcher } from "../ports/launcher";
import type { Need } from "../auth/rpc-access";

/**
 * WorkflowExecutor: where executions are submitted and aborted. Given the built-in one (built only if
 * called, since it reads cluster credentials), returns the launcher to use: a replacement or a wrapper.
 */
export type WorkflowExecutorPlugin = (builtIn: () => Launcher) => Launcher;

export type DataProxyImpl = Partial<ServiceImpl<typeof DataProxyService>>;

/** DataProxy: given the built-in DataProxyService implementation, the one to serve (replace or wrap it). */
export type DataProxyPlugin = (builtIn: DataProxyImpl) => DataProxyImpl;

/**
 * UnaryServiceMiddleware: more Connect interceptors, outermost first. They run inside ours (request id,
 * access log, metrics, recovery), so what they throw is logged, counted and answered like a handler's.
 */
export type UnaryServiceMiddleware = readonly Interceptor[];

/** A service served beside ours; build one with `additionalService`. */
export interface AdditionalService {
  readonly service: DescService;
  /**
   * What its calls need with auth.rbac on: "open" (no token), "authenticated", or a role at every
   * project. Unset: admin at every project, since nothing says which project a call is about.
   */
  readonly access?: Need;
  /** Registers the implementation on the server's router. */
  register(router: ConnectRouter): void;
}

/** A service and its implementation, typed together and kept so. */
export function additionalService<S extends DescService>(service: S, impl: Partial<ServiceImpl<S>>, access?: Need): AdditionalService {
  return { service, access, register: (router) => router.service(service, impl) };
}

/**
 * AdditionalGRPCService: more services on the same router, so every protocol and port serves them
 * (native gRPC, gRPC-web, Connect; REST too where their methods carry google.api.http options).
 */
export type AdditionalGRPCServices = readonly AdditionalService[];

/**
 * CustomerHeaderMatcher: for an incoming REST header (lower-case name), the metadata key to forward it
 * under, or undefined. Asked about headers the gateway's own rules (grpc-gateway's default matcher
 * plus x-request-id, as upstream's default) do not already forward; it adds to them, never removes.
 */
export type { HeaderMatcher } from "../edge/rest/headers";

/** What an auth hook is handed. */
export interface AuthHookCall {
  request: Request;
  /** Headers (cookies, say) added to the answer. */
  responseHeaders: Headers;
}

/** A PreRedirectHook's refusal: the HTTP status (500 if not a status) and why. */
export interface PreRedirectHookError {
  code: number;
  message: string;
}

/** PreRedirectHook: called by /callback before redirecting; an error answers with its status instead. */
export type PreRedirectHook = (call: AuthHookCall) => Promise<PreRedirectHookError | undefined>;

/** LogoutHook: called by /logout before the auth cookies are deleted; throwing answers 500. */
export type LogoutHook = (call: AuthHookCall) => Promise<void>;
