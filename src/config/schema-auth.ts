// The `auth` section: upstream's keys and defaults (flyteadmin/auth/config), plus the per-project policy.
import { z } from "zod";
import { goDuration, leaf, section } from "./schema-parts";

const oauthClient = z.strictObject({
  id: z.string().default(""),
  client_secret: z.string().default(""),
  rotated_secrets: z.array(z.string()).default([]),
  redirect_uris: z.array(z.string()).default([]),
  grant_types: z.array(z.string()).default([]),
  response_types: z.array(z.string()).default([]),
  scopes: z.array(z.string()).default([]),
  audience: z.array(z.string()).default([]),
  public: z.boolean().default(false),
});
export type OAuthClientConfig = z.output<typeof oauthClient>;

const publicClient = (id: string): z.input<typeof oauthClient> => ({
  id,
  redirect_uris: ["http://localhost:53593/callback", "http://localhost:12345/callback"],
  // Beyond upstream: the device grant too, so `authType: DeviceFlow` works against this server.
  grant_types: ["refresh_token", "authorization_code", "urn:ietf:params:oauth:grant-type:device_code"],
  response_types: ["code", "token"],
  scopes: ["all", "offline", "access_token"],
  public: true,
});

/** Upstream's three static clients; a configured client with one of these ids replaces it. */
export const defaultStaticClients: Record<string, z.input<typeof oauthClient>> = {
  flytectl: publicClient("flytectl"),
  "flyte-cli": publicClient("flyte-cli"),
  flytepropeller: {
    id: "flytepropeller",
    // bcrypt of "foobar", upstream's default
    client_secret: "$2a$06$d6PQn2QAFU3cL5V8MDkeuuk63xubqUxNxjtfPw.Fc9MgV6vpmyOIy",
    redirect_uris: ["http://localhost:3846/callback"],
    grant_types: ["refresh_token", "client_credentials"],
    response_types: ["token"],
    scopes: ["all", "offline", "access_token"],
  },
};

/** One grant of the per-project policy: who, which role, where. */
const roleBinding = z.strictObject({
  role: z.enum(["viewer", "editor", "admin"]),
  /** "subject:<sub>", "client:<client id>", "<claim>:<value>" (e.g. "groups:ml"), or "*" for anyone authenticated. */
  identities: z.array(z.string().min(1)).min(1),
  /** Project ids or glob patterns ("ml-*"); "*" is every project. */
  projects: z.array(z.string().min(1)).default(["*"]),
  /** Domains the role holds in; empty: every domain. */
  domains: z.array(z.string().min(1)).default([]),
});
export type RoleBindingConfig = z.output<typeof roleBinding>;

