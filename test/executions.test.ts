// Executions over the wire: launch from a launch plan and from a single task, inputs checked and merged
// with defaults and fixed inputs, names generated or refused, one winner for a contested name, reads,
// lists with filters, archive, data, terminate, relaunch and recover.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { ExecutionState, ExecutionMetadata_ExecutionMode } from "../src/gen/flyteidl/admin/execution_pb";
import { LaunchPlanState } from "../src/gen/flyteidl/admin/launch_plan_pb";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { LiteralMapSchema } from "../src/gen/flyteidl/core/literals_pb";
import { launchPlanFor, pythonTask, twoNodeWorkflow } from "./fixtures/pyflyte";
import { failure } from "./helpers/calls";
import { startTestServer, type TestServer } from "./helpers/server";

let ts: TestServer;
const scope = { project: "flytesnacks", domain: "development" };
const lp = (name = "workflows.example.wf", version = "v1") => ({ resourceType: ResourceType.LAUNCH_PLAN, ...scope, name, version });
const strLit = (s: string) => ({
  value: { case: "scalar" as const, value: { value: { case: "primitive" as const, value: { value: { case: "stringValue" as const, value: s } } } } },
});
const inputs = (m: Record<string, string>) => create(LiteralMapSchema, { literals: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, strLit(v)])) });

beforeAll(async () => {
  ts = await startTestServer();
  const admin = ts.admin();
  await admin.registerProject({ project: { id: "flytesnacks", name: "flytesnacks", labels: { values: { team: "ml" } } } });
  await admin.createTask(pythonTask({ name: "workflows.example.t1" }));
  await admin.createTask(pythonTask({ name: "workflows.example.t2" }));
  await admin.createWorkflow(twoNodeWorkflow());
  await admin.createLaunchPlan(launchPlanFor({}));
  await admin.createLaunchPlan(launchPlanFor({}, { name: "with_default", defaults: { name: "world" } }));
  await admin.createLaunchPlan(launchPlanFor({}, { name: "with_fixed", fixed: { name: "fixed" } }));
  await admin.updateLaunchPlan({ id: lp(), state: LaunchPlanState.ACTIVE });
});
afterAll(async () => {
  await ts.close();
});

