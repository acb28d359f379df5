// Per-project roles on the real wire: the whole server with auth and auth.rbac on, tokens for clients
// bound to roles. A viewer's every write is PermissionDenied naming the project and the role; an editor
// (propeller's client) may send events; lists show only readable projects; each write leaves an audit line.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { create, type DescMethodUnary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { AdminService } from "../../src/gen/flyteidl/service/admin_pb";
import { DataProxyService } from "../../src/gen/flyteidl/service/dataproxy_pb";
import { SignalService } from "../../src/gen/flyteidl/service/signal_pb";
import { AccessTable } from "../../src/auth/rpc-access";
import { createLogger } from "../../src/kernel/log";
import { type AuthTestServer, startAuthServer } from "../helpers/auth-server";
import { answerOf, codeOf } from "../helpers/calls";

const bindings = [
  { role: "admin", identities: ["client:platform"] },
  { role: "editor", identities: ["client:flytepropeller"] },
  { role: "viewer", identities: ["client:viewer"] },
  { role: "editor", identities: ["client:ml-bot"], projects: ["ml-*"], domains: ["development"] },
];

describe("per-project roles on the wire", () => {
  let s: AuthTestServer;
  const lines: Record<string, unknown>[] = [];
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ headers: { authorization: `Bearer ${tokens[who]}` } });
  beforeAll(async () => {
    s = await startAuthServer({
      clients: ["platform", "viewer", "ml-bot", "stranger"],
      flags: { "auth.rbac.enabled": "true", "auth.rbac.bindings": JSON.stringify(bindings) },
      logger: createLogger("info", (l) => lines.push(JSON.parse(l))),
    });
    tokens.propeller = await s.token();
    for (const id of ["platform", "viewer", "ml-bot", "stranger"]) tokens[id] = await s.token({ client: id, secret: `${id}-secret` });
    const admin = s.admin();
    for (const id of ["flytesnacks", "ml-fraud", "secret-proj"]) await admin.registerProject({ project: { id, name: id } }, as("platform"));
  });
  afterAll(() => s?.close());

  test("a viewer's every write is PermissionDenied, before it reaches any manager", async () => {
    const table = new AccessTable();
    const transport = s.transports["grpc (h2c, gRPC port)"];
    const refused: string[] = [];
    for (const service of [AdminService, SignalService, DataProxyService]) {
      for (const method of service.methods) {
        const entry = table.get(service.typeName, method.name);
        if (!entry?.write || method.methodKind !== "unary") continue;
        const [code, message] = await answerOf(transport.unary(method as DescMethodUnary, undefined, 5000, as("viewer").headers, create(method.input)));
        if (code !== "PermissionDenied" || !/lacks role (editor|admin)/.test(message)) refused.push(`${method.name}: ${code} ${message}`);
      }
    }
    expect(refused).toEqual([]);
  });

  test("the refusal names the project, domain and missing role", async () => {
    const admin = s.admin();
    const [code, message] = await answerOf(admin.createExecution({ project: "flytesnacks", domain: "development", name: "x", spec: {} }, as("viewer")));
    expect(code).toBe("PermissionDenied");
    expect(message).toContain('lacks role editor on project "flytesnacks" domain "development"');
    // A binding limited to ml-* in development: allowed there (the manager then answers), refused elsewhere.
    const there = await codeOf(admin.createExecution({ project: "ml-fraud", domain: "development", name: "x", spec: {} }, as("ml-bot")));
    expect(there).not.toBe("PermissionDenied");
    expect(await codeOf(admin.createExecution({ project: "ml-fraud", domain: "production", name: "x", spec: {} }, as("ml-bot")))).toBe("PermissionDenied");
    expect(await codeOf(admin.getExecution({ id: { project: "flytesnacks", domain: "development", name: "x" } }, as("ml-bot")))).toBe("PermissionDenied");
  });

  test("propeller's client may send events; only an admin registers projects", async () => {
    const admin = s.admin();
    const event = { event: { executionId: { project: "flytesnacks", domain: "development", name: "nope" }, phase: 2 } };
    // Past the policy: the manager's own answer for an execution that does not exist.
    expect(await codeOf(admin.createWorkflowEvent(event, as("propeller")))).toBe("NotFound");
    expect(await codeOf(admin.createWorkflowEvent(event, as("viewer")))).toBe("PermissionDenied");
    expect(await codeOf(admin.registerProject({ project: { id: "p2", name: "p2" } }, as("propeller")))).toBe("PermissionDenied");
  });

  test("ListProjects shows only the projects the caller can read", async () => {
    const admin = s.admin();
    const names = async (who: string) => (await admin.listProjects({}, as(who))).projects.map((p) => p.id).sort();
    expect(await names("platform")).toEqual(["flytesnacks", "ml-fraud", "secret-proj"]);
    expect(await names("ml-bot")).toEqual(["ml-fraud"]);
  });

  test("each write leaves an audit line with the caller, the call and the outcome", async () => {
    const audits = lines.filter((l) => l.msg === "audit");
    expect(audits.some((l) => l.method === "/flyteidl.service.AdminService/RegisterProject" && l.caller === "platform" && l.outcome === "ok")).toBe(true);
    expect(audits.some((l) => l.method === "/flyteidl.service.AdminService/CreateWorkflowEvent" && l.outcome === "NotFound")).toBe(true);
    expect(audits.some((l) => l.caller === "viewer" && l.outcome === "PermissionDenied" && l.project === "flytesnacks")).toBe(true);
    // Reads leave none.
    expect(audits.some((l) => l.method === "/flyteidl.service.AdminService/ListProjects")).toBe(false);
  });

  test("an unbound but authenticated caller may do nothing that needs a role", async () => {
    const admin = createClient(AdminService, s.transports["connect json (HTTP/1.1)"]);
    expect(await codeOf(admin.getVersion({}, as("stranger")))).toBe("OK");
    expect((await admin.listProjects({}, as("stranger"))).projects).toEqual([]);
    expect(await codeOf(admin.getProject({ id: "flytesnacks" }, as("stranger")))).toBe("PermissionDenied");
  });
});
