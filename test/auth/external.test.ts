// External mode (auth.md §6) against a real authorization server (oidc-provider): the start-up metadata
// fetch, the GetOAuth2Metadata relay with its retries, and Bearer tokens verified by the server's keys.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from "jose";
import { loadExternalAuthServer } from "../../src/auth/external/load";
import { externalMetadataUrl } from "../../src/auth/external/metadata";
import { ExternalAccessTokenVerifier } from "../../src/auth/external/verifier";
import { AuthFailure } from "../../src/auth/failure";
import { configSchema } from "../../src/config/schema";
import { AdminError, ErrorCode } from "../../src/kernel/errors";
import { merge } from "../helpers/login-server";
import { startOidcProvider, type TestOidcProvider } from "../helpers/oidc-idp";

const publicUrl = "http://localhost:8088";
let idp: TestOidcProvider;

beforeAll(async () => {
  idp = await startOidcProvider({ flyteadminRedirects: [`${publicUrl}/callback`], audience: publicUrl, otherResources: ["https://other.example"] });
});
afterAll(() => idp?.close());

/** The auth section for External mode against the test server; oidc-provider serves only the OIDC discovery document. */
const settings = (extra: Record<string, unknown> = {}) =>
  configSchema.parse({
    auth: merge(
      {
        authorizedUris: [publicUrl],
        userAuth: { openId: { baseUrl: idp.issuer, clientId: "flyteadmin" } },
        appAuth: { authServerType: "External", externalAuthServer: { metadataUrl: ".well-known/openid-configuration", retryDelay: "5ms" } },
      },
      extra,
    ),
  }).auth;

test("the metadata URL: baseUrl (or openId.baseUrl) + / + metadataUrl, default .well-known/oauth-authorization-server, absolute allowed", () => {
  expect(externalMetadataUrl("https://as.example/realms/x", "").href).toBe("https://as.example/realms/x/.well-known/oauth-authorization-server");
  expect(externalMetadataUrl("https://as.example/realms/x/", ".well-known/openid-configuration").href).toBe(
    "https://as.example/realms/x/.well-known/openid-configuration",
  );
  expect(externalMetadataUrl("https://as.example/x", "https://elsewhere.example/meta").href).toBe("https://elsewhere.example/meta");
});

describe("GetOAuth2Metadata relay", () => {
  test("relays the server's document in the ten fields, dropping the rest", async () => {
    const ext = await loadExternalAuthServer(settings());
    const doc = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    const meta = await ext.metadata.get();
    expect(Object.keys(meta).sort()).toEqual(
      [
        "authorizationEndpoint",
        "codeChallengeMethodsSupported",
        "deviceAuthorizationEndpoint",
        "grantTypesSupported",
        "issuer",
        "jwksUri",
        "responseTypesSupported",
        "scopesSupported",
        "tokenEndpoint",
        "tokenEndpointAuthMethodsSupported",
      ].sort(),
    );
    expect(meta.issuer).toBe(idp.issuer);
    expect(meta.authorizationEndpoint).toBe(doc.authorization_endpoint as string);
    expect(meta.tokenEndpoint).toBe(`${idp.issuer}/token`);
    expect(meta.jwksUri).toBe(`${idp.issuer}/jwks`);
    expect(meta.deviceAuthorizationEndpoint).toBe(`${idp.issuer}/device/auth`);
    expect(meta.codeChallengeMethodsSupported).toEqual(["S256"]);
    expect(meta.grantTypesSupported).toEqual(expect.arrayContaining(["client_credentials", "urn:ietf:params:oauth:grant-type:device_code"]));
    expect(meta.responseTypesSupported).toEqual(doc.response_types_supported as string[]);
    expect(meta.scopesSupported).toEqual(doc.scopes_supported as string[]);
    expect(meta.tokenEndpointAuthMethodsSupported).toEqual(doc.token_endpoint_auth_methods_supported as string[]);
  });

  test("is fetched live on every call", async () => {
    const ext = await loadExternalAuthServer(settings());
    const count = () => idp.requests.filter((r) => r.url === "/.well-known/openid-configuration").length;
    const before = count();
    await ext.metadata.get();
    await ext.metadata.get();
    expect(count()).toBe(before + 2);
  });

  test("a 503 is tried 1 + retryAttempts times, then Internal 'Failed to get oauth metadata.'", async () => {
    const ext = await loadExternalAuthServer(settings({ appAuth: { externalAuthServer: { retryAttempts: 3 } } }));
    let tries = 0;
    idp.intercept = (req) => (req.url === "/.well-known/openid-configuration" ? (tries++, { status: 503, body: "busy" }) : undefined);
    try {
      const err = await ext.metadata.get().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AdminError);
      expect((err as AdminError).code).toBe(ErrorCode.Internal);
      expect((err as AdminError).message).toBe("Failed to get oauth metadata.");
      expect(tries).toBe(4);
    } finally {
      idp.intercept = undefined;
    }
  });

  test("a 503 that clears up within the retries gives the document", async () => {
    const ext = await loadExternalAuthServer(settings({ appAuth: { externalAuthServer: { retryAttempts: 2 } } }));
    let tries = 0;
    idp.intercept = (req) => (req.url === "/.well-known/openid-configuration" && tries++ < 2 ? { status: 503 } : undefined);
    try {
      expect((await ext.metadata.get()).issuer).toBe(idp.issuer);
      expect(tries).toBe(3);
    } finally {
      idp.intercept = undefined;
    }
  });

  test("a 400 is not retried: Unknown 'failed to get oauth metadata with status code 400'; a bad body is Unknown", async () => {
    const ext = await loadExternalAuthServer(settings());
    let tries = 0;
    idp.intercept = (req) => (req.url === "/.well-known/openid-configuration" ? (tries++, { status: 400 }) : undefined);
    try {
      const err = (await ext.metadata.get().catch((e: unknown) => e)) as AdminError;
      expect(err.code).toBe(ErrorCode.Unknown);
      expect(err.message).toBe("failed to get oauth metadata with status code 400");
      expect(tries).toBe(1);
      idp.intercept = (req) => (req.url === "/.well-known/openid-configuration" ? { status: 200, body: "<html>" } : undefined);
      expect(((await ext.metadata.get().catch((e: unknown) => e)) as AdminError).code).toBe(ErrorCode.Unknown);
      idp.intercept = (req) => (req.url === "/.well-known/openid-configuration" ? { status: 200, body: '{"issuer": 7}' } : undefined);
      expect(((await ext.metadata.get().catch((e: unknown) => e)) as AdminError).code).toBe(ErrorCode.Unknown);
    } finally {
      idp.intercept = undefined;
    }
  });

  test("an unreachable server is Unknown at once", async () => {
    const other = await startOidcProvider({ flyteadminRedirects: [`${publicUrl}/callback`] });
    const ext = await loadExternalAuthServer(
      settings({ userAuth: { openId: { baseUrl: other.issuer } }, appAuth: { externalAuthServer: { retryAttempts: 5, retryDelay: "1s" } } }),
    );
    await other.close();
    const started = Date.now();
    const err = (await ext.metadata.get().catch((e: unknown) => e)) as AdminError;
    expect(err).toBeInstanceOf(AdminError);
    expect(err.code).toBe(ErrorCode.Unknown);
    expect(Date.now() - started).toBeLessThan(900);
  });
});

