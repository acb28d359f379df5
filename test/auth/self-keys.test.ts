// Keys from the secrets, and verification of tokens: start-up errors name the secret; the old key
// verifies and is published second; tampered, expired, not-yet-valid, wrong-audience tokens and codes or
// refresh tokens presented as access tokens are refused.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createPrivateKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { CompactSign } from "jose";
import { secretsFrom } from "../../src/auth/secrets";
import { loadSigningKeys } from "../../src/auth/self/keys";
import { SelfAuthServer } from "../../src/auth/self/server";
import { clientToken, type Harness, jwtParts, origin, rsaPem, secretsDir, selfServer, unpaddedBase64 } from "./self-harness";

const names = {
  claimSymmetricEncryptionKeySecretName: "claim_symmetric_key",
  tokenSigningRSAKeySecretName: "token_rsa_key.pem",
  oldTokenSigningRSAKeySecretName: "token_rsa_key_old.pem",
};

const loadError = async (files: Record<string, string>): Promise<string> => {
  const { secrets } = secretsDir(files);
  try {
    await loadSigningKeys(secrets, names);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected the keys to be refused");
};

describe("self auth server: keys", () => {
  test("missing, empty, padded or non-base64 claim key: the error names the secret", async () => {
    const missing = secretsFrom({ "secrets-prefix": "/nonexistent", "env-prefix": "FLYTE_SECRET_" }, {});
    await expect(loadSigningKeys(missing, names)).rejects.toThrow("claim_symmetric_key");
    expect(await loadError({ claim_symmetric_key: "" })).toContain("claim_symmetric_key");
    expect(await loadError({ claim_symmetric_key: randomBytes(32).toString("base64") })).toContain(
      "secret claim_symmetric_key is not unpadded standard base64",
    );
    expect(await loadError({ claim_symmetric_key: "not base64!" })).toContain("claim_symmetric_key");
  });

  test("a short claim key is zero-padded, a long one cut; from the environment too", async () => {
    const short = secretsFrom(
      { "secrets-prefix": "/nonexistent", "env-prefix": "X_" },
      { X_claim_symmetric_key: unpaddedBase64(Buffer.from("abc")), "X_token_rsa_key.pem": rsaPem() },
    );
    const keys = await loadSigningKeys(short, names);
    expect(keys.claimKey).toEqual(Buffer.concat([Buffer.from("abc"), Buffer.alloc(29)]));
    const long = randomBytes(40);
    const { secrets } = secretsDir({ claim_symmetric_key: unpaddedBase64(long) });
    expect((await loadSigningKeys(secrets, names)).claimKey).toEqual(long.subarray(0, 32));
  });

  test("signing key: empty, not PEM, not RSA are errors naming the secret; PKCS#8 is accepted", async () => {
    expect(await loadError({ "token_rsa_key.pem": "" })).toContain("token_rsa_key.pem");
    expect(await loadError({ "token_rsa_key.pem": "hello" })).toContain("secret token_rsa_key.pem holds no PEM");
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    expect(await loadError({ "token_rsa_key.pem": ec })).toContain("not an RSA key");
    const { secrets } = secretsDir({ "token_rsa_key.pem": rsaPem("pkcs8") });
    expect((await loadSigningKeys(secrets, names)).verification).toHaveLength(1);
  });

  test("old key present but empty or unparsable: an error naming it", async () => {
    expect(await loadError({ "token_rsa_key_old.pem": "" })).toContain("token_rsa_key_old.pem");
    expect(await loadError({ "token_rsa_key_old.pem": "-----BEGIN RSA PRIVATE KEY-----\nxx\n-----END RSA PRIVATE KEY-----\n" })).toContain(
      "token_rsa_key_old.pem",
    );
  });

  test("SelfAuthServer.load throws the same errors", async () => {
    const h = await selfServer();
    try {
      const { secrets } = secretsDir({ "token_rsa_key.pem": "" });
      await expect(
        SelfAuthServer.load({
          settings: h.config.auth,
          secrets,
          grants: h.grants,
          sessions: { identify: async () => undefined },
          cookies: h.cookies,
          authorizedUris: [],
        }),
      ).rejects.toThrow("token_rsa_key.pem");
    } finally {
      h.close();
    }
  });
});

describe("self auth server: verifying access tokens", () => {
  let h: Harness;
  let oldPem: string;
  beforeAll(async () => {
    oldPem = rsaPem();
    h = await selfServer({ secrets: secretsDir({ "token_rsa_key_old.pem": oldPem }).secrets });
  });
  afterAll(() => h.close());

  /** A token with our header shape, signed by `pem`, for `claims`. */
  const signed = (pem: string, claims: Record<string, unknown>, header: Record<string, unknown> = { alg: "RS256", typ: "JWT" }) =>
    new CompactSign(new TextEncoder().encode(JSON.stringify(claims))).setProtectedHeader(header as { alg: string }).sign(createPrivateKey(pem));

  const nowS = () => Math.floor(h.clock.now / 1000);
  const good = () => ({ aud: [origin], client_id: "", exp: nowS() + 60, iat: nowS(), jti: crypto.randomUUID(), scp: ["all"], user_info: null });

  test("JWKS: the current key first, the old key second; a token the old key signed verifies (by key_id or as the only match)", async () => {
    const { keys } = h.server.jwks();
    expect(keys).toHaveLength(2);
    expect(keys[0].kid).toBe(jwtParts(await clientToken(h)).header.key_id as string);
    const byId = await signed(oldPem, good(), { alg: "RS256", key_id: keys[1].kid, typ: "JWT" });
    expect((await h.server.verify(byId, origin)).scopes.has("all")).toBe(true);
    const byKid = await signed(oldPem, good(), { alg: "RS256", kid: keys[1].kid });
    expect((await h.server.verify(byKid, origin)).scopes.has("all")).toBe(true);
    // Without a key id the first key is tried, as upstream: the old key's token fails.
    await expect(h.server.verify(await signed(oldPem, good()), origin)).rejects.toThrow("signature is invalid");
  });

  test("tampered claims: signature is invalid", async () => {
    const token = await clientToken(h);
    const [hd, , sig] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ ...jwtParts(token).claims, sub: "admin" })).toString("base64url");
    await expect(h.server.verify(`${hd}.${forged}.${sig}`, origin)).rejects.toThrow("signature is invalid");
    await expect(h.server.verify("a.b", origin)).rejects.toThrow("invalid number of segments");
  });

  test("a key we do not hold: signature is invalid; HS256: unexpected signing method", async () => {
    await expect(h.server.verify(await signed(rsaPem(), good()), origin)).rejects.toThrow("signature is invalid");
    const hs = await new CompactSign(new TextEncoder().encode(JSON.stringify(good()))).setProtectedHeader({ alg: "HS256" }).sign(randomBytes(32));
    await expect(h.server.verify(hs, origin)).rejects.toThrow("unexpected signing method: HS256");
  });

  test("expired (also once cached), issued in the future, not yet valid: refused", async () => {
    const token = await clientToken(h);
    await h.server.verify(token, origin);
    h.advance(1800 * 1000);
    await expect(h.server.verify(token, origin)).rejects.toThrow("Token is expired");
    h.advance(-1800 * 1000);
    const fresh = await clientToken(h);
    h.advance(-5000);
    await expect(h.server.verify(fresh, origin)).rejects.toThrow("Token used before issued");
    h.advance(5000);
  });

  test("wrong audience: invalid audience [...]", async () => {
    await expect(h.server.verify(await clientToken(h), "https://localhost:8088")).rejects.toThrow(
      `invalid audience [${origin}], wanted [https://localhost:8088]`,
    );
  });

  test("a revoked access token stops verifying, cached or not", async () => {
    const token = await clientToken(h);
    await h.server.verify(token, origin);
    await h.grants.revoke([jwtParts(token).claims.jti as string], nowS() + 3600, nowS());
    // Another process revoked it: the cached entry is trusted for up to 10 s, then looked up again.
    expect((await h.server.verify(token, origin)).scopes.has("all")).toBe(true);
    h.advance(11_000);
    await expect(h.server.verify(token, origin)).rejects.toThrow("Token has been revoked");
  });
});