describe("CreateExecution", () => {
  test("from a launch plan: generated name, merged inputs offloaded, closure and spec as upstream", async () => {
    const admin = ts.admin();
    const { id } = await admin.createExecution({
      ...scope,
      spec: { launchPlan: lp(), metadata: { mode: ExecutionMetadata_ExecutionMode.MANUAL } },
      inputs: inputs({ name: "flyte" }),
    });
    expect(id?.name).toMatch(/^a[bcdfghjklmnpqrstvwxz2456789]{19}$/);
    const e = await admin.getExecution({ id });
    expect(e.closure?.workflowId?.name).toBe("workflows.example.wf");
    expect(e.closure?.stateChangeDetails?.state).toBe(ExecutionState.EXECUTION_ACTIVE);
    expect(e.spec?.metadata?.systemMetadata?.namespace).toBe("flytesnacks-development");
    expect(e.spec?.maxParallelism).toBe(25);
    const data = await admin.getExecutionData({ id });
    const v = data.fullInputs?.literals.name?.value;
    expect(v?.case === "scalar" && v.value.value.case === "primitive" && v.value.value.value.value.value).toBe("flyte");
  });

  test("defaults fill missing inputs; required inputs and fixed inputs are enforced", async () => {
    const admin = ts.admin();
    const { id } = await admin.createExecution({ ...scope, name: "with-default", spec: { launchPlan: lp("with_default") } });
    const data = await admin.getExecutionData({ id });
    const v = data.fullInputs?.literals.name?.value;
    expect(v?.case === "scalar" && v.value.value.case === "primitive" && v.value.value.value.value.value).toBe("world");

    const missing = await failure(admin.createExecution({ ...scope, spec: { launchPlan: lp() } }));
    expect(Code[missing.code]).toBe("InvalidArgument");
    expect(missing.rawMessage).toBe("expected_inputs name missing");
    const unknown = await failure(admin.createExecution({ ...scope, spec: { launchPlan: lp() }, inputs: inputs({ name: "x", nope: "y" }) }));
    expect(unknown.rawMessage).toBe("invalid input nope");
    const override = await failure(admin.createExecution({ ...scope, spec: { launchPlan: lp("with_fixed") }, inputs: inputs({ name: "x" }) }));
    expect(Code[override.code]).toBe("InvalidArgument");
    const wrongType = await failure(
      admin.createExecution({
        ...scope,
        spec: { launchPlan: lp() },
        inputs: {
          literals: { name: { value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "integer", value: 1n } } } } } } },
        },
      }),
    );
    expect(wrongType.rawMessage).toStartWith("invalid name input wrong type.");
  });

  test("names are checked; a taken name is AlreadyExists and two concurrent creates have one winner", async () => {
    const admin = ts.admin();
    const bad = await failure(admin.createExecution({ ...scope, name: "Bad_Name", spec: { launchPlan: lp() }, inputs: inputs({ name: "x" }) }));
    expect(Code[bad.code]).toBe("InvalidArgument");
    expect(bad.rawMessage).toContain("does not match regex");
    const req = { ...scope, name: "contested", spec: { launchPlan: lp() }, inputs: inputs({ name: "x" }) };
    const results = await Promise.allSettled([admin.createExecution(req), ts.admin("connect json (HTTP/1.1)").createExecution(req)]);
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(1);
    const lost = results.find((r) => r.status === "rejected");
    expect(lost && Code[(lost.reason as { code: Code }).code]).toBe("AlreadyExists");
  });

  test("a taken name is refused with the database's message, as upstream's unique violation reads", async () => {
    const admin = ts.admin();
    const req = { ...scope, name: "taken", spec: { launchPlan: lp() }, inputs: inputs({ name: "x" }) };
    await admin.createExecution(req);
    const again = await failure(admin.createExecution(req));
    expect(Code[again.code]).toBe("AlreadyExists");
    expect(again.rawMessage).toBe('value with matching already exists (duplicate key value violates unique constraint "executions_pkey")');
    // Upstream writes the tag rows first: the same labels again trip the tags' key instead.
    const labelled = { ...req, name: "taken-labelled", spec: { ...req.spec, labels: { values: { team: "ml" } } } };
    await admin.createExecution(labelled);
    const tagged = await failure(admin.createExecution(labelled));
    expect(tagged.rawMessage).toBe('value with matching already exists (duplicate key value violates unique constraint "execution_tags_pkey")');
  });

  test("unknown launch plans, projects and reference types are refused with a clear status", async () => {
    const admin = ts.admin();
    expect(Code[(await failure(admin.createExecution({ ...scope, spec: { launchPlan: lp("nope") } }))).code]).toBe("NotFound");
    expect(Code[(await failure(admin.createExecution({ project: "ghost", domain: "development", spec: { launchPlan: lp() } }))).code]).toBe("InvalidArgument");
    const wfRef = await failure(admin.createExecution({ ...scope, spec: { launchPlan: { ...lp(), resourceType: ResourceType.WORKFLOW } } }));
    expect(wfRef.rawMessage).toContain("Invalid reference entity resource type");
    expect(Code[(await failure(admin.createExecution({ ...scope }))).code]).toBe("InvalidArgument");
  });

  test("a single task runs through a generated .flytegen workflow and launch plan", async () => {
    const admin = ts.admin();
    const task = { resourceType: ResourceType.TASK, ...scope, name: "workflows.example.t1", version: "v1" };
    const { id } = await admin.createExecution({ ...scope, name: "single-task", spec: { launchPlan: task }, inputs: inputs({ name: "t" }) });
    const e = await admin.getExecution({ id });
    expect(e.closure?.workflowId?.name).toBe(".flytegen.workflows.example.t1");
    const wf = await admin.getWorkflow({ id: { resourceType: ResourceType.WORKFLOW, ...scope, name: ".flytegen.workflows.example.t1", version: "v1" } });
    expect(wf.closure?.compiledWorkflow?.primary?.template?.nodes.map((n) => n.id)).toContain("workflowsexamplet1");
    // Hidden from the default named-entity list, as system-generated entities are.
    const again = await admin.createExecution({ ...scope, spec: { launchPlan: task }, inputs: inputs({ name: "t2" }) });
    expect(again.id?.name).toBeTruthy();
  });
});

