// The access table: every method of every served service is classified, each request type gives the
// project and domain it is about, and unknown methods need admin everywhere.
import { describe, expect, test } from "bun:test";
import { create, type DescMethod, type DescService, type MessageInitShape } from "@bufbuild/protobuf";
import { AccessTable, access, methodPath, type Scope, scopeOf, unknownMethodAccess } from "../../src/auth/rpc-access";
import { AdminService } from "../../src/gen/flyteidl/service/admin_pb";
import { AuthMetadataService } from "../../src/gen/flyteidl/service/auth_pb";
import { DataProxyService } from "../../src/gen/flyteidl/service/dataproxy_pb";
import { IdentityService } from "../../src/gen/flyteidl/service/identity_pb";
import { SignalService } from "../../src/gen/flyteidl/service/signal_pb";
import { Health } from "../../src/gen/grpc/health/v1/health_pb";
import { ServerReflection as ReflectionV1 } from "../../src/gen/grpc/reflection/v1/reflection_pb";
import { ServerReflection as ReflectionV1Alpha } from "../../src/gen/grpc/reflection/v1alpha/reflection_pb";
import { GreetRequestSchema, HelloService } from "../../examples/hello-plugin/hello-service";

const services: DescService[] = [AdminService, SignalService, DataProxyService, IdentityService, AuthMetadataService, Health, ReflectionV1, ReflectionV1Alpha];
const table = new AccessTable();
const entryOf = (m: DescMethod) => table.get(m.parent.typeName, m.name);

describe("every method is classified", () => {
  for (const s of services)
    test(s.typeName, () => {
      const missing = s.methods.filter((m) => !table.has(s.typeName, m.name)).map((m) => m.name);
      expect(missing).toEqual([]);
    });

  test("the table names no method these services lack", () => {
    const known = new Set(services.flatMap((s) => s.methods.map((m) => methodPath(s.typeName, m.name))));
    expect([...table.paths()].filter((p) => !known.has(p))).toEqual([]);
  });
});

describe("needs", () => {
  const A = AdminService.method;
  const needs = (ms: DescMethod[]) => ms.map((m) => `${m.name}=${entryOf(m).need}${entryOf(m).write ? " write" : ""}`);

  test("open: the auth metadata only", () => {
    for (const m of AuthMetadataService.methods) expect(entryOf(m).need).toBe("open");
  });

  test("authenticated: version, domains, the project list, user info, health, reflection", () => {
    const ms = [
      A.getVersion,
      A.getDomains,
      A.listProjects,
      IdentityService.method.userInfo,
      ...Health.methods,
      ...ReflectionV1.methods,
      ...ReflectionV1Alpha.methods,
    ];
    for (const m of ms) expect(entryOf(m)).toMatchObject({ need: "authenticated", write: false });
    expect(entryOf(A.listProjects).filter).toBe("projects");
  });

  test("editor writes: registration, executions, events, signals, activation, named entities, uploads", () => {
    const ms = [
      A.createTask,
      A.createWorkflow,
      A.createLaunchPlan,
      A.updateLaunchPlan,
      A.createExecution,
      A.relaunchExecution,
      A.recoverExecution,
      A.updateExecution,
      A.terminateExecution,
      A.createWorkflowEvent,
      A.createNodeEvent,
      A.createTaskEvent,
      A.updateNamedEntity,
      SignalService.method.setSignal,
      SignalService.method.getOrCreateSignal,
      DataProxyService.method.createUploadLocation,
    ];
    expect(needs(ms)).toEqual(ms.map((m) => `${m.name}=editor write`));
  });

  test("admin writes: projects and every kind of attributes; reading them is a viewer's", () => {
    const admin = [
      A.registerProject,
      A.updateProject,
      A.updateProjectAttributes,
      A.deleteProjectAttributes,
      A.updateProjectDomainAttributes,
      A.deleteProjectDomainAttributes,
      A.updateWorkflowAttributes,
      A.deleteWorkflowAttributes,
    ];
    expect(needs(admin)).toEqual(admin.map((m) => `${m.name}=admin write`));
    const reads = [A.getProject, A.getProjectAttributes, A.getProjectDomainAttributes, A.getWorkflowAttributes, A.listMatchableAttributes];
    expect(needs(reads)).toEqual(reads.map((m) => `${m.name}=viewer`));
  });

  test("every Get and List of the data services is a viewer's read", () => {
    for (const s of [AdminService, SignalService, DataProxyService])
      for (const m of s.methods) {
        const e = entryOf(m);
        if (e.write) expect(["editor", "admin"]).toContain(e.need);
        else if (e.need !== "authenticated") expect(`${m.name}=${e.need}`).toBe(`${m.name}=viewer`);
      }
  });
});

