// Workflows and launch plans over the wire with pyflyte-shaped payloads: compile against registered
// tasks, identical/different re-registration with details, compile failures, closures offloaded to the
// blob store, launch plans validated against the workflow, activation switching, schedules, lists.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code } from "@connectrpc/connect";
import { CreateWorkflowFailureReasonSchema } from "../src/gen/flyteidl/admin/workflow_pb";
import { LaunchPlanState } from "../src/gen/flyteidl/admin/launch_plan_pb";
import { Sort_Direction } from "../src/gen/flyteidl/admin/common_pb";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { launchPlanFor, pythonTask, twoNodeWorkflow } from "./fixtures/pyflyte";
import { failure } from "./helpers/calls";
import { startTestServer, type TestServer } from "./helpers/server";

let ts: TestServer;
const scope = { project: "flytesnacks", domain: "development" };
beforeAll(async () => {
  ts = await startTestServer();
  const admin = ts.admin();
  await admin.registerProject({ project: { id: "flytesnacks", name: "flytesnacks" } });
  await admin.createTask(pythonTask({ name: "workflows.example.t1" }));
  await admin.createTask(pythonTask({ name: "workflows.example.t2" }));
});
afterAll(async () => {
  await ts.close();
});

const wfId = (version = "v1") => ({ resourceType: ResourceType.WORKFLOW, ...scope, name: "workflows.example.wf", version });
const lpId = (name = "workflows.example.wf", version = "v1") => ({ resourceType: ResourceType.LAUNCH_PLAN, ...scope, name, version });

describe("workflows", () => {
  test("register compiles against the tasks; re-register identical/different carry details", async () => {
    const admin = ts.admin();
    await admin.createWorkflow(twoNodeWorkflow());
    const same = await failure(admin.createWorkflow(twoNodeWorkflow()));
    expect(Code[same.code]).toBe("AlreadyExists");
    expect(same.findDetails(CreateWorkflowFailureReasonSchema)[0]?.reason.case).toBe("existsIdenticalStructure");
    const changed = twoNodeWorkflow();
    changed.spec!.template!.nodes[0].metadata!.name = "renamed";
    const diff = await failure(admin.createWorkflow(changed));
    expect(Code[diff.code]).toBe("InvalidArgument");
    expect(diff.rawMessage).toStartWith("workflows.example.wf workflow with different structure already exists.");
    expect(diff.findDetails(CreateWorkflowFailureReasonSchema)[0]?.reason.case).toBe("existsDifferentStructure");
  });

  test("get returns the compiled closure with start and end nodes, read from the blob store", async () => {
    const wf = await ts.admin().getWorkflow({ id: wfId() });
    const nodes = wf.closure?.compiledWorkflow?.primary?.template?.nodes.map((n) => n.id);
    expect(nodes).toEqual(expect.arrayContaining(["start-node", "end-node", "n0", "n1"]));
    expect(wf.closure?.compiledWorkflow?.tasks.length).toBe(2);
    expect(wf.shortDescription).toBe("a two-node workflow");
  });

  test("compile failures and missing tasks are InvalidArgument naming the problem", async () => {
    const admin = ts.admin();
    const missingTask = await failure(admin.createWorkflow(twoNodeWorkflow({ version: "v2", taskVersion: "nope" })));
    expect(Code[missingTask.code]).toBe("InvalidArgument");
    expect(missingTask.rawMessage).toContain("failed to compile workflow for [");
    expect(missingTask.rawMessage).toContain("missing entity of type TASK");
    const badBinding = twoNodeWorkflow({ version: "v3" });
    badBinding.spec!.template!.nodes[1].inputs[0].binding!.value = {
      case: "promise",
      value: { $typeName: "flyteidl.core.OutputReference", nodeId: "n0", var: "nope", attrPath: [] },
    };
    const bad = await failure(admin.createWorkflow(badBinding));
    expect(Code[bad.code]).toBe("InvalidArgument");
    expect(bad.rawMessage).toContain("failed to compile workflow");
  });

  test("lists carry only the interface; ids are distinct names", async () => {
    const admin = ts.admin();
    const list = await admin.listWorkflows({ id: { ...scope, name: "workflows.example.wf" }, limit: 10 });
    expect(list.workflows).toHaveLength(1);
    expect(list.workflows[0].closure?.compiledWorkflow?.primary?.template?.interface?.inputs?.variables.name).toBeDefined();
    expect(list.workflows[0].closure?.compiledWorkflow?.primary?.template?.nodes).toEqual([]);
    const ids = await admin.listWorkflowIds({ ...scope, limit: 10 });
    expect(ids.entities.map((e) => e.name)).toEqual(["workflows.example.wf"]);
  });
});