describe("start-up", () => {
  test("the default metadata path works (oidc-provider 9 serves .well-known/oauth-authorization-server too)", async () => {
    const ext = await loadExternalAuthServer(settings({ appAuth: { externalAuthServer: { metadataUrl: "" } } }));
    expect(ext.metadataUrl.href).toBe(`${idp.issuer}/.well-known/oauth-authorization-server`);
    expect((await ext.metadata.get()).issuer).toBe(idp.issuer);
  });

  test("needs a 200 JSON document, once, no retry: otherwise start-up fails naming the key and the URL", async () => {
    const err = await loadExternalAuthServer(settings({ appAuth: { externalAuthServer: { metadataUrl: "no/such/document" } } })).catch((e: Error) => e);
    expect((err as Error).message).toContain("auth.userAuth.openId.baseUrl");
    expect((err as Error).message).toContain(`${idp.issuer}/no/such/document`);
    let tries = 0;
    idp.intercept = (req) =>
      req.url === "/.well-known/openid-configuration" ? (tries++, { status: 200, body: "not json", headers: { "content-type": "text/plain" } }) : undefined;
    try {
      const bad = await loadExternalAuthServer(settings()).catch((e: Error) => e);
      expect((bad as Error).message).toContain("expected Content-Type = application/json");
      expect(tries).toBe(1);
    } finally {
      idp.intercept = undefined;
    }
  });

  test("externalAuthServer.baseUrl wins over openId.baseUrl, and an absolute metadataUrl works", async () => {
    const ext = await loadExternalAuthServer(
      settings({
        appAuth: { externalAuthServer: { baseUrl: idp.issuer, metadataUrl: `${idp.issuer}/.well-known/openid-configuration` } },
        userAuth: { openId: { baseUrl: "http://127.0.0.1:1" } },
      }),
    );
    expect(ext.issuer).toBe(idp.issuer);
    const err = await loadExternalAuthServer(settings({ appAuth: { externalAuthServer: { baseUrl: "http://127.0.0.1:1" } } })).catch((e: Error) => e);
    expect((err as Error).message).toContain("auth.appAuth.externalAuthServer.baseUrl");
  });
});

