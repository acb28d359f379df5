// The per-project policy (auth.rbac) and the edge's authorize interceptor over a fake next: who holds
// which role where, the refusals and their wording, ListProjects cut down, and the audit lines.
import { describe, expect, test } from "bun:test";
import { create, type DescMethod, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues, type UnaryRequest, type UnaryResponse } from "@connectrpc/connect";
import { HelloService } from "../../examples/hello-plugin/hello-service";
import { type Identity, identityFromClaims } from "../../src/auth/identity";
import { createPolicy, type RbacConfig } from "../../src/auth/policy";
import { AccessTable } from "../../src/auth/rpc-access";
import type { RoleBindingConfig } from "../../src/config/schema";
import { authorizeInterceptor } from "../../src/edge/interceptors/authorize";
import { requestIdKey } from "../../src/edge/interceptors/edge";
import { ProjectsSchema } from "../../src/gen/flyteidl/admin/project_pb";
import { AdminService } from "../../src/gen/flyteidl/service/admin_pb";
import { AuthMetadataService } from "../../src/gen/flyteidl/service/auth_pb";
import { AdminError, ErrorCode, maxMessageBytes } from "../../src/kernel/errors";
import { createLogger } from "../../src/kernel/log";
import { callerKey } from "../../src/services/caller";

type BindingInput = Partial<RoleBindingConfig> & Pick<RoleBindingConfig, "role" | "identities">;
const bind = (b: BindingInput): RoleBindingConfig => ({ projects: ["*"], domains: [], ...b });
const rbac = (...bindings: BindingInput[]): RbacConfig => ({ enabled: true, bindings: bindings.map(bind) });

const alice = identityFromClaims({ sub: "alice", groups: ["ml", "data"], email: "alice@example.com", level: 3 });
const bob = identityFromClaims({ sub: "bob", groups: "ops" });
const propeller = identityFromClaims({ client_id: "flytepropeller", scp: ["all"] });

const A = AdminService.method;
const table = new AccessTable();
const entryOf = (m: DescMethod) => table.get(m.parent.typeName, m.name);
const req = <M extends DescMethod>(m: M, init: MessageInitShape<M["input"]>): MessageShape<M["input"]> => create<M["input"]>(m.input, init);

/** What the call throws, as code and message; undefined when it passes. */
function refusal(fn: () => unknown): { code: ErrorCode; message: string } | undefined {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof AdminError)) throw e;
    return { code: e.code, message: e.message };
  }
  return undefined;
}

describe("configuration checks", () => {
  const bad = (b: BindingInput, text: string, domains?: string[]) =>
    expect(() => createPolicy(rbac({ role: "viewer", identities: ["*"] }, b), { domains })).toThrow(text);

  test("identity forms", () => {
    bad({ role: "viewer", identities: ["alice"] }, 'auth.rbac.bindings[1].identities[0]: "alice" is not "*"');
    bad({ role: "viewer", identities: ["subject:ok", "subject:*"] }, "auth.rbac.bindings[1].identities[1]");
    bad({ role: "viewer", identities: [":x"] }, "auth.rbac.bindings[1]");
    bad({ role: "viewer", identities: ["groups: ml"] }, "auth.rbac.bindings[1]");
    bad({ role: "viewer", identities: ["groups:"] }, "auth.rbac.bindings[1]");
  });

  test("project globs and domains", () => {
    bad({ role: "viewer", identities: ["*"], projects: ["ML-*"] }, 'auth.rbac.bindings[1].projects[0]: "ML-*" can never match a project id');
    bad({ role: "viewer", identities: ["*"], projects: ["ok", "a/b"] }, "auth.rbac.bindings[1].projects[1]");
    bad({ role: "viewer", identities: ["*"], domains: ["prod"] }, 'auth.rbac.bindings[1].domains[0]: "prod" is not a configured domain', [
      "development",
      "production",
    ]);
  });

  test("good forms pass", () => {
    const ok = rbac({
      role: "admin",
      identities: ["*", "subject:auth0|abc", "client:flytepropeller", "groups:ml team", "email:a@b.c"],
      projects: ["ml-*", "a?c", "*"],
    });
    expect(() => createPolicy(ok, { domains: ["development"] })).not.toThrow();
  });
});

