// The self-hosted server's token endpoint with client_credentials, its metadata and its keys, driven
// with real Requests over a real database (test/auth/self-harness.ts).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, createPublicKey } from "node:crypto";
import { Hono } from "hono";
import { mountOAuth2Routes } from "../../src/edge/auth/oauth2-routes";
import { basic, clientToken, formPost, get, type Harness, json, jwtParts, origin, selfServer, testClientSecret } from "./self-harness";

/** Python's urlencode quote_plus, as flytekit escapes the secret in its Basic header. */
const quotePlus = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");

describe("self auth server: /oauth2/token with client_credentials", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await selfServer();
  });
  afterAll(() => h.close());

  const cc = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    h.server.token(formPost("/oauth2/token", { grant_type: "client_credentials", ...form }, headers));

  test("Basic with the secret URL-encoded as flytekit sends it (space as +, + as %2B): 200, upstream's headers and body", async () => {
    const res = await cc({ scope: "all offline" }, { authorization: basic("testsvc", quotePlus(testClientSecret)), accept: "application/json" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json;charset=UTF-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("pragma")).toBe("no-cache");
    const text = await res.text();
    const body = JSON.parse(text) as Record<string, unknown>;
    // Go marshals the map with sorted keys; no refresh token for client_credentials.
    expect(Object.keys(body)).toEqual(["access_token", "expires_in", "scope", "token_type"]);
    expect(body).toMatchObject({ expires_in: 1799, scope: "all offline", token_type: "bearer" });
  });

  test("form client_id/client_secret work too; so does Basic with the secret unescaped when it has no + or %", async () => {
    const form = await cc({ client_id: "testsvc", client_secret: testClientSecret, scope: "all" });
    expect(form.status).toBe(200);
    const plain = await h.server.token(
      formPost("/oauth2/token", { grant_type: "client_credentials" }, { authorization: basic("testsvc", quotePlus(testClientSecret).replace("%2B", "%2b")) }),
    );
    expect(plain.status).toBe(200);
  });

  test("the JWT: header {alg, key_id, typ}; claims as upstream's client_credentials session", async () => {
    const token = (await json(await cc({ scope: "all" }, { authorization: basic("testsvc", quotePlus(testClientSecret)) }))).access_token as string;
    const { header, claims } = jwtParts(token);
    expect(Object.keys(header)).toEqual(["alg", "key_id", "typ"]);
    expect(header).toEqual({ alg: "RS256", key_id: h.server.jwks().keys[0].kid, typ: "JWT" });
    expect(Object.keys(claims)).toEqual(["aud", "client_id", "exp", "iat", "jti", "scp", "user_info"]);
    expect(claims).toMatchObject({ aud: [origin], client_id: "testsvc", scp: ["all"], user_info: null });
    expect(claims.exp).toBe((claims.iat as number) + 1800);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    const identity = await h.server.verify(token, origin);
    expect([...identity.scopes]).toEqual(["all"]);
    expect(identity.userId).toBe("");
  });

  test("no scope asked: scp is [] and the answer's scope empty", async () => {
    const body = await json(await cc({}, { authorization: basic("testsvc", quotePlus(testClientSecret)) }));
    expect(body.scope).toBe("");
    expect(jwtParts(body.access_token as string).claims.scp).toEqual([]);
  });

  test("a scope the client may not ask for is 400 invalid_scope; f.all is not all", async () => {
    const res = await cc({ scope: "all f.all" }, { authorization: basic("testsvc", quotePlus(testClientSecret)) });
    expect(res.status).toBe(400);
    expect(await json(res)).toEqual({
      error: "invalid_scope",
      error_description: "The requested scope is invalid, unknown, or malformed. The OAuth 2.0 Client is not allowed to request scope 'f.all'.",
    });
  });

  test("wrong secret, unknown client: 401 invalid_client", async () => {
    for (const auth of [basic("testsvc", "nope"), basic("nobody", "x")]) {
      const res = await cc({ scope: "all" }, { authorization: auth });
      expect(res.status).toBe(401);
      expect((await json(res)).error).toBe("invalid_client");
    }
  });

  test("upstream's default flytepropeller hash is not bcrypt of foobar (upstream's own TestCompare asserts so)", async () => {
    const res = await cc({ scope: "all" }, { authorization: basic("flytepropeller", "foobar") });
    expect(res.status).toBe(401);
  });

  test("a base64-encoded bcrypt hash is accepted, as upstream's docs configure secrets", async () => {
    const hash = await Bun.password.hash("other", { algorithm: "bcrypt", cost: 4 });
    const h2 = await selfServer({
      clients: { b64: { client_secret: Buffer.from(hash).toString("base64"), grant_types: ["client_credentials"], scopes: ["all"] } },
    });
    try {
      const ok = await h2.server.token(formPost("/oauth2/token", { grant_type: "client_credentials" }, { authorization: basic("b64", "other") }));
      expect(ok.status).toBe(200);
    } finally {
      h2.close();
    }
  });

  test("audience=x: 400 invalid_request naming it (static clients whitelist none)", async () => {
    const res = await cc({ scope: "all", audience: "x" }, { authorization: basic("testsvc", quotePlus(testClientSecret)) });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error).toBe("invalid_request");
    expect(body.error_description).toContain("Requested audience 'x' has not been whitelisted by the OAuth 2.0 Client.");
  });

  test("grant password, two grants at once: 400 invalid_request (no handler), even with bad credentials", async () => {
    for (const grant of ["password", "client_credentials refresh_token"]) {
      const res = await h.server.token(formPost("/oauth2/token", { grant_type: grant, username: "u", password: "p" }, { authorization: basic("x", "y") }));
      expect(res.status).toBe(400);
      expect((await json(res)).error).toBe("invalid_request");
    }
  });

  test("GET, an empty body, a missing grant_type: 400 invalid_request with fosite's hints", async () => {
    const getRes = await h.server.token(get("/oauth2/token"));
    expect(getRes.status).toBe(400);
    expect((await json(getRes)).error_description).toContain("HTTP method is 'GET', expected 'POST'.");
    const empty = await json(await h.server.token(formPost("/oauth2/token", {})));
    expect(empty.error_description).toContain("The POST body can not be empty.");
    const noGrant = await json(await h.server.token(formPost("/oauth2/token", { scope: "all" })));
    expect(noGrant.error_description).toContain("Request parameter 'grant_type' is missing");
  });

  test("multipart bodies are read as forms", async () => {
    const body = new FormData();
    body.set("grant_type", "client_credentials");
    body.set("client_id", "testsvc");
    body.set("client_secret", testClientSecret);
    const res = await h.server.token(new Request(`${origin}/oauth2/token`, { method: "POST", body }));
    expect(res.status).toBe(200);
  });

  test("a public client may not use client_credentials: 400 invalid_grant", async () => {
    const res = await cc({ client_id: "flytectl" });
    expect(res.status).toBe(400);
    expect((await json(res)).error_description).toContain("marked as public");
  });

  test("a confidential client without the client_credentials grant: 400 unauthorized_client", async () => {
    const h2 = await selfServer({ clients: { nocc: { client_secret: await Bun.password.hash("p", { algorithm: "bcrypt", cost: 4 }), scopes: ["all"] } } });
    try {
      const res = await h2.server.token(formPost("/oauth2/token", { grant_type: "client_credentials" }, { authorization: basic("nocc", "p") }));
      expect(res.status).toBe(400);
      expect((await json(res)).error).toBe("unauthorized_client");
    } finally {
      h2.close();
    }
  });

  test("the token verifies for the public URL only", async () => {
    const token = await clientToken(h);
    expect((await h.server.verify(token, origin)).scopes.has("all")).toBe(true);
    await expect(h.server.verify(token, "http://elsewhere:8088")).rejects.toThrow("invalid audience");
  });
});

