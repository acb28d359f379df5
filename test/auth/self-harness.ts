// The self-hosted OAuth2 server over a real database: a fresh in-memory libSQL database with the
// migrations applied and the real grant store, keys generated here and read back through the Secrets
// files, a clock the test moves, a fake browser session, and helpers that drive the handlers with
// real Request objects.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CookieCipher, type CookieSettings } from "../../src/auth/cookies";
import { emptyUserInfo, type Identity } from "../../src/auth/identity";
import { type Secrets, secretsFrom } from "../../src/auth/secrets";
import { SelfAuthServer } from "../../src/auth/self/server";
import { loadConfig } from "../../src/config/load";
import type { Config, OAuthClientConfig } from "../../src/config/schema";
import type { OAuthGrantStore } from "../../src/ports/oauth-grants";
import { openDatabase, type Database } from "../../src/stores/db/client";
import { scratchDatabaseUrl } from "../helpers/test-database";
import { migrateUp } from "../../src/stores/db/migrate";
import { oauthGrantStore } from "../../src/stores/db/oauth-grants";

export const origin = "http://localhost:8088";
export const host = "localhost:8088";

/** A PKCS#1 PEM RSA key, as `secret init` writes. */
export const rsaPem = (format: "pkcs1" | "pkcs8" = "pkcs1"): string =>
  generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: format, format: "pem" }) as string;

export const unpaddedBase64 = (b: Buffer): string => b.toString("base64").replace(/=+$/, "");

/** A secrets folder with the claim key and a signing key (and whatever `extra` adds). */
export function secretsDir(extra: Record<string, string> = {}): { dir: string; secrets: Secrets } {
  const dir = mkdtempSync(join(tmpdir(), "flyteadmin-self-"));
  const files = { claim_symmetric_key: unpaddedBase64(randomBytes(32)), "token_rsa_key.pem": rsaPem(), ...extra };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return { dir, secrets: secretsFrom({ "secrets-prefix": dir, "env-prefix": "FLYTE_SECRET_" }, {}) };
}

export const alice: Identity = {
  userId: "alice-sub",
  appId: "",
  scopes: new Set(["all"]),
  userInfo: { ...emptyUserInfo(), subject: "alice-sub", name: "Alice", preferredUsername: "alice", email: "alice@example.com" },
  claims: { sub: "alice-sub" },
  expiresAt: 0,
};

/** The browser session cookie the fake BrowserSessions knows. */
export const aliceCookie = "session=alice";

export const testClientSecret = "s3cret+with space&more";

export interface Harness {
  server: SelfAuthServer;
  grants: OAuthGrantStore;
  database: Database;
  config: Config;
  cookies: { cipher: CookieCipher; settings: CookieSettings };
  /** The test's clock, epoch ms. */
  clock: { now: number };
  advance(ms: number): void;
  close(): void;
}

export interface HarnessOptions {
  flags?: Record<string, string>;
  clients?: Record<string, Partial<OAuthClientConfig>>;
  secrets?: Secrets;
}

const client = (c: Partial<OAuthClientConfig>): OAuthClientConfig => ({
  id: "",
  client_secret: "",
  rotated_secrets: [],
  redirect_uris: [],
  grant_types: [],
  response_types: [],
  scopes: [],
  audience: [],
  public: false,
  ...c,
});

export async function selfServer(opts: HarnessOptions = {}): Promise<Harness> {
  const database = await openDatabase({ url: await scratchDatabaseUrl() });
  await migrateUp(database.db);
  const grants = oauthGrantStore(database.db);
  const config = loadConfig({ flags: { "auth.authorizedUris": JSON.stringify([origin]), ...opts.flags } });
  const self = config.auth.appAuth.selfAuthServer;
  // A confidential client with a known secret: upstream's default flytepropeller hash is not "foobar".
  self.staticClients.testsvc = client({
    client_secret: await Bun.password.hash(testClientSecret, { algorithm: "bcrypt", cost: 4 }),
    grant_types: ["client_credentials", "refresh_token"],
    response_types: ["token"],
    scopes: ["all", "offline", "access_token"],
  });
  for (const [id, c] of Object.entries(opts.clients ?? {})) self.staticClients[id] = client(c);
  const cookies = {
    cipher: new CookieCipher(randomBytes(64), randomBytes(32)),
    settings: { sameSite: "DefaultMode", domain: "", insecure: true } as CookieSettings,
  };
  const clock = { now: Date.now() };
  const server = await SelfAuthServer.load({
    settings: config.auth,
    secrets: opts.secrets ?? secretsDir().secrets,
    grants,
    sessions: { identify: async (req) => ((req.headers.get("cookie") ?? "").includes(aliceCookie) ? alice : undefined) },
    cookies,
    authorizedUris: [new URL(origin)],
    now: () => clock.now,
  });
  return { server, grants, database, config, cookies, clock, advance: (ms) => (clock.now += ms), close: () => database.close() };
}

export const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

/** A form POST to `path`, as a client sends it. */
export function formPost(path: string, form: Record<string, string>, headers: Record<string, string> = {}): Request {
  return new Request(`${origin}${path}`, {
    method: "POST",
    headers: { host, "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

export const get = (pathAndQuery: string, headers: Record<string, string> = {}): Request =>
  new Request(`${origin}${pathAndQuery}`, { headers: { host, ...headers } });

/** A JWT's header and claims, undecoded signature aside. */
export function jwtParts(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, c] = token.split(".");
  return { header: JSON.parse(Buffer.from(h, "base64url").toString()), claims: JSON.parse(Buffer.from(c, "base64url").toString()) };
}

export async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

/** A client_credentials token for the test client. */
export async function clientToken(h: Harness, scope = "all"): Promise<string> {
  const res = await h.server.token(
    formPost("/oauth2/token", { grant_type: "client_credentials", scope }, { authorization: basic("testsvc", encodeURIComponent(testClientSecret)) }),
  );
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  return (await json(res)).access_token as string;
}