describe("roleAt", () => {
  test("subject, client, array and string claims, and *", () => {
    const p = createPolicy(
      rbac(
        { role: "editor", identities: ["subject:alice"], projects: ["flytesnacks"] },
        { role: "editor", identities: ["client:flytepropeller"] },
        { role: "admin", identities: ["groups:data"], projects: ["data-*"] },
        { role: "admin", identities: ["groups:ops"], projects: ["infra"] },
        { role: "viewer", identities: ["level:3"], projects: ["levels"] },
        { role: "viewer", identities: ["*"], projects: ["public"] },
      ),
    );
    expect(p.roleAt(alice, "flytesnacks", "development")).toBe("editor");
    expect(p.roleAt(alice, "data-lake", "production")).toBe("admin");
    expect(p.roleAt(alice, "infra", "production")).toBeUndefined();
    expect(p.roleAt(bob, "infra", "production")).toBe("admin");
    expect(p.roleAt(alice, "levels", "production")).toBe("viewer");
    expect(p.roleAt(bob, "public", "staging")).toBe("viewer");
    expect(p.roleAt(bob, "flytesnacks", "staging")).toBeUndefined();
    expect(p.roleAt(propeller, "anything", "development")).toBe("editor");
    expect(p.roleAt(undefined, "public", "staging")).toBeUndefined();
  });

  test("globs match whole ids; * and ? wildcards", () => {
    const p = createPolicy(rbac({ role: "viewer", identities: ["*"], projects: ["ml-*", "a?c"] }));
    expect(["ml-x", "ml-", "abc", "a-c"].map((id) => p.roleAt(bob, id, "d"))).toEqual(["viewer", "viewer", "viewer", "viewer"]);
    expect(["ml", "xml-x", "ac", "abcd"].map((id) => p.roleAt(bob, id, "d"))).toEqual([undefined, undefined, undefined, undefined]);
  });

  test("domains: a listed domain only; an empty list every domain", () => {
    const p = createPolicy(
      rbac({ role: "editor", identities: ["subject:alice"], domains: ["development"] }, { role: "viewer", identities: ["subject:alice"] }),
    );
    expect(p.roleAt(alice, "x", "development")).toBe("editor");
    expect(p.roleAt(alice, "x", "production")).toBe("viewer");
    // No domain named: the whole project, so only bindings for every domain count.
    expect(p.roleAt(alice, "x")).toBe("viewer");
  });

  test("the highest role bound wins, whatever the order", () => {
    const bindings: BindingInput[] = [
      { role: "admin", identities: ["groups:ml"], projects: ["ml"] },
      { role: "viewer", identities: ["*"] },
      { role: "editor", identities: ["subject:alice"] },
    ];
    for (const order of [bindings, [...bindings].reverse()]) {
      const p = createPolicy(rbac(...order));
      expect([p.roleAt(alice, "ml", "d"), p.roleAt(alice, "other", "d"), p.roleAt(bob, "ml", "d")]).toEqual(["admin", "editor", "viewer"]);
    }
  });

  test("no project named: only bindings on every project count", () => {
    const p = createPolicy(
      rbac({ role: "admin", identities: ["subject:alice"], projects: ["ml-*"] }, { role: "viewer", identities: ["subject:alice"], projects: ["**"] }),
    );
    expect(p.roleAt(alice, "ml-x", "d")).toBe("admin");
    expect(p.roleAt(alice, undefined, "d")).toBe("viewer");
  });

  test("canRead: any role in any domain of the project", () => {
    const p = createPolicy(rbac({ role: "viewer", identities: ["subject:alice"], projects: ["ml"], domains: ["development"] }));
    expect(p.canRead(alice, "ml")).toBe(true);
    expect(p.canRead(alice, "other")).toBe(false);
    expect(p.canRead(bob, "ml")).toBe(false);
    expect(p.canRead(undefined, "ml")).toBe(false);
  });

  test("rbac disabled: everything is allowed, as upstream", () => {
    const p = createPolicy({ enabled: false, bindings: [] });
    expect(p.roleAt(undefined, "x", "d")).toBe("admin");
    expect(p.canRead(undefined, "x")).toBe(true);
    expect(refusal(() => p.check(undefined, entryOf(A.registerProject), req(A.registerProject, { project: { id: "x" } })))).toBeUndefined();
  });
});