describe("self auth server: metadata and keys", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await selfServer();
  });
  afterAll(() => h.close());

  test("metadata: upstream's fields plus the device endpoint; issuer without a trailing slash", () => {
    expect(h.server.metadata(new URL(origin))).toEqual({
      issuer: origin,
      authorizationEndpoint: `${origin}/oauth2/authorize`,
      tokenEndpoint: `${origin}/oauth2/token`,
      responseTypesSupported: ["code", "token", "code token"],
      scopesSupported: ["all"],
      tokenEndpointAuthMethodsSupported: ["client_secret_basic"],
      jwksUri: `${origin}/oauth2/jwks`,
      codeChallengeMethodsSupported: ["S256"],
      grantTypesSupported: ["client_credentials", "refresh_token", "authorization_code", "urn:ietf:params:oauth:grant-type:device_code"],
      deviceAuthorizationEndpoint: `${origin}/oauth2/device/code`,
    });
  });

  test("a configured issuer is the issuer", async () => {
    const h2 = await selfServer({ flags: { "auth.appAuth.selfAuthServer.issuer": "https://issuer.example" } });
    try {
      expect(h2.server.metadata(new URL(origin)).issuer).toBe("https://issuer.example");
    } finally {
      h2.close();
    }
  });

  test("/oauth2/jwks: application/json, {e, kid, kty, n}, kid the RFC 7638 thumbprint", async () => {
    const res = await h.server.jwksHandler(get("/oauth2/jwks"));
    expect(res.headers.get("content-type")).toBe("application/json");
    const { keys } = (await res.json()) as { keys: Array<Record<string, string>> };
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0])).toEqual(["e", "kid", "kty", "n"]);
    // RFC 7638: SHA-256 over the required members in lexicographic order, no whitespace.
    const canonical = JSON.stringify({ e: keys[0].e, kty: "RSA", n: keys[0].n });
    expect(keys[0].kid).toBe(createHash("sha256").update(canonical).digest("base64url"));
    const pub = createPublicKey({ key: { kty: "RSA", n: keys[0].n, e: keys[0].e }, format: "jwk" });
    expect(pub.asymmetricKeyType).toBe("rsa");
  });
});

