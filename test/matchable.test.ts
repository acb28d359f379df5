// Matchable attributes over the wire: project, project-domain and workflow levels, hierarchical reads,
// plugin-override merging, execution-config defaults, deletes, the list, and their effect on task
// registration limits and on executions.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code } from "@connectrpc/connect";
import { MatchableResource } from "../src/gen/flyteidl/admin/matchable_resource_pb";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { Resources_ResourceName } from "../src/gen/flyteidl/core/tasks_pb";
import { launchPlanFor, pythonTask, twoNodeWorkflow } from "./fixtures/pyflyte";
import { failure } from "./helpers/calls";
import { mostSpecific } from "../src/domain/matchable/manager";
import { startTestServer, type TestServer } from "./helpers/server";

let ts: TestServer;
const project = "flytesnacks";
const domain = "development";
const queue = (tags: string[]) => ({ target: { case: "executionQueueAttributes" as const, value: { tags } } });

beforeAll(async () => {
  ts = await startTestServer();
  await ts.admin().registerProject({ project: { id: project, name: project } });
});
afterAll(async () => {
  await ts.close();
});

describe("levels and reads", () => {
  test("project-domain and workflow reads fall back to the broader level; project reads are exact", async () => {
    const admin = ts.admin();
    await admin.updateProjectAttributes({ attributes: { project, matchingAttributes: queue(["p"]) } });
    const pd = await admin.getProjectDomainAttributes({ project, domain, resourceType: MatchableResource.EXECUTION_QUEUE });
    expect(pd.attributes?.matchingAttributes?.target).toEqual({ case: "executionQueueAttributes", value: expect.objectContaining({ tags: ["p"] }) });
    expect(pd.attributes?.domain).toBe(""); // the row found is the project-level one
    await admin.updateProjectDomainAttributes({ attributes: { project, domain, matchingAttributes: queue(["pd"]) } });
    await admin.updateWorkflowAttributes({ attributes: { project, domain, workflow: "wf.a", matchingAttributes: queue(["wf"]) } });
    const wf = await admin.getWorkflowAttributes({ project, domain, workflow: "wf.a", resourceType: MatchableResource.EXECUTION_QUEUE });
    expect(wf.attributes?.matchingAttributes?.target.value).toEqual(expect.objectContaining({ tags: ["wf"] }));
    const other = await admin.getWorkflowAttributes({ project, domain, workflow: "wf.b", resourceType: MatchableResource.EXECUTION_QUEUE });
    expect(other.attributes?.matchingAttributes?.target.value).toEqual(expect.objectContaining({ tags: ["pd"] }));
    const p = await admin.getProjectAttributes({ project, resourceType: MatchableResource.EXECUTION_QUEUE });
    expect(p.attributes?.matchingAttributes?.target.value).toEqual(expect.objectContaining({ tags: ["p"] }));
    const missing = await failure(admin.getProjectAttributes({ project, resourceType: MatchableResource.CLUSTER_RESOURCE }));
    expect(Code[missing.code]).toBe("NotFound");
    const list = await admin.listMatchableAttributes({ resourceType: MatchableResource.EXECUTION_QUEUE });
    expect(list.configurations.map((c) => c.workflow || c.domain || c.project)).toEqual(["wf.a", domain, project]);
  });

  test("plugin overrides merge by task type; execution configs fold in the server defaults", async () => {
    const admin = ts.admin();
    const override = (taskType: string, pluginId: string) => ({ taskType, pluginId: [pluginId] });
    await admin.updateProjectDomainAttributes({
      attributes: {
        project,
        domain,
        matchingAttributes: { target: { case: "pluginOverrides", value: { overrides: [override("spark", "a"), override("ray", "b")] } } },
      },
    });
    await admin.updateProjectDomainAttributes({
      attributes: { project, domain, matchingAttributes: { target: { case: "pluginOverrides", value: { overrides: [override("spark", "c")] } } } },
    });
    const got = await admin.getProjectDomainAttributes({ project, domain, resourceType: MatchableResource.PLUGIN_OVERRIDE });
    const overrides = got.attributes?.matchingAttributes?.target.case === "pluginOverrides" ? got.attributes.matchingAttributes.target.value.overrides : [];
    expect(overrides.map((o) => `${o.taskType}:${o.pluginId.join()}`).sort()).toEqual(["ray:b", "spark:c"]);
    const wec = await admin.getProjectAttributes({ project, resourceType: MatchableResource.WORKFLOW_EXECUTION_CONFIG });
    const cfg = wec.attributes?.matchingAttributes?.target;
    expect(cfg?.case === "workflowExecutionConfig" && cfg.value.maxParallelism).toBe(25);
  });

  test("deletes remove the level asked and below; validation names what is wrong", async () => {
    const admin = ts.admin();
    await admin.deleteProjectDomainAttributes({ project, domain, resourceType: MatchableResource.EXECUTION_QUEUE });
    const list = await admin.listMatchableAttributes({ resourceType: MatchableResource.EXECUTION_QUEUE });
    expect(list.configurations.map((c) => `${c.project}/${c.domain}/${c.workflow}`)).toEqual([`${project}//`]);
    await admin.deleteProjectAttributes({ project, resourceType: MatchableResource.EXECUTION_QUEUE });
    expect((await admin.listMatchableAttributes({ resourceType: MatchableResource.EXECUTION_QUEUE })).configurations).toEqual([]);
    expect((await failure(admin.updateProjectAttributes({}))).rawMessage).toBe("missing attributes");
    expect((await failure(admin.updateProjectAttributes({ attributes: { project: "ghost", matchingAttributes: queue(["x"]) } }))).rawMessage).toStartWith(
      "failed to validate that project [ghost] is registered",
    );
    expect((await failure(admin.updateWorkflowAttributes({ attributes: { project, domain, matchingAttributes: queue(["x"]) } }))).rawMessage).toBe(
      "missing name",
    );
    expect((await failure(admin.updateProjectDomainAttributes({ attributes: { project, domain, matchingAttributes: {} } }))).rawMessage).toBe(
      `Unrecognized matching attributes type for request ${project}-${domain}`,
    );
  });

  test("REST: PUT and GET /api/v1/project_domain_attributes", async () => {
    const put = await fetch(`${ts.httpUrl}/api/v1/project_domain_attributes/${project}/${domain}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ attributes: { matching_attributes: { execution_cluster_label: { value: "gpu" } } } }),
    });
    expect(put.status).toBe(200);
    const get = await fetch(`${ts.httpUrl}/api/v1/project_domain_attributes/${project}/${domain}?resource_type=EXECUTION_CLUSTER_LABEL`, {
      headers: { accept: "application/json" },
    });
    const body = (await get.json()) as { attributes: { matching_attributes: { execution_cluster_label: { value: string } } } };
    expect(body.attributes.matching_attributes.execution_cluster_label.value).toBe("gpu");
  });
});

describe("effects", () => {
  test("TASK_RESOURCE attributes set the platform limits tasks are registered against", async () => {
    const admin = ts.admin();
    await admin.updateProjectDomainAttributes({
      attributes: {
        project,
        domain,
        matchingAttributes: { target: { case: "taskResourceAttributes", value: { defaults: { cpu: "1" }, limits: { cpu: "4", memory: "8Gi" } } } },
      },
    });
    const big = pythonTask({ name: "wf.big" });
    const c = big.spec?.template?.target;
    if (c?.case === "container")
      c.value.resources = {
        $typeName: "flyteidl.core.Resources",
        requests: [{ $typeName: "flyteidl.core.Resources.ResourceEntry", name: Resources_ResourceName.CPU, value: "3" }],
        limits: [],
      };
    await admin.createTask(big); // 3 CPUs exceed the config's 2 but not the attributes' 4
    const tooBig = pythonTask({ name: "wf.bigger" });
    const t = tooBig.spec?.template?.target;
    if (t?.case === "container")
      t.value.resources = {
        $typeName: "flyteidl.core.Resources",
        requests: [{ $typeName: "flyteidl.core.Resources.ResourceEntry", name: Resources_ResourceName.CPU, value: "5" }],
        limits: [],
      };
    expect(Code[(await failure(admin.createTask(tooBig))).code]).toBe("InvalidArgument");
  });

  test("WORKFLOW_EXECUTION_CONFIG attributes reach the execution spec", async () => {
    const admin = ts.admin();
    await admin.createTask(pythonTask({ name: "workflows.example.t1" }));
    await admin.createTask(pythonTask({ name: "workflows.example.t2" }));
    await admin.createWorkflow(twoNodeWorkflow());
    await admin.createLaunchPlan(launchPlanFor({}, { defaults: { name: "x" } }));
    await admin.updateWorkflowAttributes({
      attributes: {
        project,
        domain,
        workflow: "workflows.example.wf",
        matchingAttributes: {
          target: { case: "workflowExecutionConfig", value: { maxParallelism: 7, securityContext: { runAs: { k8sServiceAccount: "runner" } } } },
        },
      },
    });
    const { id } = await admin.createExecution({
      project,
      domain,
      spec: { launchPlan: { resourceType: ResourceType.LAUNCH_PLAN, project, domain, name: "workflows.example.wf", version: "v1" } },
    });
    const e = await admin.getExecution({ id });
    expect(e.spec?.maxParallelism).toBe(7);
    expect(e.spec?.securityContext?.runAs?.k8sServiceAccount).toBe("runner");
  });
});

describe("resolution order (pure)", () => {
  const row = (priority: number, workflow = "") => ({
    project: "p",
    domain: priority >= 10 ? "d" : "",
    workflow,
    launchPlan: "",
    resourceType: "TASK_RESOURCE",
    priority,
    attributes: new Uint8Array(),
  });
  test("launch plan beats workflow beats project-domain beats project", () => {
    expect(mostSpecific([row(5), row(100, "w"), row(10)])?.priority).toBe(100);
    expect(mostSpecific([row(5), row(10)])?.priority).toBe(10);
    expect(mostSpecific([row(1000, "w"), row(100, "w")])?.priority).toBe(1000);
    expect(mostSpecific([])).toBeUndefined();
  });
});
