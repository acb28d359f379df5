// The OIDC client's start-up and its calls: discovery (issuer check, unreachable provider), the client
// secret, the Basic-then-form client authentication, id-token checks, and the 10 s timeout.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from "jose";
import { BrowserLogin } from "../../src/auth/browser/login";
import { AuthFailure } from "../../src/auth/failure";
import { providerFetch } from "../../src/auth/oidc/http";
import { IdTokenExpired, OidcIdTokenVerifier } from "../../src/auth/oidc/id-token";
import { loadOidc } from "../../src/auth/oidc/load";
import { secretsFrom } from "../../src/auth/secrets";
import { configSchema } from "../../src/config/schema";
import { HttpBrowser } from "../helpers/http-browser";
import { type LoginServer, rawKey, startLoginServer } from "../helpers/login-server";
import { startOidcProvider, type TestOidcProvider } from "../helpers/oidc-idp";

const userAuth = (openId: Record<string, unknown>) => configSchema.parse({ auth: { userAuth: { openId } } }).auth.userAuth;
const secrets = (env: Record<string, string>) => secretsFrom({ "secrets-prefix": "/nonexistent", "env-prefix": "S_" }, env);

describe("start-up", () => {
  let idp: TestOidcProvider;
  beforeAll(async () => {
    idp = await startOidcProvider({ flyteadminRedirects: ["http://localhost:8088/callback"] });
  });
  afterAll(() => idp?.close());

  test("discovers the provider's endpoints; the secret loses one trailing newline", async () => {
    const oidc = await loadOidc(userAuth({ baseUrl: idp.issuer, clientId: "flyteadmin" }), secrets({ S_oidc_client_secret: "s3cret\n\n" }));
    expect(oidc.provider.authorizationEndpoint).toBe(`${idp.issuer}/auth`);
    expect(oidc.provider.tokenEndpoint).toBe(`${idp.issuer}/token`);
    expect(oidc.provider.userinfoEndpoint).toBe(`${idp.issuer}/me`);
    expect(oidc.provider.jwksUri).toBe(`${idp.issuer}/jwks`);
    expect(oidc.client.settings.clientSecret).toBe("s3cret\n");
  });

  test("the deprecated clientSecretFile is read instead of the secret", async () => {
    const dir = mkdtempSync(join(tmpdir(), "oidc-secret-"));
    writeFileSync(join(dir, "secret"), "from-file\n");
    const oidc = await loadOidc(userAuth({ baseUrl: idp.issuer, clientSecretFile: join(dir, "secret") }), secrets({}));
    expect(oidc.client.settings.clientSecret).toBe("from-file");
  });

  test("a missing client secret names the key and the secret", async () => {
    const err = await loadOidc(userAuth({ baseUrl: idp.issuer, clientSecretName: "my_idp_secret" }), secrets({})).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain("auth.userAuth.openId.clientSecretName");
    expect((err as Error).message).toContain("my_idp_secret");
  });

  test("an issuer that is not exactly baseUrl fails discovery (a trailing slash is a different issuer), unless issuerUrl is set", async () => {
    const err = await loadOidc(userAuth({ baseUrl: `${idp.issuer}/` }), secrets({ S_oidc_client_secret: "x" })).catch((e: Error) => e);
    expect((err as Error).message).toContain("auth.userAuth.openId.baseUrl");
    expect((err as Error).message).toContain("issuer did not match");
    const ok = await loadOidc(userAuth({ baseUrl: `${idp.issuer}/`, issuerUrl: idp.issuer }), secrets({ S_oidc_client_secret: "x" }));
    expect(ok.provider.issuer).toBe(idp.issuer);
  });

  test("an unreachable provider stops start-up with an error naming baseUrl", async () => {
    const err = await loadOidc(userAuth({ baseUrl: "http://127.0.0.1:1" }), secrets({ S_oidc_client_secret: "x" })).catch((e: Error) => e);
    expect((err as Error).message).toContain("auth.userAuth.openId.baseUrl");
    expect((err as Error).message).toContain("http://127.0.0.1:1/.well-known/openid-configuration");
  });

  test("no baseUrl at all is an error", async () => {
    const err = await loadOidc(userAuth({}), secrets({ S_oidc_client_secret: "x" })).catch((e: Error) => e);
    expect((err as Error).message).toContain("auth.userAuth.openId.baseUrl is required");
  });

  test("missing or malformed cookie keys name their secret", async () => {
    const settings = configSchema.parse({ auth: { userAuth: { openId: { baseUrl: idp.issuer } } } }).auth;
    const load = (env: Record<string, string>) =>
      BrowserLogin.load({ settings, security: { insecureCookieHeader: false }, secrets: secrets(env), authorizedUris: [] }).catch((e: Error) => e);
    const missing = await load({ S_oidc_client_secret: "x", S_cookie_block_key: rawKey(32) });
    expect((missing as Error).message).toContain("cookie_hash_key");
    const padded = await load({ S_oidc_client_secret: "x", S_cookie_hash_key: rawKey(64), S_cookie_block_key: `${rawKey(32)}=` });
    expect((padded as Error).message).toContain("cookie_block_key");
  });
});