describe("reading executions", () => {
  test("list by project/domain with filters and sort; archived ones hidden unless asked for", async () => {
    const admin = ts.admin();
    const all = await admin.listExecutions({ id: scope, limit: 100 });
    expect(all.executions.length).toBeGreaterThanOrEqual(4);
    const byLp = await admin.listExecutions({ id: scope, limit: 100, filters: "eq(launch_plan.name,with_default)" });
    expect(byLp.executions.map((e) => e.id?.name)).toEqual(["with-default"]);
    const byWf = await admin.listExecutions({
      id: scope,
      limit: 100,
      filters: "eq(workflow.name,.flytegen.workflows.example.t1)",
      sortBy: { key: "execution_created_at", direction: 1 },
    });
    expect(byWf.executions[0]?.id?.name).toBe("single-task");
    const page = await admin.listExecutions({ id: scope, limit: 2 });
    expect(page.token).toBe("2");
    await admin.updateExecution({ id: { ...scope, name: "with-default" }, state: ExecutionState.EXECUTION_ARCHIVED });
    const after = await admin.listExecutions({ id: scope, limit: 100 });
    expect(after.executions.map((e) => e.id?.name)).not.toContain("with-default");
    const archived = await admin.listExecutions({ id: scope, limit: 100, filters: "eq(state,1)" });
    expect(archived.executions.map((e) => e.id?.name)).toEqual(["with-default"]);
    const bad = await failure(admin.listExecutions({ id: scope, limit: 10, filters: "eq(node_execution.phase,x)" }));
    expect(bad.rawMessage).toBe("'node_execution' entity is not allowed in filters");
  });

  test("REST: GET /api/v1/executions/{project}/{domain}/{name} and the list route", async () => {
    const one = await fetch(`${ts.httpUrl}/api/v1/executions/flytesnacks/development/contested`, { headers: { accept: "application/json" } });
    expect(one.status).toBe(200);
    const body = (await one.json()) as { id: { name: string }; closure: { phase: string } };
    expect(body.id.name).toBe("contested");
    expect(body.closure.phase).toBe("UNDEFINED");
    const list = await fetch(`${ts.httpUrl}/api/v1/executions/flytesnacks/development?limit=3&filters=eq(phase,UNDEFINED)`, {
      headers: { accept: "application/json" },
    });
    const listed = (await list.json()) as { executions: unknown[]; token: string };
    expect(listed.executions.length).toBe(3);
    expect(listed.token).toBe("3");
    const missing = await fetch(`${ts.httpUrl}/api/v1/executions/flytesnacks/development/nope`, { headers: { accept: "application/json" } });
    expect(missing.status).toBe(404);
  });
});

describe("terminate, relaunch, recover", () => {
  test("terminate records the cause and ABORTING", async () => {
    const admin = ts.admin();
    const id = { ...scope, name: "contested" };
    await admin.terminateExecution({ id, cause: "stop please" });
    const e = await admin.getExecution({ id });
    expect(e.closure?.phase).toBe(9); // ABORTING
    expect(e.closure?.outputResult.case === "abortMetadata" && e.closure.outputResult.value.cause).toBe("stop please");
    expect(Code[(await failure(admin.terminateExecution({ id: { ...scope, name: "nope" } }))).code]).toBe("NotFound");
  });

  test("relaunch and recover start new executions from the old spec and user inputs", async () => {
    const admin = ts.admin();
    const { id } = await admin.relaunchExecution({ id: { ...scope, name: "with-default" }, name: "relaunched" });
    const e = await admin.getExecution({ id });
    expect(e.spec?.metadata?.mode).toBe(ExecutionMetadata_ExecutionMode.RELAUNCH);
    expect(e.spec?.metadata?.referenceExecution?.name).toBe("with-default");
    const rec = await admin.recoverExecution({ id: { ...scope, name: "with-default" }, name: "recovered" });
    expect((await admin.getExecution({ id: rec.id })).spec?.metadata?.mode).toBe(ExecutionMetadata_ExecutionMode.RECOVERED);
  });
});

