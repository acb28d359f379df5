// The whole server with auth on, in-process: a test OIDC provider, secrets from our own `secret init`
// plus the provider's client secret, and fixed ports chosen up front, since the authorized URIs (and so
// the issuer and audience) must name the ports clients use.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initSecrets } from "../../src/cli/secrets";
import type { Logger } from "../../src/kernel/log";
import type { PluginRegistry } from "../../src/plugins/registry";
import { type OidcProviderOptions, startOidcProvider, type TestOidcProvider } from "./oidc-idp";
import { startTestServer, type TestServer } from "./server";

/** A port free right now on 127.0.0.1 (the kernel's choice, released at once). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** The secret of the flytepropeller client in these tests. */
export const propellerSecret = "foobar";

export interface AuthTestServer extends TestServer {
  idp: TestOidcProvider;
  /** http://localhost:<httpPort>: the first authorized URI (calls to 127.0.0.1 have http://127.0.0.1:<httpPort>). */
  publicUrl: string;
  secretsDir: string;
  /** A client_credentials token from our own /oauth2/token (default: the flytepropeller client). */
  token(opts?: { client?: string; secret?: string; scope?: string }): Promise<string>;
}

export interface AuthServerOptions {
  /** More confidential client_credentials clients by id; each one's secret is `<id>-secret`. */
  clients?: string[];
  /** More config flags (dotted key → YAML value). */
  flags?: Record<string, string>;
  idp?: Omit<OidcProviderOptions, "flyteadminRedirects" | "audience">;
  logger?: Logger;
  plugins?: PluginRegistry;
}

export async function startAuthServer(opts: AuthServerOptions = {}): Promise<AuthTestServer> {
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const publicUrl = `http://localhost:${httpPort}`;
  const idp = await startOidcProvider({
    flyteadminRedirects: [`${publicUrl}/callback`, `http://127.0.0.1:${httpPort}/callback`],
    audience: publicUrl,
    ...opts.idp,
  });
  const secretsDir = mkdtempSync(join(tmpdir(), "flyteadmin-secrets-"));
  initSecrets(secretsDir);
  writeFileSync(join(secretsDir, "oidc_client_secret"), idp.clients.flyteadmin.secret);
  let server: TestServer;
  try {
    server = await startTestServer(
      {
        "server.httpPort": String(httpPort),
        "server.grpc.port": String(grpcPort),
        "server.security.useAuth": "true",
        "server.security.insecureCookieHeader": "true",
        "secrets.secrets-prefix": secretsDir,
        // One entry per host name, as upstream expects: a call to either port maps to it by host name.
        "auth.authorizedUris": JSON.stringify([publicUrl, `http://127.0.0.1:${httpPort}`]),
        "auth.userAuth.openId.baseUrl": idp.issuer,
        "auth.userAuth.openId.clientId": idp.clients.flyteadmin.id,
        "auth.userAuth.openId.scopes": JSON.stringify(["openid", "profile", "email", "offline_access"]),
        // Upstream's default flytepropeller hash matches no known secret; the tests give it one.
        "auth.appAuth.selfAuthServer.staticClients": JSON.stringify(
          Object.fromEntries(
            await Promise.all(
              [["flytepropeller", propellerSecret], ...(opts.clients ?? []).map((id) => [id, `${id}-secret`])].map(async ([id, secret]) => [
                id,
                {
                  client_secret: await Bun.password.hash(secret, { algorithm: "bcrypt", cost: 4 }),
                  grant_types: ["refresh_token", "client_credentials"],
                  response_types: ["token"],
                  scopes: ["all", "offline", "access_token"],
                },
              ]),
            ),
          ),
        ),
        ...opts.flags,
      },
      { logger: opts.logger, plugins: opts.plugins },
    );
  } catch (e) {
    await idp.close();
    throw e;
  }
  return {
    ...server,
    idp,
    publicUrl,
    secretsDir,
    async token({ client = "flytepropeller", secret = propellerSecret, scope = "all" } = {}) {
      const res = await fetch(`${server.httpUrl}/oauth2/token`, {
        method: "POST",
        headers: { authorization: `Basic ${btoa(`${client}:${secret}`)}`, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "client_credentials", scope }),
      });
      const body = (await res.json()) as { access_token?: string };
      if (res.status !== 200 || !body.access_token) throw new Error(`token endpoint answered ${res.status}: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    async close() {
      await server.close();
      await idp.close();
    },
  };
}
