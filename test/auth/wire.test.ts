// Auth on the real wire: the whole server with useAuth on, over every protocol and both ports. Every RPC
// without a token is refused; tokens from our /oauth2/token are accepted under both header names; REST
// answers 401 with WWW-Authenticate; the metadata services answer anonymously, field by field.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { create, type DescMethod, type DescMethodStreaming, type DescMethodUnary, type DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createRouterTransport, type Transport } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { Hono } from "hono";
import { AdminService } from "../../src/gen/flyteidl/service/admin_pb";
import { AuthMetadataService } from "../../src/gen/flyteidl/service/auth_pb";
import { IdentityService } from "../../src/gen/flyteidl/service/identity_pb";
import { Health } from "../../src/gen/grpc/health/v1/health_pb";
import { ServerReflection } from "../../src/gen/grpc/reflection/v1/reflection_pb";
import { flyteServices } from "../../src/edge/routes";
import { mountRestGateway } from "../../src/edge/rest";
import { type AuthTestServer, startAuthServer } from "../helpers/auth-server";
import { answerOf, codeOf } from "../helpers/calls";

const noCredential =
  "token parse error id token err: access token err: [JWT_VERIFICATION_FAILED] Could not retrieve bearer token from metadata, caused by: rpc error: code = Unauthenticated desc = Request unauthenticated with Bearer";

/** Calls any method with an empty request; streams are read to their end. */
async function callAny(transport: Transport, method: DescMethod, headers?: Record<string, string>): Promise<void> {
  const input = create(method.input);
  if (method.methodKind === "unary") {
    await transport.unary(method as DescMethodUnary, undefined, 5000, headers, input);
    return;
  }
  async function* one() {
    yield input;
  }
  const res = await transport.stream(method as DescMethodStreaming, undefined, 5000, headers, one());
  for await (const _ of res.message) break;
}