describe("check", () => {
  const p = createPolicy(
    rbac(
      { role: "viewer", identities: ["subject:alice"], projects: ["flytesnacks"] },
      { role: "editor", identities: ["subject:alice"], projects: ["ml"], domains: ["development"] },
      { role: "editor", identities: ["client:flytepropeller"] },
    ),
  );
  const task = req(A.createTask, { id: { project: "flytesnacks", domain: "development", name: "t", version: "v" } });

  test("a viewer's write is refused, naming caller, role, project and domain", () => {
    expect(refusal(() => p.check(alice, entryOf(A.createTask), task))).toEqual({
      code: ErrorCode.PermissionDenied,
      message: 'caller "alice" lacks role editor on project "flytesnacks" domain "development"',
    });
    expect(refusal(() => p.check(alice, entryOf(A.getTask), req(A.getTask, { id: task.id })))).toBeUndefined();
    expect(p.check(alice, entryOf(A.getTask), req(A.getTask, { id: task.id }))).toEqual({ project: "flytesnacks", domain: "development" });
  });

  test("an editor's event passes; the client is named when there is no subject", () => {
    const event = req(A.createTaskEvent, {
      event: { parentNodeExecutionId: { nodeId: "n", executionId: { project: "ml", domain: "production", name: "e" } } },
    });
    expect(refusal(() => p.check(propeller, entryOf(A.createTaskEvent), event))).toBeUndefined();
    expect(refusal(() => p.check(propeller, entryOf(A.registerProject), req(A.registerProject, { project: { id: "ml" } })))?.message).toBe(
      'caller "flytepropeller" lacks role admin on project "ml" in every domain',
    );
  });

  test("project-level: a read needs the role in some domain, a write in all; no project: every project", () => {
    expect(refusal(() => p.check(alice, entryOf(A.getProject), req(A.getProject, { id: "ml" })))).toBeUndefined();
    expect(refusal(() => p.check(bob, entryOf(A.getProject), req(A.getProject, { id: "ml" })))?.message).toBe('caller "bob" lacks role viewer on project "ml"');
    expect(refusal(() => p.check(alice, entryOf(A.listMatchableAttributes), req(A.listMatchableAttributes, {})))?.message).toBe(
      'caller "alice" lacks role viewer on every project in every domain',
    );
  });

  test("CreateExecution also needs viewer where the launch plan lives", () => {
    const launch = (project: string) =>
      req(A.createExecution, { project: "ml", domain: "development", spec: { launchPlan: { project, domain: "development", name: "lp", version: "v" } } });
    expect(refusal(() => p.check(alice, entryOf(A.createExecution), launch("ml")))).toBeUndefined();
    expect(refusal(() => p.check(alice, entryOf(A.createExecution), launch("secret")))?.message).toBe(
      'caller "alice" lacks role viewer on project "secret" domain "development"',
    );
  });

  test("anonymous: only open calls", () => {
    expect(
      refusal(() => p.check(undefined, entryOf(AuthMetadataService.method.getOAuth2Metadata), req(AuthMetadataService.method.getOAuth2Metadata, {}))),
    ).toBeUndefined();
    expect(refusal(() => p.check(undefined, entryOf(A.getVersion), req(A.getVersion, {})))?.code).toBe(ErrorCode.PermissionDenied);
    expect(refusal(() => p.check(undefined, entryOf(A.createTask), task))?.message).toBe(
      'anonymous caller lacks role editor on project "flytesnacks" domain "development"',
    );
    expect(refusal(() => p.check(bob, entryOf(A.getVersion), req(A.getVersion, {})))).toBeUndefined();
  });

  test("the message stays bounded", () => {
    const long = identityFromClaims({ sub: "é".repeat(5000) });
    const big = req(A.createTask, { id: { project: "p".repeat(3000), domain: "d".repeat(3000), name: "t", version: "v" } });
    const r = refusal(() => p.check(long, entryOf(A.createTask), big))!;
    expect(r.code).toBe(ErrorCode.PermissionDenied);
    expect(Buffer.byteLength(r.message)).toBeLessThanOrEqual(maxMessageBytes);
    expect(r.message).toContain("…");
  });
});

// The interceptor over a fake next.
function harness(bindings: BindingInput[], opts: { auditLog?: boolean; enabled?: boolean } = {}) {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger("info", (l) => lines.push(JSON.parse(l)));
  const policy = createPolicy({ enabled: opts.enabled ?? true, bindings: bindings.map(bind) });
  const nextCalls: string[] = [];
  let answer: unknown;
  let failure: unknown;
  const next = async (r: UnaryRequest): Promise<UnaryResponse> => {
    nextCalls.push(r.method.name);
    if (failure) throw failure;
    return { stream: false, service: r.service, method: r.method, header: new Headers(), trailer: new Headers(), message: answer } as UnaryResponse;
  };
  const run = authorizeInterceptor(policy, log, { auditLog: opts.auditLog ?? true })(next as never);
  const call = async <M extends DescMethod>(m: M, init: MessageInitShape<M["input"]>, identity?: Identity) => {
    const contextValues = createContextValues();
    if (identity) contextValues.set(callerKey, identity);
    contextValues.set(requestIdKey, "req-1");
    const r = { stream: false, service: m.parent, method: m, requestMethod: "POST", url: "http://x/", signal: new AbortController().signal };
    return run({ ...r, header: new Headers(), contextValues, message: create(m.input, init) } as never);
  };
  const audits = () => lines.filter((l) => l.msg === "audit").map(({ ts: _ts, level: _level, msg: _msg, ...rest }) => rest);
  return { call, audits, nextCalls, setAnswer: (a: unknown) => (answer = a), setFailure: (e: unknown) => (failure = e) };
}

const run = async (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof AdminError ? `${ErrorCode[e.code]}: ${e.message}` : String(e)),
  );

