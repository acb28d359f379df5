// A real OIDC provider for tests: npm oidc-provider inside the test process (it runs under Bun; it
// warns that it wants Node ≥ 22 and works), on 127.0.0.1 at an ephemeral port, its issuer exactly its
// base URL. It has a confidential client for flyteadmin's browser login, the public `flytectl` client
// (PKCE S256, device flow), a client_credentials client, JWT access tokens for our public URL carrying
// `scp`, and its development login form, which `loginFiller` fills in (see http-browser.ts).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import Provider, { errors, type OidcContext } from "oidc-provider";
import { type FormFiller, formOf } from "./http-browser";

export interface OidcProviderOptions {
  /** Redirect URIs of the flyteadmin client, e.g. http://localhost:<port>/callback. */
  flyteadminRedirects: string[];
  /** The audience (resource indicator) of JWT access tokens: our public URL. Default http://localhost:8088. */
  audience?: string;
  /** More resource indicators a client may ask for (`resource=`), e.g. to get a token for another audience. */
  otherResources?: string[];
  /** How the flyteadmin client authenticates at the token endpoint (default client_secret_basic). */
  flyteadminAuthMethod?: "client_secret_basic" | "client_secret_post";
  /** Lifetimes in seconds. */
  idTokenTtl?: number;
  accessTokenTtl?: number;
  /**
   * Keep offline_access (so a refresh token is issued) on authorize requests without prompt=consent, as many
   * IdPs do; oidc-provider itself drops it then. Default true.
   */
  offlineWithoutPrompt?: boolean;
}

export interface TestClient {
  id: string;
  secret: string;
}

export interface TestOidcProvider {
  /** = its base URL, no trailing slash. */
  issuer: string;
  port: number;
  clients: { flyteadmin: TestClient & { redirects: string[] }; flytectl: { id: string; redirectUri: string }; service: TestClient };
  audience: string;
  /** Answers instead of the provider while set (e.g. a 503 for the metadata document); undefined passes the request on. */
  intercept: ((req: IncomingMessage) => { status: number; body?: string; headers?: Record<string, string> } | undefined) | undefined;
  /** Every request it received: method and path with query. */
  requests: { method: string; url: string }[];
  /** A client_credentials grant; the JSON answer (access_token, expires_in, …). */
  clientCredentials(opts?: { client?: TestClient; scope?: string; resource?: string }): Promise<Record<string, unknown>>;
  /** Fills the provider's pages for `subject`: the login form, the consent form, the device confirmation. */
  loginFiller(subject: string): FormFiller;
  /** Claims findAccount gives for a subject. */
  account(subject: string): Record<string, unknown>;
  close(): Promise<void>;
}

const flyteadminSecret = "flyteadmin-test-secret";
const serviceSecret = "flytepropeller-test-secret";

export function accountClaims(subject: string): Record<string, unknown> {
  return {
    sub: subject,
    name: `Test ${subject}`,
    preferred_username: subject,
    given_name: "Test",
    family_name: subject,
    email: `${subject}@example.test`,
    email_verified: true,
  };
}