export const authSection = section({
  authorizedUris: leaf(z.array(z.string()), [], "URLs clients reach this server at; they fix the public URL, the issuer, the audience and allowed redirects"),
  httpAuthorizationHeader: leaf(z.string().min(1), "flyte-authorization", "REST header read for a token when there is no id-token cookie"),
  grpcAuthorizationHeader: leaf(z.string().min(1), "flyte-authorization", "gRPC metadata key read for a token besides authorization"),
  disableForHttp: leaf(z.boolean(), false, "REST calls without a valid credential go through anonymously"),
  disableForGrpc: leaf(z.boolean(), false, "gRPC calls without a valid credential go through anonymously"),
  httpProxyURL: leaf(z.string(), "", "proxy for fetching an external authorization server's metadata"),
  userAuth: section({
    redirectUrl: leaf(z.string(), "/console", "where a finished login lands when it names no redirect_url"),
    cookieHashKeySecretName: leaf(z.string().min(1), "cookie_hash_key", "secret holding the cookies' signing key"),
    cookieBlockKeySecretName: leaf(z.string().min(1), "cookie_block_key", "secret holding the cookies' encryption key"),
    cookieSetting: section({
      sameSitePolicy: leaf(z.enum(["DefaultMode", "LaxMode", "StrictMode", "NoneMode"]), "DefaultMode", "SameSite of the auth cookies"),
      domain: leaf(z.string(), "", "Domain attribute of the auth cookies"),
    }),
    openId: section({
      baseUrl: leaf(z.string(), "", "the OIDC provider's issuer URL (required with useAuth)"),
      issuerUrl: leaf(z.string(), "", "expected id-token issuer when it differs from baseUrl"),
      clientId: leaf(z.string(), "", "this server's client id at the OIDC provider (also the id tokens' audience)"),
      clientSecretName: leaf(z.string().min(1), "oidc_client_secret", "secret holding the client secret at the OIDC provider"),
      clientSecretFile: leaf(z.string(), "", "deprecated: file holding that client secret"),
      scopes: leaf(z.array(z.string()), ["openid", "profile"], "scopes asked of the OIDC provider (add offline_access for refresh)"),
    }),
    httpProxyURL: leaf(z.string(), "", "proxy for calls to the OIDC provider"),
    idpQueryParameter: leaf(z.string(), "", "a /login query parameter passed on to the provider's authorize URL"),
  }),
  appAuth: section({
    authServerType: leaf(z.enum(["Self", "External"]), "Self", "Self: this server issues tokens; External: another authorization server does"),
    selfAuthServer: section({
      issuer: leaf(z.string(), "", "fixed issuer and audience of issued tokens (empty: the public URL)"),
      accessTokenLifespan: leaf(goDuration, "30m", "lifetime of an access token"),
      refreshTokenLifespan: leaf(goDuration, "1h", "lifetime of a refresh token"),
      authorizationCodeLifespan: leaf(goDuration, "5m", "lifetime of an authorization code"),
      deviceCodeLifespan: leaf(goDuration, "10m", "lifetime of a device code (the device authorization grant)"),
      claimSymmetricEncryptionKeySecretName: leaf(z.string().min(1), "claim_symmetric_key", "secret holding the key that encrypts PKCE values in codes"),
      tokenSigningRSAKeySecretName: leaf(z.string().min(1), "token_rsa_key.pem", "secret holding the RSA key tokens are signed with"),
      oldTokenSigningRSAKeySecretName: leaf(z.string().min(1), "token_rsa_key_old.pem", "secret holding the previous RSA key (optional; verifies only)"),
      staticClients: leaf(
        z.record(z.string(), oauthClient),
        {},
        "OAuth2 clients by id: {id: {client_secret (bcrypt), redirect_uris, grant_types, response_types, scopes, audience, public}}; upstream's flytectl, flyte-cli and flytepropeller are there unless replaced",
      ),
    }),
    externalAuthServer: section({
      baseUrl: leaf(z.string(), "", "the external authorization server (empty: userAuth.openId.baseUrl)"),
      allowedAudience: leaf(z.array(z.string()), [], "accepted token audiences besides the public URL"),
      metadataUrl: leaf(z.string(), "", "its metadata document, relative to baseUrl (empty: .well-known/oauth-authorization-server)"),
      retryAttempts: leaf(z.number().int().min(0), 5, "extra tries when fetching its metadata fails"),
      retryDelay: leaf(goDuration, "1s", "wait between those tries"),
      httpProxyURL: leaf(z.string(), "", "proxy for fetching its keys"),
    }),
    thirdPartyConfig: section({
      flyteClient: section({
        clientId: leaf(z.string(), "flytectl", "client id the CLIs use (GetPublicClientConfig)"),
        redirectUri: leaf(z.string(), "http://localhost:53593/callback", "redirect URI the CLIs listen on"),
        scopes: leaf(z.array(z.string()), ["all", "offline"], "scopes the CLIs ask for"),
        audience: leaf(z.string(), "", "audience the CLIs ask for"),
      }),
    }),
  }),
  rbac: section({
    enabled: leaf(z.boolean(), false, "per-project roles: without a binding a caller may do nothing (needs useAuth)"),
    bindings: leaf(
      z.array(roleBinding),
      [],
      'role bindings: [{role: viewer|editor|admin, identities: ["subject:…", "client:…", "groups:…", "*"], projects: ["*"], domains: []}]',
    ),
    auditLog: leaf(z.boolean(), true, "log one line per write call with the caller, the call and its outcome"),
  }),
});
