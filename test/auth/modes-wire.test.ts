// The other ways auth runs, on the whole server: off (nothing changes; the auth services are not
// served), disableForGrpc (anonymous gRPC calls pass, REST still needs a credential) and External
// (tokens of another authorization server, here the test OIDC provider, checked against its keys).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AdminService } from "../../src/gen/flyteidl/service/admin_pb";
import { AuthMetadataService } from "../../src/gen/flyteidl/service/auth_pb";
import { IdentityService } from "../../src/gen/flyteidl/service/identity_pb";
import { PluginId, PluginRegistry } from "../../src/plugins/registry";
import { callerKey } from "../../src/services/caller";
import { type AuthTestServer, startAuthServer } from "../helpers/auth-server";
import { answerOf, codeOf } from "../helpers/calls";
import { startTestServer, type TestServer } from "../helpers/server";

describe("auth off", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(() => s?.close());

  test("every call passes without a token; the auth services answer Unimplemented, their routes 501", async () => {
    expect(await codeOf(s.admin().listProjects({}))).toBe("OK");
    const meta = createClient(AuthMetadataService, s.transports["grpc (h2c, gRPC port)"]);
    expect(await codeOf(meta.getOAuth2Metadata({}))).toBe("Unimplemented");
    expect(await codeOf(createClient(IdentityService, s.transports["grpc (h2c, gRPC port)"]).userInfo({}))).toBe("Unimplemented");
    for (const path of ["/me", "/config/v1/flyte_client", "/.well-known/oauth-authorization-server"])
      expect((await fetch(`${s.httpUrl}${path}`)).status).toBe(501);
    for (const path of ["/login", "/oauth2/token"]) expect((await fetch(`${s.httpUrl}${path}`)).status).toBe(404);
  });

  test("auth.rbac.enabled without useAuth refuses to start, naming both keys", async () => {
    const failed = await startTestServer({ "auth.rbac.enabled": "true" }).then(
      (t) => t.close().then(() => ""),
      (e: Error) => e.message,
    );
    expect(failed).toContain("auth.rbac.enabled needs server.security.useAuth");
  });
});

describe("start-up with useAuth", () => {
  test("a missing secret or provider stops start-up with a message naming it", async () => {
    const empty = mkdtempSync(join(tmpdir(), "no-secrets-"));
    const failure = (flags: Record<string, string>) =>
      startAuthServer({ flags }).then(
        (t) => t.close().then(() => ""),
        (e: Error) => e.message,
      );
    expect(await failure({ "secrets.secrets-prefix": empty })).toContain("cookie_hash_key");
    expect(await failure({ "auth.userAuth.openId.baseUrl": "" })).toContain("auth.userAuth.openId.baseUrl");
    expect(await failure({ "auth.authorizedUris": '["not a url"]' })).toContain("auth.authorizedUris[0]");
  });
});

describe("disableForGrpc", () => {
  let s: AuthTestServer;
  beforeAll(async () => {
    s = await startAuthServer({ flags: { "auth.disableForGrpc": "true" } });
  });
  afterAll(() => s?.close());

  test("gRPC without a token passes anonymously; a valid token still counts; REST still refuses", async () => {
    const identity = createClient(IdentityService, s.transports["grpc (h2c, gRPC port)"]);
    expect(await codeOf(s.admin().listProjects({}))).toBe("OK");
    expect(await codeOf(s.admin().listProjects({}, { headers: { authorization: "Bearer garbage" } }))).toBe("OK");
    expect((await identity.userInfo({})).subject).toBe("");
    const token = await s.token();
    expect((await identity.userInfo({}, { headers: { authorization: `Bearer ${token}` } })).additionalClaims?.client_id).toBe("flytepropeller");
    // A verified token without the `all` scope is still refused.
    const offline = await s.token({ scope: "offline" });
    expect(await answerOf(s.admin().listProjects({}, { headers: { authorization: `Bearer ${offline}` } }))).toEqual([
      "Unauthenticated",
      "authenticated user doesn't have required scope",
    ]);
    expect((await fetch(`${s.httpUrl}/api/v1/projects`)).status).toBe(401);
  });
});