describe("auth on the wire", () => {
  let s: AuthTestServer;
  let token: string;
  beforeAll(async () => {
    s = await startAuthServer();
    token = await s.token();
  });
  afterAll(() => s?.close());

  const services: DescService[] = [...flyteServices, Health, ServerReflection];

  test("every RPC on every protocol and port without a token: Unauthenticated, except AuthMetadataService", async () => {
    const reached: string[] = [];
    for (const [kind, transport] of Object.entries(s.transports)) {
      for (const service of services) {
        for (const method of service.methods) {
          // Bidirectional streams need HTTP/2 end to end: not callable over HTTP/1.1 at all.
          if (method.methodKind === "bidi_streaming" && kind.includes("HTTP/1.1")) continue;
          const [code, message] = await answerOf(callAny(transport, method));
          const open = service === AuthMetadataService;
          if (open ? code === "Unauthenticated" : code !== "Unauthenticated") reached.push(`${kind} ${service.typeName}/${method.name}: ${code} ${message}`);
          if (!open) expect(message).toStartWith(noCredential);
        }
      }
    }
    expect(reached).toEqual([]);
  });

  test("every REST route without a token: 401 with WWW-Authenticate, except the auth metadata routes", async () => {
    const routes = mountRestGateway(
      new Hono(),
      flyteServices,
      createRouterTransport(() => {}),
      { maxBodyBytes: 1 << 20 },
    );
    const wrong: string[] = [];
    for (const r of routes) {
      // Path values the gateway can bind (an enum needs one of its names), so each call reaches auth.
      const path = r.path.replace(/\{([^}]+)\}/g, (_, name: string) => (name.endsWith("resource_type") ? "TASK" : "1"));
      const res = await fetch(`${s.httpUrl}${path}`, {
        method: r.verb,
        headers: { "content-type": "application/json" },
        body: r.verb === "GET" ? undefined : "{}",
      });
      const open = r.service === AuthMetadataService.typeName;
      const ok = open ? res.status === 200 : res.status === 401 && (res.headers.get("www-authenticate") ?? "").startsWith("token parse error");
      if (!ok) wrong.push(`${r.verb} ${path}: ${res.status}`);
      if (!open && res.status === 401) expect(((await res.json()) as { code: number }).code).toBe(16);
      else await res.body?.cancel();
    }
    expect(wrong).toEqual([]);
    expect((await fetch(`${s.httpUrl}/healthcheck`)).status).toBe(200);
    expect((await fetch(`${s.httpUrl}/api/v1/openapi`)).status).toBe(200);
  });

  test("a token in authorization or flyte-authorization, any case of Bearer, passes on every protocol", async () => {
    for (const [kind, transport] of Object.entries(s.transports)) {
      const admin = createClient(AdminService, transport);
      for (const headers of [{ authorization: `Bearer ${token}` }, { "flyte-authorization": `Bearer ${token}` }, { authorization: `bearer ${token}` }]) {
        expect(`${kind}: ${await codeOf(admin.listProjects({}, { headers }))}`).toBe(`${kind}: OK`);
      }
    }
    for (const h of ["authorization", "flyte-authorization"]) {
      const res = await fetch(`${s.httpUrl}/api/v1/projects`, { headers: { [h]: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    }
  });

  test("scope, tampering, expiry and audience are checked", async () => {
    const admin = s.admin();
    const offline = await s.token({ scope: "offline" });
    expect(await answerOf(admin.getVersion({}, { headers: { authorization: `Bearer ${offline}` } }))).toEqual([
      "Unauthenticated",
      "authenticated user doesn't have required scope",
    ]);
    const [h, p, sig] = token.split(".");
    const claims = JSON.parse(Buffer.from(p, "base64url").toString());
    const forged = [h, Buffer.from(JSON.stringify({ ...claims, scp: ["all", "admin"] })).toString("base64url"), sig].join(".");
    for (const bad of [forged, `${h}.${p}.${sig.slice(0, -4)}AAAA`, "not-a-jwt", `${token}x`]) {
      expect(await codeOf(admin.getVersion({}, { headers: { authorization: `Bearer ${bad}` } }))).toBe("Unauthenticated");
    }
    // A token of this server for one host name is not a token for another one (its audience).
    const viaLocalhost = createClient(AdminService, createGrpcTransport({ baseUrl: s.publicUrl }));
    expect(await codeOf(viaLocalhost.getVersion({}, { headers: { authorization: `Bearer ${token}` } }))).toBe("Unauthenticated");
    expect(await answerOf(admin.getVersion({}, { headers: { authorization: "Bearer" } }))).toEqual([
      "Unauthenticated",
      expect.stringContaining("Bad authorization string"),
    ]);
  });

  test("AuthMetadataService answers anonymously, field by field as upstream", async () => {
    const meta = createClient(AuthMetadataService, s.transports["grpc (h2c, gRPC port)"]);
    // Clients here dial 127.0.0.1, whose authorized URI is the HTTP port's (both ports map to it by host name).
    const issuer = s.httpUrl;
    const m = await meta.getOAuth2Metadata({});
    expect(m.issuer).toBe(issuer);
    expect(m.authorizationEndpoint).toBe(`${issuer}/oauth2/authorize`);
    expect(m.tokenEndpoint).toBe(`${issuer}/oauth2/token`);
    expect(m.jwksUri).toBe(`${issuer}/oauth2/jwks`);
    expect(m.responseTypesSupported).toEqual(["code", "token", "code token"]);
    expect(m.scopesSupported).toEqual(["all"]);
    expect(m.tokenEndpointAuthMethodsSupported).toEqual(["client_secret_basic"]);
    expect(m.codeChallengeMethodsSupported).toEqual(["S256"]);
    expect(m.grantTypesSupported).toEqual(expect.arrayContaining(["client_credentials", "refresh_token", "authorization_code"]));
    expect(m.deviceAuthorizationEndpoint).toBe(`${issuer}/oauth2/device/code`);
    const c = await meta.getPublicClientConfig({});
    expect(c).toMatchObject({
      clientId: "flytectl",
      redirectUri: "http://localhost:53593/callback",
      scopes: ["all", "offline"],
      authorizationMetadataKey: "flyte-authorization",
      serviceHttpEndpoint: "",
      audience: "",
    });
    // application/json gets upstream's snake_case (protojson UseProtoNames).
    const json = { headers: { accept: "application/json", "content-type": "application/json" } };
    const rest = (await (await fetch(`${s.httpUrl}/.well-known/oauth-authorization-server`, json)).json()) as Record<string, unknown>;
    expect(rest.device_authorization_endpoint).toBe(`${issuer}/oauth2/device/code`);
    expect(rest.token_endpoint).toBe(`${issuer}/oauth2/token`);
    const client = (await (await fetch(`${s.httpUrl}/config/v1/flyte_client`, json)).json()) as Record<string, unknown>;
    expect(client).toMatchObject({ client_id: "flytectl", authorization_metadata_key: "flyte-authorization", service_http_endpoint: "" });
  });

  test("IdentityService tells a client's token apart; /me adds the subject header", async () => {
    const identity = createClient(IdentityService, s.transports["connect json (HTTP/1.1)"]);
    const me = await identity.userInfo({}, { headers: { authorization: `Bearer ${token}` } });
    expect(me.subject).toBe("");
    expect(me.additionalClaims?.client_id).toBeDefined();
    const res = await fetch(`${s.httpUrl}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-user-subject")).toBe("");
  });

  test("Health/Check needs a token too; with one it is SERVING", async () => {
    const health = createClient(Health, s.transports["grpc (h2c, gRPC port)"]);
    expect(await codeOf(health.check({}))).toBe("Unauthenticated");
    expect((await health.check({}, { headers: { authorization: `Bearer ${token}` } })).status).toBe(1);
    const auth = await health.check({ service: AuthMetadataService.typeName }, { headers: { authorization: `Bearer ${token}` } });
    expect(auth.status).toBe(1);
  });

  test("a made-up x-forwarded-host is the caller's InvalidArgument, not our Internal", async () => {
    const [code, message] = await answerOf(s.admin().getVersion({}, { headers: { authorization: `Bearer ${token}`, "x-forwarded-host": "a b/c" } }));
    expect([code, message]).toEqual(["InvalidArgument", 'invalid host "a b/c": expected host[:port]']);
  });

  test("an unparsable credential is Unauthenticated, never Unknown or Internal", async () => {
    for (const value of ["Basic abc", "Bearer ", "IDToken x.y.z", "Bearer a.b.c"]) {
      const err = await s
        .admin()
        .getVersion({}, { headers: { authorization: value } })
        .then(
          () => undefined,
          (e: unknown) => ConnectError.from(e),
        );
      expect(err?.code).toBe(Code.Unauthenticated);
    }
  });
});
