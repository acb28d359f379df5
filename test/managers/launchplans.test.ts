// Workflows and launch plans straight through the managers: a workflow compiled against stored tasks,
// a launch plan created INACTIVE, its interface as a workflow node sees it, activation switching.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { ProjectSchema } from "../../src/gen/flyteidl/admin/project_pb";
import { ActiveLaunchPlanRequestSchema, LaunchPlanState, LaunchPlanUpdateRequestSchema } from "../../src/gen/flyteidl/admin/launch_plan_pb";
import { IdentifierSchema, ResourceType } from "../../src/gen/flyteidl/core/identifier_pb";
import { ErrorCode } from "../../src/kernel/errors";
import { launchPlanFor, pythonTask, twoNodeWorkflow } from "../fixtures/pyflyte";
import { managersOverMemory, refusal, type ManagerHarness } from "./harness";

let h: ManagerHarness;
const scope = { project: "flytesnacks", domain: "development" };
const name = "workflows.example.wf";
const lpId = (version: string) => create(IdentifierSchema, { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name, version });

beforeAll(async () => {
  h = await managersOverMemory();
  const m = h.managers;
  await m.projects.register(create(ProjectSchema, { id: "flytesnacks", name: "flytesnacks" }));
  await m.tasks.create(pythonTask({ name: "workflows.example.t1" }));
  await m.tasks.create(pythonTask({ name: "workflows.example.t2" }));
  await m.workflows.create(twoNodeWorkflow());
  await m.workflows.create(twoNodeWorkflow({ version: "v2" }));
});
afterAll(() => h.close());

describe("LaunchPlanManager", () => {
  test("create stores the version INACTIVE with the workflow's interface as its closure", async () => {
    const m = h.managers;
    await m.launchPlans.create(launchPlanFor({}, { defaults: { name: "world" } }));
    const lp = await m.launchPlans.get(lpId("v1"));
    expect(lp.closure?.state).toBe(LaunchPlanState.INACTIVE);
    expect(Object.keys(lp.closure?.expectedInputs?.parameters ?? {})).toEqual(["name"]);
    const iface = await m.launchPlans.interfaceOf(lpId("v1"));
    expect(Object.keys(iface?.expectedInputs?.parameters ?? {})).toEqual(["name"]);
    expect(Object.keys(iface?.expectedOutputs?.variables ?? {})).toEqual(["o0"]);
    expect(await m.launchPlans.interfaceOf(lpId("nope"))).toBeUndefined();
  });

  test("activation: one ACTIVE version per name; deactivating leaves none", async () => {
    const m = h.managers;
    await m.launchPlans.create(launchPlanFor({ version: "v2" }));
    const active = () => m.launchPlans.getActive(create(ActiveLaunchPlanRequestSchema, { id: { ...scope, name } }));
    await m.launchPlans.update(create(LaunchPlanUpdateRequestSchema, { id: lpId("v1"), state: LaunchPlanState.ACTIVE }));
    expect((await active()).id?.version).toBe("v1");
    await m.launchPlans.update(create(LaunchPlanUpdateRequestSchema, { id: lpId("v2"), state: LaunchPlanState.ACTIVE }));
    expect((await active()).id?.version).toBe("v2");
    expect((await m.launchPlans.get(lpId("v1"))).closure?.state).toBe(LaunchPlanState.INACTIVE);
    await m.launchPlans.update(create(LaunchPlanUpdateRequestSchema, { id: lpId("v2"), state: LaunchPlanState.INACTIVE }));
    const none = await refusal(active());
    expect(ErrorCode[none.code]).toBe("NotFound");
    expect(none.message).toBe(`No active launch plan could be found: flytesnacks:development:${name}`);
  });

  test("a launch plan for a workflow that does not exist is NotFound", async () => {
    const e = await refusal(h.managers.launchPlans.create(launchPlanFor({ version: "v9" })));
    expect(ErrorCode[e.code]).toBe("NotFound");
    expect(e.message).toBe(`missing entity of type WORKFLOW with identifier project:"flytesnacks" domain:"development" name:"${name}" version:"v9"`);
  });
});

describe("WorkflowManager", () => {
  test("a workflow node launching a launch plan compiles against that launch plan's interface", async () => {
    const m = h.managers;
    const parent = twoNodeWorkflow({ name: "workflows.example.parent" });
    const node = parent.spec?.template?.nodes[1];
    if (!node) throw new Error("fixture has two nodes");
    node.target = { case: "workflowNode", value: { $typeName: "flyteidl.core.WorkflowNode", reference: { case: "launchplanRef", value: lpId("v1") } } };
    await m.workflows.create(parent);
    const wf = await m.workflows.get(
      create(IdentifierSchema, { resourceType: ResourceType.WORKFLOW, ...scope, name: "workflows.example.parent", version: "v1" }),
    );
    const ids = wf.closure?.compiledWorkflow?.primary?.template?.nodes.map((n) => n.id);
    expect(ids).toEqual(expect.arrayContaining(["n0", "n1", "start-node", "end-node"]));
  });

  test("compile failures are InvalidArgument naming the workflow", async () => {
    const broken = twoNodeWorkflow({ version: "v3", taskVersion: "nope" });
    const e = await refusal(h.managers.workflows.create(broken));
    expect(ErrorCode[e.code]).toBe("InvalidArgument");
    expect(e.message).toStartWith(
      `failed to compile workflow for [resource_type:WORKFLOW project:"flytesnacks" domain:"development" name:"${name}" version:"v3"] with err: `,
    );
  });
});
