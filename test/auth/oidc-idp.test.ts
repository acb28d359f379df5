// The test IdP itself, as the CLIs would use it in External mode: flytectl's PKCE login and device flow,
// each ending in a JWT access token for our public URL with `scp`, which the External verifier accepts.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { loadExternalAuthServer } from "../../src/auth/external/load";
import { configSchema } from "../../src/config/schema";
import { HttpBrowser } from "../helpers/http-browser";
import { startOidcProvider, type TestOidcProvider } from "../helpers/oidc-idp";

const publicUrl = "http://localhost:8088";
let idp: TestOidcProvider;

beforeAll(async () => {
  idp = await startOidcProvider({ flyteadminRedirects: [`${publicUrl}/callback`], audience: publicUrl });
});
afterAll(() => idp?.close());

const external = () =>
  loadExternalAuthServer(
    configSchema.parse({
      auth: {
        authorizedUris: [publicUrl],
        userAuth: { openId: { baseUrl: idp.issuer } },
        appAuth: { authServerType: "External", externalAuthServer: { metadataUrl: ".well-known/openid-configuration" } },
      },
    }).auth,
  );

const token = async (form: Record<string, string>) => {
  const res = await fetch(`${idp.issuer}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
};

test("issuer is exactly the base URL, on 127.0.0.1", async () => {
  expect(idp.issuer).toBe(`http://127.0.0.1:${idp.port}`);
  const doc = (await (await fetch(`${idp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  expect(doc.issuer).toBe(idp.issuer);
});

test("flytectl's PKCE login (S256, loopback redirect) gives a JWT for our public URL that External mode accepts", async () => {
  const verifier = randomBytes(48).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const authorize = new URL(`${idp.issuer}/auth`);
  for (const [k, v] of Object.entries({
    client_id: "flytectl",
    response_type: "code",
    redirect_uri: idp.clients.flytectl.redirectUri,
    scope: "openid offline_access all offline",
    state: "state-123456",
    code_challenge: challenge,
    code_challenge_method: "S256",
  }))
    authorize.searchParams.set(k, v);
  let landed: URL | undefined;
  await new HttpBrowser().follow(authorize.href, {
    fill: idp.loginFiller("lena"),
    stopAt: (u) => (u.startsWith(idp.clients.flytectl.redirectUri) ? ((landed = new URL(u)), true) : false),
  });
  expect(landed?.searchParams.get("state")).toBe("state-123456");
  const code = landed!.searchParams.get("code")!;
  const wrong = await token({
    grant_type: "authorization_code",
    code,
    client_id: "flytectl",
    redirect_uri: idp.clients.flytectl.redirectUri,
    code_verifier: "x".repeat(43),
  });
  expect(wrong.status).toBe(400);
  // A code is single-use, so log in again for the real exchange.
  await new HttpBrowser().follow(authorize.href, {
    fill: idp.loginFiller("lena"),
    stopAt: (u) => (u.startsWith(idp.clients.flytectl.redirectUri) ? ((landed = new URL(u)), true) : false),
  });
  const ok = await token({
    grant_type: "authorization_code",
    code: landed!.searchParams.get("code")!,
    client_id: "flytectl",
    redirect_uri: idp.clients.flytectl.redirectUri,
    code_verifier: verifier,
  });
  expect(ok.status).toBe(200);
  expect(ok.body.refresh_token).toBeString();
  const ext = await external();
  const id = await ext.verifier.verify(ok.body.access_token, publicUrl);
  expect(id.userId).toBe("lena");
  expect(id.appId).toBe("flytectl");
  expect(id.scopes.has("all")).toBe(true);
});

test("the device flow completes through the provider's pages and gives a JWT External mode accepts", async () => {
  const start = await fetch(`${idp.issuer}/device/auth`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: "flytectl", scope: "openid all offline" }),
  });
  expect(start.status).toBe(200);
  const device = (await start.json()) as Record<string, string>;
  expect(Object.keys(device)).toEqual(expect.arrayContaining(["device_code", "user_code", "verification_uri", "expires_in", "interval"]));
  const grant = { grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: device.device_code, client_id: "flytectl" };
  expect((await token(grant)).body.error).toBe("authorization_pending");
  const steps = await new HttpBrowser().follow(device.verification_uri_complete, { fill: idp.loginFiller("mona") });
  expect(steps.at(-1)!.status).toBe(200);
  expect(steps.at(-1)!.body).toContain("Sign-in Success");
  const done = await token(grant);
  expect(done.status).toBe(200);
  const ext = await external();
  const id = await ext.verifier.verify(done.body.access_token, publicUrl);
  expect(id.userId).toBe("mona");
  expect(id.scopes.has("all")).toBe(true);
});

test("client_credentials with form credentials works too, and a wrong secret is invalid_client", async () => {
  const ok = await token({
    grant_type: "client_credentials",
    client_id: idp.clients.service.id,
    client_secret: idp.clients.service.secret,
    scope: "all offline",
  });
  expect(ok.status).toBe(200);
  expect(ok.body.token_type).toBe("Bearer");
  const claims = JSON.parse(Buffer.from(ok.body.access_token.split(".")[1], "base64url").toString());
  expect(claims.aud).toBe(publicUrl);
  expect(claims.scp).toEqual(["all", "offline"]);
  const bad = await token({ grant_type: "client_credentials", client_id: idp.clients.service.id, client_secret: "nope" });
  expect(bad.status).toBe(401);
  expect(bad.body.error).toBe("invalid_client");
});