describe("self auth server: the routes on a Hono app", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await selfServer();
  });
  afterAll(() => h.close());

  test("every route on any method; the token endpoint refuses GET with 400; jwks is JSON", async () => {
    const app = new Hono();
    mountOAuth2Routes(app, h.server);
    const token = await app.fetch(get("/oauth2/token"));
    expect(token.status).toBe(400);
    expect((await json(token)).error).toBe("invalid_request");
    const jwks = await app.fetch(new Request(`${origin}/oauth2/jwks`, { method: "POST" }));
    expect(jwks.headers.get("content-type")).toBe("application/json");
    expect(((await jwks.json()) as { keys: unknown[] }).keys).toHaveLength(1);
    const ok = await app.fetch(formPost("/oauth2/token", { grant_type: "client_credentials", client_id: "testsvc", client_secret: testClientSecret }));
    expect(ok.status).toBe(200);
    expect((await app.fetch(get("/oauth2/authorize?client_id=nobody"))).status).toBe(401);
    expect((await app.fetch(get("/oauth2/authorize_callback"))).status).toBe(500);
    expect((await app.fetch(get("/oauth2/device"))).status).toBe(307);
    expect((await app.fetch(formPost("/oauth2/device/code", { client_id: "flytectl" }))).status).toBe(200);
    expect((await app.fetch(formPost("/oauth2/revoke", { client_id: "flytectl", token: "x" }))).status).toBe(200);
  });

  test("a cached token verifies in microseconds (auth-on calls stay near auth-off speed)", async () => {
    const token = await clientToken(h);
    await h.server.verify(token, origin);
    const n = 20_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await h.server.verify(token, origin);
    const perCallUs = ((performance.now() - t0) * 1000) / n;
    expect(perCallUs).toBeLessThan(20);
  });
});