describe("launch plans", () => {
  test("create with defaults and fixed inputs; expected inputs; created INACTIVE", async () => {
    const admin = ts.admin();
    await admin.createLaunchPlan(launchPlanFor({}, { defaults: { name: "world" } }));
    const lp = await admin.getLaunchPlan({ id: lpId() });
    expect(lp.closure?.state).toBe(LaunchPlanState.INACTIVE);
    expect(lp.closure?.expectedInputs?.parameters.name.behavior.case).toBe("default");
    expect(lp.closure?.expectedOutputs?.variables.o0).toBeDefined();
    const same = await failure(admin.createLaunchPlan(launchPlanFor({}, { defaults: { name: "world" } })));
    expect(same.rawMessage).toBe("launch plan with identical structure already exists");
    const other = await failure(admin.createLaunchPlan(launchPlanFor({}, { defaults: { name: "moon" } })));
    expect(Code[other.code]).toBe("InvalidArgument");
    expect(other.rawMessage).toStartWith("workflows.example.wf launch plan with different structure already exists.");
    await admin.createLaunchPlan(launchPlanFor({}, { name: "fixed", fixed: { name: "fixed-name" } }));
    const fixed = await admin.getLaunchPlan({ id: lpId("fixed") });
    expect(Object.keys(fixed.closure?.expectedInputs?.parameters ?? {})).toEqual([]);
  });

  test("inputs the workflow does not have, unknown workflows, unbound inputs under a schedule", async () => {
    const admin = ts.admin();
    expect((await failure(admin.createLaunchPlan(launchPlanFor({}, { name: "x1", defaults: { nope: "1" } })))).rawMessage).toBe(
      "unexpected default_input nope",
    );
    expect((await failure(admin.createLaunchPlan(launchPlanFor({}, { name: "x2", fixed: { nope: "1" } })))).rawMessage).toBe("unexpected fixed_input nope");
    expect(Code[(await failure(admin.createLaunchPlan(launchPlanFor({ version: "zz" }, { name: "x3" })))).code]).toBe("NotFound");
    expect((await failure(admin.createLaunchPlan(launchPlanFor({}, { name: "x4", cron: "0 * * * *" })))).rawMessage).toBe(
      "Cannot create a launch plan with a schedule if there is an unbound required input. [name] is required",
    );
    expect((await failure(admin.createLaunchPlan(launchPlanFor({}, { name: "x5", cron: "not a cron", defaults: { name: "a" } })))).rawMessage).toStartWith(
      "Invalid cron expression",
    );
  });

  test("activation: one ACTIVE version per name, switching atomically; schedules recorded", async () => {
    const admin = ts.admin();
    await admin.createLaunchPlan(launchPlanFor({}, { name: "sched", version: "s1", cron: "0 * * * *", defaults: { name: "a" } }));
    await admin.createLaunchPlan(launchPlanFor({}, { name: "sched", version: "s2", cron: "30 * * * *", defaults: { name: "a" } }));
    await admin.updateLaunchPlan({ id: lpId("sched", "s1"), state: LaunchPlanState.ACTIVE });
    expect((await admin.getActiveLaunchPlan({ id: { ...scope, name: "sched" } })).id?.version).toBe("s1");
    await admin.updateLaunchPlan({ id: lpId("sched", "s2"), state: LaunchPlanState.ACTIVE });
    expect((await admin.getActiveLaunchPlan({ id: { ...scope, name: "sched" } })).id?.version).toBe("s2");
    expect((await admin.getLaunchPlan({ id: lpId("sched", "s1") })).closure?.state).toBe(LaunchPlanState.INACTIVE);
    const rows = await ts.server.database.db.query(
      "SELECT version, cron_expression, active FROM schedulable_entities WHERE name = 'sched' ORDER BY version",
      [],
    );
    expect(rows.map((r) => [r.version, r.cron_expression, Number(r.active)])).toEqual([
      ["s1", "0 * * * *", 0],
      ["s2", "30 * * * *", 1],
    ]);
    const active = await admin.listActiveLaunchPlans({ ...scope, limit: 10 });
    expect(active.launchPlans.map((l) => `${l.id?.name}@${l.id?.version}`)).toEqual(["sched@s2"]);
    await admin.updateLaunchPlan({ id: lpId("sched", "s2"), state: LaunchPlanState.INACTIVE });
    expect(Code[(await failure(admin.getActiveLaunchPlan({ id: { ...scope, name: "sched" } }))).code]).toBe("NotFound");
  });

  test("ListLaunchPlans joins workflows for filters; REST update without resource type", async () => {
    const admin = ts.admin();
    const list = await admin.listLaunchPlans({
      id: scope,
      limit: 10,
      filters: "eq(workflow.name,workflows.example.wf)",
      sortBy: { key: "name", direction: Sort_Direction.ASCENDING },
    });
    expect(list.launchPlans.length).toBeGreaterThan(2);
    const put = await fetch(`${ts.httpUrl}/api/v1/launch_plans/flytesnacks/development/fixed/v1`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ state: "ACTIVE" }),
    });
    expect(put.status).toBe(200);
    const ids = await admin.listLaunchPlanIds({ ...scope, limit: 10 });
    expect(ids.entities.map((e) => e.name)).toContain("fixed");
  });
});