export async function startOidcProvider(opts: OidcProviderOptions): Promise<TestOidcProvider> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => handler?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  const audience = opts.audience ?? "http://localhost:8088";
  const resources = new Set([audience, ...(opts.otherResources ?? [])]);

  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: `test-${port}`, alg: "RS256", use: "sig" };

  const clients = {
    flyteadmin: { id: "flyteadmin", secret: flyteadminSecret, redirects: opts.flyteadminRedirects },
    flytectl: { id: "flytectl", redirectUri: "http://localhost:53593/callback" },
    service: { id: "flytepropeller", secret: serviceSecret },
  };

  const provider = new Provider(issuer, {
    jwks: { keys: [jwk] },
    cookies: { keys: ["test-cookie-key"] },
    clients: [
      {
        client_id: clients.flyteadmin.id,
        client_secret: flyteadminSecret,
        redirect_uris: opts.flyteadminRedirects,
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        scope: "openid profile email offline_access",
        token_endpoint_auth_method: opts.flyteadminAuthMethod ?? "client_secret_basic",
      },
      {
        client_id: clients.flytectl.id,
        application_type: "native",
        token_endpoint_auth_method: "none",
        redirect_uris: [clients.flytectl.redirectUri],
        grant_types: ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"],
        response_types: ["code"],
      },
      {
        client_id: clients.service.id,
        client_secret: serviceSecret,
        redirect_uris: [],
        grant_types: ["client_credentials"],
        response_types: [],
      },
    ],
    scopes: ["openid", "offline_access", "profile", "email"],
    claims: {
      openid: ["sub"],
      profile: ["name", "preferred_username", "given_name", "family_name"],
      email: ["email", "email_verified"],
    },
    findAccount: async (_ctx: unknown, sub: string) => ({ accountId: sub, claims: async () => accountClaims(sub) }),
    // First-party clients: no consent screen unless the request asks for one (prompt=consent).
    loadExistingGrant: async (ctx: OidcContext) => {
      const oidc = ctx.oidc;
      if (!oidc.client || !oidc.session?.accountId) return undefined;
      const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
      if (grantId) return oidc.provider.Grant.find(grantId);
      const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
      grant.addOIDCScope("openid profile email offline_access");
      if (oidc.client.clientId !== clients.flyteadmin.id) for (const r of resources) grant.addResourceScope(r, "all offline");
      await grant.save();
      return grant;
    },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // flyteadmin's own login wants a userinfo token, so no resource; the CLIs' tokens are for our API.
        defaultResource: async (_ctx: unknown, client: { clientId: string } | undefined) => (client?.clientId === clients.flyteadmin.id ? undefined : audience),
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          if (!resources.has(indicator)) throw new errors.InvalidTarget();
          return {
            scope: "all offline",
            audience: indicator,
            accessTokenFormat: "jwt",
            accessTokenTTL: opts.accessTokenTtl ?? 3600,
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
    },
    // flyteadmin reads scopes from `scp` (auth.md §6).
    extraTokenClaims: async (_ctx: unknown, token: { scope?: unknown }) => {
      const scope = typeof token.scope === "string" ? token.scope : "";
      return { scp: scope ? scope.split(" ") : [] };
    },
    ttl: {
      IdToken: opts.idTokenTtl ?? 3600,
      AccessToken: opts.accessTokenTtl ?? 3600,
      ClientCredentials: opts.accessTokenTtl ?? 3600,
      // Set so the provider does not print a notice for each default it falls back to.
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      RefreshToken: 3600,
      DeviceCode: 600,
      AuthorizationCode: 60,
    },
  });

  // flytekit reads `interval` from the device authorization answer (RFC 8628 makes it optional; 5 s is its default).
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === "/device/auth" && ctx.status === 200 && typeof ctx.body === "object" && ctx.body !== null) ctx.body = { ...ctx.body, interval: 5 };
  });
  const callback = provider.callback();
  const idp: TestOidcProvider = {
    issuer,
    port,
    clients,
    audience,
    intercept: undefined,
    requests: [],
    async clientCredentials({ client = clients.service, scope = "all", resource } = {}) {
      const form = new URLSearchParams({ grant_type: "client_credentials", scope });
      if (resource) form.set("resource", resource);
      const res = await fetch(`${issuer}/token`, {
        method: "POST",
        headers: { authorization: `Basic ${btoa(`${client.id}:${client.secret}`)}`, "content-type": "application/x-www-form-urlencoded" },
        body: form,
      });
      const body = (await res.json()) as Record<string, unknown>;
      if (res.status !== 200) throw new Error(`client_credentials: ${res.status} ${JSON.stringify(body)}`);
      return body;
    },
    loginFiller: (subject) => (page) => {
      const form = formOf(page.body);
      if (!form) return undefined;
      if (form.fields.prompt === "login") return { action: form.action, fields: { ...form.fields, login: subject, password: "any" } };
      // Consent and the device confirmation: submit as shown (never the abort button, which is not an input).
      return form;
    },
    account: accountClaims,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  handler = (req, res) => {
    idp.requests.push({ method: req.method ?? "GET", url: req.url ?? "/" });
    const answer = idp.intercept?.(req);
    if (answer) {
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(answer.body ?? "");
      return;
    }
    if ((opts.offlineWithoutPrompt ?? true) && req.url?.startsWith("/auth?")) {
      const u = new URL(req.url, issuer);
      if (u.searchParams.get("scope")?.split(" ").includes("offline_access") && !u.searchParams.has("prompt")) {
        u.searchParams.set("prompt", "consent");
        req.url = `${u.pathname}${u.search}`;
      }
    }
    callback(req, res);
  };
  return idp;
}
