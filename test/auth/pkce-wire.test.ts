// The authorization-code grant with PKCE through the whole server, as flytekit and flytectl run it: our
// /oauth2/authorize sends the browser to /login, on to the OIDC provider and back, and the code redeems
// for tokens whose subject is the provider's. Executions created with them carry that principal, and
// the FlyteWorkflow sent to Kubernetes runs as that identity. Refresh rotates; a code redeems once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { ExecutionState } from "../../src/gen/flyteidl/admin/execution_pb";
import { ResourceType } from "../../src/gen/flyteidl/core/identifier_pb";
import { IdentityService } from "../../src/gen/flyteidl/service/identity_pb";
import { launchPlanFor, pythonTask, twoNodeWorkflow } from "../fixtures/pyflyte";
import { type AuthTestServer, startAuthServer } from "../helpers/auth-server";
import { type FakeKube, startFakeKube } from "../helpers/fake-k8s";
import { HttpBrowser } from "../helpers/http-browser";
import { codeOf } from "../helpers/calls";

const redirectUri = "http://localhost:53593/callback";
const scope = { project: "flytesnacks", domain: "development" };

interface Tokens {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
}

describe("PKCE through the whole server", () => {
  let s: AuthTestServer;
  let kube: FakeKube;
  beforeAll(async () => {
    kube = await startFakeKube();
    s = await startAuthServer({ flags: { "server.kube-config": kube.writeKubeconfig() } });
  });
  afterAll(async () => {
    await s?.close();
    await kube?.close();
  });

  /** The browser's part: authorize → /login → provider login → /callback → authorize_callback → the client's redirect. */
  async function authorize(subject: string) {
    const verifier = randomBytes(64).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const state = randomBytes(24).toString("base64url");
    const params = new URLSearchParams({
      client_id: "flytectl",
      response_type: "code",
      scope: "all offline",
      redirect_uri: redirectUri,
      state,
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    const browser = new HttpBrowser();
    const steps = await browser.follow(`${s.httpUrl}/oauth2/authorize?${params}`, {
      fill: s.idp.loginFiller(subject),
      stopAt: (u) => u.startsWith(redirectUri),
    });
    const location = new URL(steps.at(-1)?.headers.get("location") ?? "", s.httpUrl);
    expect(location.href.startsWith(redirectUri)).toBe(true);
    expect(location.searchParams.get("state")).toBe(state);
    return { code: location.searchParams.get("code") ?? "", verifier, params, browser };
  }

  const tokenCall = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${s.httpUrl}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form),
    });

  test("flytekit's exchange: the code, the verifier and every authorize parameter; a code redeems once", async () => {
    const { code, verifier, params } = await authorize("alice");
    const form = { ...Object.fromEntries(params), code, grant_type: "authorization_code", code_verifier: verifier };
    const res = await tokenCall(form);
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as Tokens;
    expect(tokens.refresh_token).toBeTruthy();
    const claims = JSON.parse(Buffer.from(tokens.access_token.split(".")[1], "base64url").toString());
    expect(claims).toMatchObject({ sub: "alice", client_id: "flytectl", iss: s.httpUrl });
    expect(claims.user_info.email).toBe("alice@example.test");
    // IdentityService and /me see the provider's user.
    const me = await createClient(IdentityService, s.transports["grpc (h2c, gRPC port)"]).userInfo(
      {},
      { headers: { authorization: `Bearer ${tokens.access_token}` } },
    );
    expect(me).toMatchObject({ subject: "alice", email: "alice@example.test", preferredUsername: "alice" });
    const again = await tokenCall(form);
    expect(again.status).toBe(400);
    expect(((await again.json()) as { error: string }).error).toBe("invalid_grant");
  });

  test("flytectl's exchange (Basic flytectl: with an empty secret); a wrong verifier is invalid_grant; refresh rotates", async () => {
    const first = await authorize("bob");
    const wrong = await tokenCall(
      { grant_type: "authorization_code", code: first.code, redirect_uri: redirectUri, code_verifier: randomBytes(64).toString("base64url") },
      { authorization: `Basic ${btoa("flytectl:")}` },
    );
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { error: string }).error).toBe("invalid_grant");
    const { code, verifier } = await authorize("bob");
    const res = await tokenCall(
      { grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier },
      { authorization: `Basic ${btoa("flytectl:")}` },
    );
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as Tokens;
    const refreshed = await tokenCall({ grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "", client_id: "flytectl" });
    expect(refreshed.status).toBe(200);
    const next = (await refreshed.json()) as Tokens;
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    // The old refresh token is spent: reusing it fails, and revokes the rotated one too (its family).
    expect((await tokenCall({ grant_type: "refresh_token", refresh_token: tokens.refresh_token ?? "", client_id: "flytectl" })).status).toBe(400);
    expect((await tokenCall({ grant_type: "refresh_token", refresh_token: next.refresh_token ?? "", client_id: "flytectl" })).status).toBe(400);
  });

  test("an execution created with the user's token: principal and execution identity are the user; state changes record them", async () => {
    const { code, verifier } = await authorize("carol");
    const tokens = (await (await tokenCall({ grant_type: "authorization_code", code, client_id: "flytectl", code_verifier: verifier })).json()) as Tokens;
    const as = { headers: { authorization: `Bearer ${tokens.access_token}` } };
    const admin = s.admin();
    await admin.registerProject({ project: { id: "flytesnacks", name: "flytesnacks" } }, as);
    await admin.createTask(pythonTask({ name: "workflows.example.t1" }), as);
    await admin.createTask(pythonTask({ name: "workflows.example.t2" }), as);
    await admin.createWorkflow(twoNodeWorkflow(), as);
    await admin.createLaunchPlan(launchPlanFor({}, { defaults: { name: "world" } }), as);
    const lp = { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name: "workflows.example.wf", version: "v1" };
    // The client's own principal is replaced by the caller's.
    const { id } = await admin.createExecution({ ...scope, name: "by-carol", spec: { launchPlan: lp, metadata: { principal: "mallory" } } }, as);
    const e = await admin.getExecution({ id }, as);
    expect(e.spec?.metadata?.principal).toBe("carol");
    expect(e.closure?.stateChangeDetails?.principal).toBe("carol");
    expect(e.spec?.securityContext?.runAs?.executionIdentity).toBe("carol");
    const crd = [...kube.objects.values()].find((o) => (o.metadata as { name: string }).name === "by-carol") as {
      securityContext?: { run_as?: { execution_identity?: string } };
    };
    expect(crd?.securityContext?.run_as?.execution_identity).toBe("carol");
    await admin.updateExecution({ id, state: ExecutionState.EXECUTION_ARCHIVED }, as);
    expect((await admin.getExecution({ id }, as)).closure?.stateChangeDetails?.principal).toBe("carol");
    // A client_credentials caller has no user: the principal is empty, whatever the request said.
    const bot = { headers: { authorization: `Bearer ${await s.token()}` } };
    const other = await admin.createExecution({ ...scope, name: "by-bot", spec: { launchPlan: lp, metadata: { principal: "mallory" } } }, bot);
    expect((await admin.getExecution({ id: other.id }, bot)).spec?.metadata?.principal).toBe("");
    await admin.terminateExecution({ id: other.id, cause: "stop" }, as);
    const aborted = await admin.getExecution({ id: other.id }, as);
    expect(aborted.closure?.outputResult.case === "abortMetadata" && aborted.closure.outputResult.value.principal).toBe("carol");
  });

  test("the browser's session cookie authenticates REST calls (IDToken), and /logout ends it", async () => {
    const { browser } = await authorize("dana");
    const me = await browser.request(`${s.httpUrl}/me`, { headers: { accept: "application/json" } });
    expect(me.status).toBe(200);
    expect(me.headers.get("x-user-subject")).toBe("dana");
    expect((await browser.request(`${s.httpUrl}/api/v1/projects`)).status).toBe(200);
    // Not on gRPC: cookies count for REST only, as upstream's gateway reads them.
    const cookie = browser.jar.header(`${s.httpUrl}/`) ?? "";
    expect(await codeOf(s.admin().listProjects({}, { headers: { cookie } }))).toBe("Unauthenticated");
    expect((await browser.request(`${s.httpUrl}/logout`)).status).toBe(200);
    expect((await browser.request(`${s.httpUrl}/me`)).status).toBe(401);
  });
});
