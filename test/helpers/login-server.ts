// flyteadmin's login routes alone, served on localhost beside a test OIDC provider: what the
// browser-login tests talk to. The routes are mounted on a Hono app with mountLoginRoutes as the server
// mounts them; a /whoami route answers what BrowserSessions.identify and restCredential make of the cookies.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { BrowserLogin, type BrowserLoginOptions } from "../../src/auth/browser/login";
import { parseAuthorizedUris } from "../../src/auth/public-url";
import { secretsFrom } from "../../src/auth/secrets";
import { type Config, configSchema } from "../../src/config/schema";
import { mountLoginRoutes } from "../../src/edge/auth/login-routes";
import { type OidcProviderOptions, startOidcProvider, type TestOidcProvider } from "./oidc-idp";

export interface LoginServer {
  /** http://localhost:<port>, also the only authorized URI. */
  url: string;
  idp: TestOidcProvider;
  login: BrowserLogin;
  settings: Config["auth"];
  close(): Promise<void>;
}

export interface LoginServerOptions {
  /** The auth section on top of what the server needs (openId, authorizedUris). */
  auth?: (base: { url: string; idp: TestOidcProvider }) => Record<string, unknown>;
  insecureCookieHeader?: boolean;
  idp?: Omit<OidcProviderOptions, "flyteadminRedirects">;
  hooks?: BrowserLoginOptions["hooks"];
}

/** Unpadded std base64 of `n` random bytes, as `secret init` writes the cookie keys. */
export const rawKey = (n: number): string => randomBytes(n).toString("base64").replace(/=+$/, "");

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);

/** `over` on top of `base`, objects merged key by key (arrays and scalars replaced). */
export function merge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlain(v) && isPlain(out[k]) ? merge(out[k] as Plain, v) : v;
  return out;
}

export async function startLoginServer(opts: LoginServerOptions = {}): Promise<LoginServer> {
  let app: Hono | undefined;
  // Served as the server serves its Hono app (the node adapter), which also works once that adapter has
  // replaced the global Response, as it does when a whole server runs in the same test process.
  const server = createServer(getRequestListener((req) => app?.fetch(req) ?? new Response("starting", { status: 503 })));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://localhost:${(server.address() as AddressInfo).port}`;
  const idp = await startOidcProvider({ flyteadminRedirects: [`${url}/callback`], audience: url, ...opts.idp });
  const base = {
    authorizedUris: [url],
    userAuth: { openId: { baseUrl: idp.issuer, clientId: idp.clients.flyteadmin.id, scopes: ["openid", "profile", "offline_access"] } },
  };
  const config = configSchema.parse({ auth: merge(base, opts.auth?.({ url, idp }) ?? {}) });
  const env = {
    FLYTE_SECRET_cookie_hash_key: rawKey(64),
    FLYTE_SECRET_cookie_block_key: rawKey(32),
    // A trailing newline, as `kubectl create secret --from-file` leaves one: it is trimmed.
    FLYTE_SECRET_oidc_client_secret: `${idp.clients.flyteadmin.secret}\n`,
  };
  const login = await BrowserLogin.load({
    settings: config.auth,
    security: { insecureCookieHeader: opts.insecureCookieHeader ?? false },
    secrets: secretsFrom({ "secrets-prefix": "/nonexistent", "env-prefix": "FLYTE_SECRET_" }, env),
    authorizedUris: parseAuthorizedUris(config.auth.authorizedUris),
    hooks: opts.hooks,
  });
  const hono = new Hono();
  mountLoginRoutes(hono, login);
  hono.get("/whoami", async (c) => {
    const identity = await login.identify(c.req.raw);
    const credential = login.restCredential(c.req.raw);
    return c.json({ identity: identity && { ...identity, scopes: [...identity.scopes] }, credential });
  });
  app = hono;
  return {
    url,
    idp,
    login,
    settings: config.auth,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await idp.close();
    },
  };
}