describe("Bearer tokens of the server", () => {
  test("a client_credentials JWT for our public URL is accepted: scopes from scp, app id = client_id", async () => {
    const ext = await loadExternalAuthServer(settings());
    const { access_token } = await idp.clientCredentials({ scope: "all" });
    const id = await ext.verifier.verify(access_token as string, publicUrl);
    expect(id.appId).toBe(idp.clients.service.id);
    expect(id.userId).toBe(idp.clients.service.id);
    expect(id.scopes.has("all")).toBe(true);
    expect(id.claims.aud).toBe(publicUrl);
    expect(id.claims.scp).toEqual(["all"]);
    // Remembered: the same token is not verified again.
    expect(await ext.verifier.verify(access_token as string, publicUrl)).toBe(id);
  });

  test("another audience is refused, unless it is in allowedAudience", async () => {
    const ext = await loadExternalAuthServer(settings());
    const { access_token } = await idp.clientCredentials({ resource: "https://other.example" });
    await expect(ext.verifier.verify(access_token as string, publicUrl)).rejects.toThrow(/invalid audience/);
    // A token for us, checked for another public URL, is refused too.
    const ours = (await idp.clientCredentials()).access_token as string;
    await expect(ext.verifier.verify(ours, "http://localhost:9999")).rejects.toThrow(AuthFailure);
    const allowing = await loadExternalAuthServer(settings({ appAuth: { externalAuthServer: { allowedAudience: ["https://other.example"] } } }));
    expect((await allowing.verifier.verify(access_token as string, publicUrl)).appId).toBe(idp.clients.service.id);
  });

  test("a tampered token is refused", async () => {
    const ext = await loadExternalAuthServer(settings());
    const token = (await idp.clientCredentials()).access_token as string;
    const [h, p, sig] = token.split(".");
    const claims = JSON.parse(Buffer.from(p, "base64url").toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: "admin" })).toString("base64url")}.${sig}`;
    await expect(ext.verifier.verify(forged, publicUrl)).rejects.toThrow(/signature/);
    await expect(ext.verifier.verify(`${h}.${p}.${sig.slice(0, -4)}AAAA`, publicUrl)).rejects.toThrow(AuthFailure);
    await expect(ext.verifier.verify("not-a-jwt", publicUrl)).rejects.toThrow(AuthFailure);
  });

  test("an expired token is refused, also after it was accepted once", async () => {
    const shortLived = await startOidcProvider({ flyteadminRedirects: [`${publicUrl}/callback`], audience: publicUrl, accessTokenTtl: 1 });
    try {
      const ext = await loadExternalAuthServer(settings({ userAuth: { openId: { baseUrl: shortLived.issuer } } }));
      const token = (await shortLived.clientCredentials()).access_token as string;
      expect((await ext.verifier.verify(token, publicUrl)).appId).toBe("flytepropeller");
      await Bun.sleep(2100);
      await expect(ext.verifier.verify(token, publicUrl)).rejects.toThrow(/expired/);
    } finally {
      await shortLived.close();
    }
  }, 10_000);

  test("a token from another server (its keys) is refused", async () => {
    const other = await startOidcProvider({ flyteadminRedirects: [`${publicUrl}/callback`], audience: publicUrl });
    try {
      const ext = await loadExternalAuthServer(settings());
      const token = (await other.clientCredentials()).access_token as string;
      await expect(ext.verifier.verify(token, publicUrl)).rejects.toThrow(/signature/);
    } finally {
      await other.close();
    }
  });
});

describe("claim checks (locally signed tokens)", async () => {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const keys = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: "k", alg: "RS256" }] });
  const verifier = new ExternalAccessTokenVerifier({ issuer: "https://as.test", allowedAudience: [] }, keys);
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>) =>
    new SignJWT({ iss: "https://as.test", aud: [publicUrl], exp: now + 60, iat: now, ...claims })
      .setProtectedHeader({ alg: "RS256", kid: "k" })
      .sign(privateKey);

  test("iss must be the metadata's issuer (beyond upstream)", async () => {
    await expect(verifier.verify(await sign({ iss: "https://impostor.test" }), publicUrl)).rejects.toThrow(/issuer/);
    await expect(verifier.verify(await sign({ iss: undefined }), publicUrl)).rejects.toThrow(/issuer/);
  });

  test("exp, iat and nbf without leeway", async () => {
    await expect(verifier.verify(await sign({ exp: now }), publicUrl)).rejects.toThrow(/expired/);
    await expect(verifier.verify(await sign({ iat: now + 30 }), publicUrl)).rejects.toThrow(/before issued/);
    await expect(verifier.verify(await sign({ nbf: now + 30 }), publicUrl)).rejects.toThrow(/not valid yet/);
    await expect(verifier.verify(await sign({ exp: "soon" }), publicUrl)).rejects.toThrow(AuthFailure);
  });

  test("scopes from scp and from a space-separated scope; none with a client_id gives no scope", async () => {
    expect([...(await verifier.verify(await sign({ scope: "all offline", client_id: "c" }), publicUrl)).scopes].sort()).toEqual(["all", "offline"]);
    expect([...(await verifier.verify(await sign({ scp: "all", client_id: "c" }), publicUrl)).scopes]).toEqual(["all"]);
    expect((await verifier.verify(await sign({ client_id: "c" }), publicUrl)).scopes.size).toBe(0);
    // A user token without scopes and without client_id counts as `all`, as upstream.
    expect([...(await verifier.verify(await sign({ sub: "u" }), publicUrl)).scopes]).toEqual(["all"]);
  });

  test("a string aud works as well as a list", async () => {
    expect((await verifier.verify(await sign({ aud: publicUrl, sub: "u" }), publicUrl)).userId).toBe("u");
  });
});