describe("authorizeInterceptor", () => {
  const bindings: BindingInput[] = [
    { role: "viewer", identities: ["subject:alice"], projects: ["flytesnacks"] },
    { role: "editor", identities: ["client:flytepropeller"] },
  ];
  const taskId = { project: "flytesnacks", domain: "development", name: "t", version: "v" };
  const exec = { project: "flytesnacks", domain: "development", name: "e" };

  test("a viewer's write: PermissionDenied naming project and role, next never called, audited", async () => {
    const h = harness(bindings);
    expect(await run(h.call(A.createTask, { id: taskId }, alice))).toBe(
      'PermissionDenied: caller "alice" lacks role editor on project "flytesnacks" domain "development"',
    );
    expect(h.nextCalls).toEqual([]);
    expect(h.audits()).toEqual([
      {
        method: "/flyteidl.service.AdminService/CreateTask",
        caller: "alice",
        project: "flytesnacks",
        domain: "development",
        outcome: "PermissionDenied",
        request_id: "req-1",
      },
    ]);
  });

  test("an editor's event passes and is audited ok; a viewer's read is not audited", async () => {
    const h = harness(bindings);
    expect(await run(h.call(A.createWorkflowEvent, { event: { executionId: exec } }, propeller))).toBe("ok");
    expect(await run(h.call(A.getTask, { id: taskId }, alice))).toBe("ok");
    expect(h.nextCalls).toEqual(["CreateWorkflowEvent", "GetTask"]);
    expect(h.audits()).toEqual([
      {
        method: "/flyteidl.service.AdminService/CreateWorkflowEvent",
        caller: "flytepropeller",
        project: "flytesnacks",
        domain: "development",
        outcome: "ok",
        request_id: "req-1",
      },
    ]);
  });

  test("a write that fails further in is audited with its code", async () => {
    const h = harness(bindings);
    h.setFailure(new AdminError(ErrorCode.NotFound, "missing"));
    expect(await run(h.call(A.terminateExecution, { id: exec }, propeller))).toBe("NotFound: missing");
    h.setFailure(new ConnectError("slow", Code.DeadlineExceeded));
    await run(h.call(A.terminateExecution, { id: exec }, propeller));
    h.setFailure(new Error("boom"));
    await run(h.call(A.terminateExecution, { id: exec }, propeller));
    expect(h.audits().map((a) => a.outcome)).toEqual(["NotFound", "DeadlineExceeded", "Internal"]);
  });

  test("ListProjects answers only the projects the caller can read", async () => {
    const h = harness(bindings);
    h.setAnswer(create(ProjectsSchema, { projects: ["flytesnacks", "secret", "other"].map((id) => ({ id, name: id })), token: "t" }));
    const res = (await h.call(A.listProjects, {}, alice)) as UnaryResponse;
    const projects = res.message as MessageShape<typeof ProjectsSchema>;
    expect(projects.projects.map((x) => x.id)).toEqual(["flytesnacks"]);
    expect(projects.token).toBe("t");
    const all = (await h.call(A.listProjects, {}, propeller)) as UnaryResponse;
    expect((all.message as typeof projects).projects.map((x) => x.id)).toEqual(["flytesnacks", "secret", "other"]);
    expect(h.audits()).toEqual([]);
  });

  test("anonymous: refused unless open; a plugin's method needs admin everywhere", async () => {
    const h = harness(bindings);
    expect(await run(h.call(A.getVersion, {}, undefined))).toStartWith("PermissionDenied: anonymous caller");
    expect(await run(h.call(AuthMetadataService.method.getPublicClientConfig, {}, undefined))).toBe("ok");
    expect(await run(h.call(HelloService.method.greet, { name: "x" }, propeller))).toBe(
      'PermissionDenied: caller "flytepropeller" lacks role admin on every project in every domain',
    );
    expect(h.audits().map((a) => `${a.method} ${a.outcome}`)).toEqual(["/example.hello.v1.HelloService/Greet PermissionDenied"]);
  });

  test("rbac off: everything passes; ListProjects unfiltered; audit only when asked", async () => {
    const h = harness([], { enabled: false });
    h.setAnswer(create(ProjectsSchema, { projects: [{ id: "a" }, { id: "b" }] }));
    expect(await run(h.call(A.registerProject, { project: { id: "a" } }, undefined))).toBe("ok");
    const res = (await h.call(A.listProjects, {}, undefined)) as UnaryResponse;
    expect((res.message as MessageShape<typeof ProjectsSchema>).projects).toHaveLength(2);
    expect(h.audits().map((a) => `${a.caller}|${a.outcome}`)).toEqual(["|ok"]);
    const quiet = harness([], { enabled: false, auditLog: false });
    expect(await run(quiet.call(A.createTask, { id: taskId }, undefined))).toBe("ok");
    expect(quiet.audits()).toEqual([]);
  });
});