// One request per method that needs a role, filled in so the scope must come from the right field.
interface Case {
  method: DescMethod;
  request: unknown;
  scope: Scope;
}
const cases: Case[] = [];
function at<M extends DescMethod>(method: M, init: MessageInitShape<M["input"]>, scope: Scope = { project: "p", domain: "d" }) {
  cases.push({ method, request: create(method.input, init), scope });
}

const A = AdminService.method;
const id = { project: "p", domain: "d", name: "n", version: "v" };
const named = { project: "p", domain: "d", name: "n" };
const exec = { project: "p", domain: "d", name: "e" };
// The task comes from another project: the execution's project is the one that counts.
const taskExec = { taskId: { project: "other", domain: "prod", name: "t", version: "v" }, nodeExecutionId: { nodeId: "n0", executionId: exec } };
const list = { project: "p", domain: "d", limit: 10 };
const matching = { matchingAttributes: { target: { case: "executionQueueAttributes" as const, value: { tags: ["x"] } } } };

for (const m of [A.createTask, A.createWorkflow, A.createLaunchPlan, A.updateLaunchPlan]) at(m, { id });
for (const m of [A.getTask, A.getWorkflow, A.getLaunchPlan, A.getDescriptionEntity]) at(m, { id });
for (const m of [A.listTaskIds, A.listWorkflowIds, A.listLaunchPlanIds, A.listActiveLaunchPlans, A.listNamedEntities]) at(m, list);
for (const m of [A.listTasks, A.listWorkflows, A.listLaunchPlans, A.listExecutions, A.getActiveLaunchPlan, A.listDescriptionEntities]) at(m, { id: named });
at(A.getNamedEntity, { id: named });
at(A.updateNamedEntity, { id: named, metadata: { description: "x" } });
at(A.createExecution, { project: "p", domain: "d", name: "e", spec: { launchPlan: { ...id, project: "lp" } } });
for (const m of [A.relaunchExecution, A.recoverExecution, A.getExecution, A.updateExecution, A.getExecutionData, A.terminateExecution, A.getExecutionMetrics])
  at(m, { id: exec });
for (const m of [A.getNodeExecution, A.getDynamicNodeWorkflow, A.getNodeExecutionData]) at(m, { id: { nodeId: "n0", executionId: exec } });
at(A.listNodeExecutions, { workflowExecutionId: exec });
at(A.listNodeExecutionsForTask, { taskExecutionId: taskExec });
for (const m of [A.getTaskExecution, A.getTaskExecutionData]) at(m, { id: taskExec });
at(A.listTaskExecutions, { nodeExecutionId: { nodeId: "n0", executionId: exec } });
at(A.createWorkflowEvent, { event: { executionId: exec, producerId: "propeller" } });
at(A.createNodeEvent, { event: { id: { nodeId: "n0", executionId: exec } } });
at(A.createTaskEvent, { event: { taskId: taskExec.taskId, parentNodeExecutionId: { nodeId: "n0", executionId: exec } } });
at(A.registerProject, { project: { id: "p", name: "P" } }, { project: "p" });
at(A.updateProject, { id: "p", name: "P" }, { project: "p" });
at(A.getProject, { id: "p" }, { project: "p" });
at(A.updateProjectDomainAttributes, { attributes: { project: "p", domain: "d", ...matching } });
for (const m of [A.getProjectDomainAttributes, A.deleteProjectDomainAttributes]) at(m, { project: "p", domain: "d" });
at(A.updateProjectAttributes, { attributes: { project: "p", ...matching } }, { project: "p" });
for (const m of [A.getProjectAttributes, A.deleteProjectAttributes]) at(m, { project: "p" }, { project: "p" });
at(A.updateWorkflowAttributes, { attributes: { project: "p", domain: "d", workflow: "wf", ...matching } });
for (const m of [A.getWorkflowAttributes, A.deleteWorkflowAttributes]) at(m, { project: "p", domain: "d", workflow: "wf" });
for (const m of [SignalService.method.getOrCreateSignal, SignalService.method.setSignal]) at(m, { id: { signalId: "s", executionId: exec } });
at(SignalService.method.listSignals, { workflowExecutionId: exec });
at(DataProxyService.method.createUploadLocation, { project: "p", domain: "d", filename: "f" });
at(DataProxyService.method.createDownloadLink, { source: { case: "nodeExecutionId", value: { nodeId: "n0", executionId: exec } } });
at(DataProxyService.method.getData, { flyteUrl: "flyte://v1/p/d/e/n0/1/o/x" });

