// Auth, assembled once at start-up when server.security.useAuth is on: secrets, browser login against
// the OIDC provider, the authorization server (ours, or an external one's metadata and keys), the
// interceptors that authenticate and authorize every call, the two auth services and the HTTP routes.
// Anything missing or malformed stops start-up with a message that names the key or the secret.
import type { Interceptor } from "@connectrpc/connect";
import type { Hono } from "hono";
import type { Config } from "../config/schema";
import type { Logger } from "../kernel/log";
import { BrowserLogin } from "../auth/browser/login";
import { loadExternalAuthServer } from "../auth/external/load";
import { parseAuthorizedUris } from "../auth/public-url";
import { createPolicy } from "../auth/policy";
import { AccessTable } from "../auth/rpc-access";
import { secretsFrom } from "../auth/secrets";
import { SelfAuthServer } from "../auth/self/server";
import type { AccessTokenVerifier } from "../auth/verifiers";
import { AuthMetadataService } from "../gen/flyteidl/service/auth_pb";
import { type AuthenticationOptions, authenticateInterceptor, authenticationGuard } from "../edge/interceptors/authenticate";
import type { CallGuard } from "../edge/interceptors/edge";
import { authorizeInterceptor } from "../edge/interceptors/authorize";
import { mountLoginRoutes } from "../edge/auth/login-routes";
import { mountOAuth2Routes } from "../edge/auth/oauth2-routes";
import type { OAuth2Metadata } from "../auth/oauth2-metadata";
import { authMetadataService } from "../services/auth-metadata";
import { identityService } from "../services/identity";
import type { ServiceImpls } from "../edge/routes";
import type { Database } from "../stores/db/client";
import { oauthGrantStore } from "../stores/db/oauth-grants";
import { PluginId, type PluginRegistry } from "../plugins/registry";

export interface AuthSetup {
  /** Authentication as an interceptor of its own (when the plugins' middleware runs between it and the policy)… */
  authenticate: Interceptor;
  /** …or as the edge interceptor's guard, which costs a call nothing when its token is known. */
  guard: CallGuard;
  /** After the plugins' middleware: the per-project policy and the audit line. */
  authorize: Interceptor;
  services: Pick<ServiceImpls, "authMetadata" | "identity">;
  routes: Array<(app: Hono) => void>;
}

/** Refuses settings that cannot work together, naming the keys. */
export function checkAuthSettings(config: Config): void {
  if (config.auth.rbac.enabled && !config.server.security.useAuth) {
    throw new Error("auth.rbac.enabled needs server.security.useAuth: without authentication every caller is anonymous");
  }
}

export async function buildAuth(config: Config, database: Database, log: Logger, plugins: PluginRegistry): Promise<AuthSetup> {
  const settings = config.auth;
  const authorizedUris = parseAuthorizedUris(settings.authorizedUris);
  const secrets = secretsFrom(config.secrets);
  const access = new AccessTable();
  for (const extra of plugins.get(PluginId.AdditionalGRPCService)) if (extra.access) access.openService(extra.service, extra.access);
  const policy = createPolicy(settings.rbac, { domains: config.domains.map((d) => d.id) });

  const login = await BrowserLogin.load({
    settings,
    security: config.server.security,
    secrets,
    authorizedUris,
    hooks: { preRedirect: plugins.get(PluginId.PreRedirectHook), logout: plugins.get(PluginId.LogoutHook) },
    log,
  });
  let verifier: AccessTokenVerifier;
  let metadata: (publicUrl: URL) => OAuth2Metadata | Promise<OAuth2Metadata>;
  const routes: AuthSetup["routes"] = [(app) => mountLoginRoutes(app, login)];
  if (settings.appAuth.authServerType === "Self") {
    const self = await SelfAuthServer.load({
      settings,
      secrets,
      grants: oauthGrantStore(database.db),
      sessions: login,
      cookies: { cipher: login.cookies.cipher, settings: login.cookies.settings },
      authorizedUris,
    });
    verifier = self;
    metadata = (u) => self.metadata(u);
    routes.push((app) => mountOAuth2Routes(app, self));
  } else {
    const external = await loadExternalAuthServer(settings);
    verifier = external.verifier;
    metadata = () => external.metadata.get();
  }

  const authentication: AuthenticationOptions = {
    accessTokens: verifier,
    idTokens: login.idTokens,
    cookieCredential: (cookie: string) => login.cookieCredential(cookie),
    authorizedUris,
    grpcAuthorizationHeader: settings.grpcAuthorizationHeader,
    httpAuthorizationHeader: settings.httpAuthorizationHeader,
    disableForHttp: settings.disableForHttp,
    disableForGrpc: settings.disableForGrpc,
    openServices: new Set([AuthMetadataService.typeName]),
  };
  return {
    authenticate: authenticateInterceptor(authentication),
    guard: authenticationGuard(authentication),
    authorize: authorizeInterceptor(policy, log, { auditLog: settings.rbac.auditLog, access }),
    services: {
      authMetadata: authMetadataService({
        metadata,
        authorizedUris,
        flyteClient: settings.appAuth.thirdPartyConfig.flyteClient,
        authorizationMetadataKey: settings.grpcAuthorizationHeader,
      }),
      identity: identityService(),
    },
    routes,
  };
}