describe("a provider that wants client_secret_post", () => {
  let s: LoginServer;
  beforeAll(async () => {
    s = await startLoginServer({ idp: { flyteadminAuthMethod: "client_secret_post" } });
    // oidc-provider takes Basic from any confidential client; a stricter IdP refuses it, as here.
    s.idp.intercept = (req) =>
      req.method === "POST" && req.url === "/token" && req.headers.authorization?.startsWith("Basic ")
        ? { status: 401, body: JSON.stringify({ error: "invalid_client" }) }
        : undefined;
  });
  afterAll(() => s?.close());

  test("the code exchange falls back from Basic to the form, and keeps to the form afterwards", async () => {
    const login = () =>
      new HttpBrowser().follow(`${s.url}/login`, {
        fill: s.idp.loginFiller("kim"),
        stopAt: (u) => u.startsWith(s.url) && !/^\/(login|callback)/.test(new URL(u).pathname),
      });
    const count = () => s.idp.requests.filter((r) => r.method === "POST" && r.url === "/token").length;
    const steps = await login();
    expect(steps.at(-1)!.status).toBe(307);
    expect(steps.at(-1)!.headers.get("location")).toBe("/console");
    expect(count()).toBe(2);
    await login();
    expect(count()).toBe(3);
  });
});

describe("id-token checks", async () => {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256" }] });
  const verifier = new OidcIdTokenVerifier({ issuer: "https://idp.test", clientId: "flyteadmin", jwksUri: "unused", algorithms: ["RS256"] }, keys);
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>, key = privateKey) =>
    new SignJWT({ iss: "https://idp.test", aud: "flyteadmin", sub: "u1", exp: now + 60, iat: now, ...claims })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .sign(key);

  test("a good id token gives scope all, user id = sub, no app id, user info with the subject filled in", async () => {
    const id = await verifier.verify(await sign({}), {
      subject: "",
      name: "N",
      preferredUsername: "",
      givenName: "",
      familyName: "",
      email: "e@x",
      picture: "",
      additionalClaims: {},
    });
    expect(id.userId).toBe("u1");
    expect(id.appId).toBe("");
    expect([...id.scopes]).toEqual(["all"]);
    expect(id.userInfo.subject).toBe("u1");
    expect(id.userInfo.name).toBe("N");
    expect(id.userInfo.additionalClaims.sub).toBe("u1");
    expect(id.expiresAt).toBe(now + 60);
  });

  test("wrong issuer, wrong audience, an early nbf and a foreign key are refused; an expired one says so", async () => {
    await expect(verifier.verify(await sign({ iss: "https://other" }))).rejects.toThrow(/different provider/);
    await expect(verifier.verify(await sign({ aud: ["someone-else"] }))).rejects.toThrow(/expected audience/);
    await expect(verifier.verify(await sign({ nbf: now + 600 }))).rejects.toThrow(/nbf/);
    // nbf within the five minutes' leeway is fine.
    expect((await verifier.verify(await sign({ nbf: now + 120 }))).userId).toBe("u1");
    const foreign = await generateKeyPair("RS256");
    await expect(verifier.verify(await sign({}, foreign.privateKey))).rejects.toThrow(/signature/);
    const expired = verifier.verify(await sign({ exp: now - 1 }));
    await expect(expired).rejects.toBeInstanceOf(IdTokenExpired);
    await expect(verifier.verify(await sign({ exp: undefined }))).rejects.toBeInstanceOf(IdTokenExpired);
    await expect(verifier.verify("")).rejects.toBeInstanceOf(AuthFailure);
  });

  test("with no client id configured, audience, issuer and expiry are not checked (upstream's skip)", async () => {
    const lax = new OidcIdTokenVerifier({ issuer: "https://idp.test", clientId: "", jwksUri: "unused", algorithms: ["RS256"] }, keys);
    expect((await lax.verify(await sign({ iss: "x", aud: "y", exp: now - 3600 }))).userId).toBe("u1");
  });

  test("an algorithm the provider does not advertise is refused", async () => {
    const es = await generateKeyPair("ES256");
    const esKeys = createLocalJWKSet({ keys: [{ ...(await exportJWK(es.publicKey)), kid: "e1", alg: "ES256" }] });
    const rsOnly = new OidcIdTokenVerifier({ issuer: "https://idp.test", clientId: "flyteadmin", jwksUri: "unused", algorithms: ["RS256"] }, esKeys);
    const token = await new SignJWT({ iss: "https://idp.test", aud: "flyteadmin", sub: "u1", exp: now + 60 })
      .setProtectedHeader({ alg: "ES256", kid: "e1" })
      .sign(es.privateKey);
    await expect(rsOnly.verify(token)).rejects.toThrow(AuthFailure);
  });
});

test("provider calls give up after the timeout", async () => {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Promise<Response>(() => {}) });
  try {
    const started = Date.now();
    const err = await providerFetch({ timeoutMs: 100 })(`http://127.0.0.1:${server.port}/`).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(5000);
  } finally {
    server.stop(true);
  }
});