/** Needs a role but names no project: judged at every project. */
const everyProject = [A.listMatchableAttributes, DataProxyService.method.createDownloadLocation];

describe("the project and domain of each request", () => {
  for (const c of cases)
    test(c.method.name, () => {
      expect(scopeOf(entryOf(c.method), c.request)).toEqual(c.scope);
    });

  test("every method that needs a role has a case here, or is judged at every project", () => {
    const covered = new Set([...cases.map((c) => c.method), ...everyProject].map((m) => methodPath(m.parent.typeName, m.name)));
    const roles = services.flatMap((s) => s.methods).filter((m) => !["open", "authenticated"].includes(entryOf(m).need));
    expect(roles.map((m) => methodPath(m.parent.typeName, m.name)).filter((p) => !covered.has(p))).toEqual([]);
  });

  test("no project named: every project", () => {
    for (const m of everyProject) expect(scopeOf(entryOf(m), create(m.input))).toEqual({});
    expect(scopeOf(entryOf(A.getTask), create(A.getTask.input, { id: { ...id, project: "" } }))).toEqual({ domain: "d" });
    expect(scopeOf(entryOf(A.createNodeEvent), create(A.createNodeEvent.input))).toEqual({});
    expect(scopeOf(entryOf(DataProxyService.method.createDownloadLink), create(DataProxyService.method.createDownloadLink.input))).toEqual({});
    expect(scopeOf(entryOf(DataProxyService.method.getData), create(DataProxyService.method.getData.input, { flyteUrl: "s3://bucket/p/d/x" }))).toEqual({});
  });

  test("a stream, or a message of another type, names no project", () => {
    expect(scopeOf(entryOf(A.getTask), undefined)).toEqual({});
    expect(scopeOf(entryOf(A.getTask), create(A.getProject.input, { id: "p" }))).toEqual({});
  });

  test("CreateExecution also needs viewer where its launch plan lives", () => {
    const c = cases.find((x) => x.method === A.createExecution)!;
    expect(entryOf(A.createExecution).also?.(c.request)).toEqual([{ role: "viewer", scope: { project: "lp", domain: "d" } }]);
    expect(entryOf(A.createExecution).also?.(create(A.createExecution.input, { project: "p", domain: "d" }))).toEqual([]);
  });
});

describe("methods the table does not know", () => {
  test("need admin at every project and count as writes", () => {
    expect(new AccessTable().get(HelloService.typeName, "Greet")).toBe(unknownMethodAccess);
    expect(unknownMethodAccess).toEqual({ need: "admin", write: true });
    expect(new AccessTable().get("flyteidl.service.AdminService", "NoSuchMethod").need).toBe("admin");
  });

  test("a plugin's service opened, or one method classified with its scope", () => {
    const opened = new AccessTable().openService(HelloService);
    expect(opened.get(HelloService.typeName, "Greet")).toMatchObject({ need: "open", write: false });
    const greet = HelloService.method.greet;
    const classified = new AccessTable([access(greet, "editor", { write: true, scope: (r) => ({ project: r.name }) })]);
    expect(classified.get(HelloService.typeName, "Greet")).toMatchObject({ need: "editor", write: true });
    expect(scopeOf(classified.get(HelloService.typeName, "Greet"), create(GreetRequestSchema, { name: "ml" }))).toEqual({ project: "ml" });
    // The built-in table is not changed by another instance's entries.
    expect(new AccessTable().has(HelloService.typeName, "Greet")).toBe(false);
  });
});