describe("External authorization server", () => {
  let s: AuthTestServer;
  beforeAll(async () => {
    s = await startAuthServer({ flags: { "auth.appAuth.authServerType": "External" } });
  });
  afterAll(() => s?.close());

  test("the provider's client_credentials JWT is accepted for our audience, on both ports", async () => {
    const { access_token } = (await s.idp.clientCredentials({ scope: "all" })) as { access_token: string };
    const headers = { authorization: `Bearer ${access_token}` };
    // The provider's token names http://localhost:<httpPort> as audience: calls must reach us by that name.
    for (const port of [new URL(s.httpUrl).port, new URL(s.grpcUrl).port]) {
      const admin = createClient(AdminService, createGrpcTransport({ baseUrl: `http://localhost:${port}` }));
      expect(await codeOf(admin.listProjects({}, { headers }))).toBe("OK");
      expect(await codeOf(admin.listProjects({}))).toBe("Unauthenticated");
    }
    // Through 127.0.0.1 the public URL, and so the audience, is another one.
    expect(await codeOf(s.admin().listProjects({}, { headers }))).toBe("Unauthenticated");
  });

  test("GetOAuth2Metadata relays the provider's endpoints; our own /oauth2 routes are absent", async () => {
    const m = await createClient(AuthMetadataService, s.transports["grpc (h2c, gRPC port)"]).getOAuth2Metadata({});
    expect(m.issuer).toBe(s.idp.issuer);
    expect(m.tokenEndpoint).toStartWith(s.idp.issuer);
    expect(m.deviceAuthorizationEndpoint).toStartWith(s.idp.issuer);
    expect((await fetch(`${s.httpUrl}/oauth2/token`, { method: "POST" })).status).toBe(404);
  });
});

describe("auth routes and a made-up Host", () => {
  let s: AuthTestServer;
  beforeAll(async () => {
    s = await startAuthServer();
  });
  afterAll(() => s?.close());

  test("the token endpoint answers 400 naming the host, not 500", async () => {
    const res = await fetch(`${s.httpUrl}/oauth2/token`, { method: "POST", headers: { "x-forwarded-host": "a b" }, body: "grant_type=client_credentials" });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain('invalid host "a b"');
  });
});

describe("auth with plugin middleware", () => {
  let s: AuthTestServer;
  const seen: string[] = [];
  beforeAll(async () => {
    const plugins = new PluginRegistry();
    // Upstream's order: authentication, then the plugins' middleware (which sees the caller), then the policy.
    const middleware: Interceptor = (next) => async (req) => {
      seen.push(req.contextValues.get(callerKey)?.appId ?? "none");
      return next(req);
    };
    plugins.register(PluginId.UnaryServiceMiddleware, [middleware]);
    s = await startAuthServer({
      plugins,
      clients: ["viewer"],
      flags: { "auth.rbac.enabled": "true", "auth.rbac.bindings": JSON.stringify([{ role: "viewer", identities: ["client:viewer"] }]) },
    });
  });
  afterAll(() => s?.close());

  test("the middleware runs after authentication and before the policy; unauthenticated calls never reach it", async () => {
    const token = await s.token({ client: "viewer", secret: "viewer-secret" });
    const as = { headers: { authorization: `Bearer ${token}` } };
    expect(await codeOf(s.admin().listProjects({}))).toBe("Unauthenticated");
    expect(seen).toEqual([]);
    expect(await codeOf(s.admin().listProjects({}, as))).toBe("OK");
    expect(await codeOf(s.admin().registerProject({ project: { id: "p", name: "p" } }, as))).toBe("PermissionDenied");
    expect(seen).toEqual(["viewer", "viewer"]);
  });
});