describe("children and concurrency", () => {
  test("a child execution names its parent node: nesting, principal and ids are inherited", async () => {
    const admin = ts.admin();
    const parent = { ...scope, name: "parent-exec" };
    await admin.createExecution({ ...scope, name: parent.name, spec: { launchPlan: lp() }, inputs: inputs({ name: "p" }) });
    await admin.createNodeEvent({ event: { id: { executionId: parent, nodeId: "n0" }, phase: 2, occurredAt: { seconds: 1n }, producerId: "propeller" } });
    const { id } = await admin.createExecution({
      ...scope,
      name: "child-exec",
      spec: {
        launchPlan: lp(),
        metadata: { mode: ExecutionMetadata_ExecutionMode.CHILD_WORKFLOW, parentNodeExecution: { executionId: parent, nodeId: "n0" } },
      },
      inputs: inputs({ name: "c" }),
    });
    const child = await admin.getExecution({ id });
    expect(child.spec?.metadata?.nesting).toBe(1);
    const orphan = await failure(
      admin.createExecution({
        ...scope,
        spec: { launchPlan: lp(), metadata: { parentNodeExecution: { executionId: parent, nodeId: "nope" } } },
        inputs: inputs({ name: "c" }),
      }),
    );
    expect(Code[orphan.code]).toBe("NotFound");
  });

  test("a launch plan's concurrency policy skips launches beyond its limit", async () => {
    const admin = ts.admin();
    const req = launchPlanFor({}, { name: "limited" });
    req.spec!.concurrencyPolicy = { $typeName: "flyteidl.admin.ConcurrencyPolicy", max: 1, behavior: 1 };
    await admin.createLaunchPlan(req);
    const { id } = await admin.createExecution({ ...scope, spec: { launchPlan: lp("limited") }, inputs: inputs({ name: "x" }) });
    // Only QUEUED and RUNNING executions count, as upstream.
    await admin.createExecution({ ...scope, spec: { launchPlan: lp("limited") }, inputs: inputs({ name: "x" }) });
    await admin.createWorkflowEvent({ event: { executionId: id, phase: 1, occurredAt: { seconds: 1n }, producerId: "propeller" } });
    const skipped = await failure(admin.createExecution({ ...scope, spec: { launchPlan: lp("limited") }, inputs: inputs({ name: "x" }) }));
    expect(Code[skipped.code]).toBe("AlreadyExists");
    expect(skipped.rawMessage).toBe("concurrency limit (1) reached for launch plan limited; skipping execution");
  });
});

describe("cluster pools", () => {
  test("a requested pool must match the project/domain's configured pool", async () => {
    const admin = ts.admin();
    await admin.updateProjectDomainAttributes({
      attributes: { ...scope, matchingAttributes: { target: { case: "clusterAssignment", value: { clusterPoolName: "pool-a" } } } },
    });
    const wrong = await failure(
      admin.createExecution({ ...scope, spec: { launchPlan: lp(), clusterAssignment: { clusterPoolName: "pool-b" } }, inputs: inputs({ name: "x" }) }),
    );
    expect(wrong.rawMessage).toBe(
      'execution with project "flytesnacks" and domain "development" cannot run on cluster pool "pool-b", because its configured to run on pool "pool-a"',
    );
    await admin.createExecution({ ...scope, spec: { launchPlan: lp(), clusterAssignment: { clusterPoolName: "pool-a" } }, inputs: inputs({ name: "x" }) });
  });
});
