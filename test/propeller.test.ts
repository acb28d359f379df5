// End to end as a cluster sees it: the server submits FlyteWorkflow resources to a Kubernetes API
// (a stand-in speaking the real paths), propeller's events drive the execution, terminate deletes the
// resource, and a refused submission leaves the execution FAILED with the reason.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code } from "@connectrpc/connect";
import { EventFailureReasonSchema } from "../src/gen/flyteidl/admin/event_pb";
import { MatchableResource } from "../src/gen/flyteidl/admin/matchable_resource_pb";
import { WorkflowExecution_Phase as Phase } from "../src/gen/flyteidl/core/execution_pb";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { registerTwoNodeWorkflow } from "./fixtures/pyflyte";
import { failure } from "./helpers/calls";
import { startFakeKube, type FakeKube } from "./helpers/fake-k8s";
import { startTestServer, type TestServer } from "./helpers/server";

let kube: FakeKube;
let ts: TestServer;
const scope = { project: "flytesnacks", domain: "development" };
const lp = { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name: "workflows.example.wf", version: "v1" };
const inputs = {
  literals: {
    name: {
      value: { case: "scalar" as const, value: { value: { case: "primitive" as const, value: { value: { case: "stringValue" as const, value: "flyte" } } } } },
    },
  },
};
const event = (name: string, phase: Phase, s: number, producerId = "propeller") => ({
  event: { executionId: { ...scope, name }, phase, occurredAt: { seconds: BigInt(1_800_000_000 + s) }, producerId },
});

beforeAll(async () => {
  kube = await startFakeKube();
  const kubeconfig = kube.writeKubeconfig();
  ts = await startTestServer({ "server.kube-config": kubeconfig, "flyteadmin.roleNameKey": "iam.amazonaws.com/role" });
  const admin = ts.admin();
  await registerTwoNodeWorkflow(admin);
});
afterAll(async () => {
  await ts.close();
  await kube.close();
});

describe("with a Kubernetes cluster", () => {
  test("CreateExecution submits the FlyteWorkflow; propeller's events take it to SUCCEEDED", async () => {
    const admin = ts.admin();
    const { id } = await admin.createExecution({
      ...scope,
      name: "run-1",
      spec: { launchPlan: lp, securityContext: { runAs: { iamRole: "role-x" } } },
      inputs,
    });
    const post = kube.requests.find((r) => r.method === "POST" && (r.body as { metadata: { name: string } }).metadata.name === "run-1");
    expect(post?.path).toBe("/apis/flyte.lyft.com/v1alpha1/namespaces/flytesnacks-development/flyteworkflows");
    const body = post?.body as {
      metadata: { labels: Record<string, string>; annotations: Record<string, string>; finalizers: string[] };
      spec: { nodes: Record<string, unknown> };
      inputs: unknown;
      executionId: unknown;
      tasks: Record<string, { container: { resources: unknown } }>;
    };
    expect(body.metadata.labels["workflow-name"]).toBe("workflows-example-wf");
    expect(body.metadata.annotations["iam.amazonaws.com/role"]).toBe("role-x");
    expect(body.metadata.finalizers).toEqual(["flyte.org/finalizer"]);
    expect(Object.keys(body.spec.nodes).sort()).toEqual(["end-node", "n0", "n1", "start-node"]);
    expect(body.inputs).toEqual({ literals: { name: { scalar: { primitive: { stringValue: "flyte" } } } } });
    expect(body.executionId).toEqual({ project: "flytesnacks", domain: "development", name: "run-1" });
    // Task resources got the platform defaults.
    expect(Object.values(body.tasks)[0].container.resources).toEqual({
      requests: [
        { name: "CPU", value: "2" },
        { name: "MEMORY", value: "200Mi" },
      ],
      limits: [
        { name: "CPU", value: "2" },
        { name: "MEMORY", value: "200Mi" },
      ],
    });

    await admin.createWorkflowEvent(event("run-1", Phase.QUEUED, 0));
    await admin.createWorkflowEvent(event("run-1", Phase.RUNNING, 1));
    await admin.createWorkflowEvent(event("run-1", Phase.SUCCEEDED, 30));
    const e = await admin.getExecution({ id });
    expect(e.closure?.phase).toBe(Phase.SUCCEEDED);
    expect(Number(e.closure?.duration?.seconds)).toBe(29);
  });

  test("terminate: ABORTING, the resource is deleted, propeller's ABORTED ends it", async () => {
    const admin = ts.admin();
    const { id } = await admin.createExecution({ ...scope, name: "run-2", spec: { launchPlan: lp }, inputs });
    await admin.createWorkflowEvent(event("run-2", Phase.RUNNING, 1));
    await admin.terminateExecution({ id, cause: "user asked" });
    expect(kube.objects.has("flytesnacks-development/run-2")).toBe(false);
    expect(kube.requests.at(-1)?.method).toBe("DELETE");
    const notYet = await failure(admin.createWorkflowEvent(event("run-2", Phase.SUCCEEDING, 2)));
    expect(Code[notYet.code]).toBe("FailedPrecondition"); // from ABORTING only a terminal phase
    await admin.createWorkflowEvent(event("run-2", Phase.ABORTED, 3));
    expect((await admin.getExecution({ id })).closure?.phase).toBe(Phase.ABORTED);
  });

  test("a refused submission: the call succeeds and the execution is FAILED with the reason", async () => {
    const admin = ts.admin();
    kube.failNext(1, 500, "InternalError");
    const { id } = await admin.createExecution({ ...scope, name: "run-3", spec: { launchPlan: lp }, inputs });
    const e = await admin.getExecution({ id });
    expect(e.closure?.phase).toBe(Phase.FAILED);
    const err = e.closure?.outputResult.case === "error" ? e.closure.outputResult.value : undefined;
    expect(err?.code).toBe("Internal");
    expect(err?.message).toStartWith("failed to create workflow in propeller creating flyteworkflow flytesnacks-development/run-3");
    const listed = await admin.listExecutions({ id: scope, limit: 10, filters: "eq(error_code,Internal)" });
    expect(listed.executions.map((x) => x.id?.name)).toEqual(["run-3"]);
  });

  test("a cluster label in single-cluster mode is refused as upstream does, and the execution records it", async () => {
    const admin = ts.admin();
    const { id } = await admin.createExecution({ ...scope, name: "run-4", spec: { launchPlan: lp, executionClusterLabel: { value: "gpu" } }, inputs });
    const e = await admin.getExecution({ id });
    expect(e.closure?.phase).toBe(Phase.FAILED);
    expect(e.closure?.outputResult.case === "error" && e.closure.outputResult.value.message).toContain("execution cluster label gpu is not supported");
  });

  test("EXECUTION_CLUSTER_LABEL attributes do not stop a single-cluster launch (only requested labels do)", async () => {
    const admin = ts.admin();
    await admin.updateProjectDomainAttributes({
      attributes: { ...scope, matchingAttributes: { target: { case: "executionClusterLabel", value: { value: "gpu" } } } },
    });
    const { id } = await admin.createExecution({ ...scope, name: "run-6", spec: { launchPlan: lp }, inputs });
    expect((await admin.getExecution({ id })).closure?.phase).toBe(Phase.UNDEFINED);
    expect(kube.objects.has("flytesnacks-development/run-6")).toBe(true);
    await admin.deleteProjectDomainAttributes({ ...scope, resourceType: MatchableResource.EXECUTION_CLUSTER_LABEL });
  });

  test("events from another cluster are refused once the execution runs", async () => {
    const admin = ts.admin();
    await admin.createExecution({ ...scope, name: "run-5", spec: { launchPlan: lp }, inputs });
    await admin.createWorkflowEvent(event("run-5", Phase.QUEUED, 0, "cluster-a"));
    await admin.createWorkflowEvent(event("run-5", Phase.RUNNING, 1, "cluster-a"));
    const foreign = await failure(admin.createWorkflowEvent(event("run-5", Phase.SUCCEEDED, 2, "cluster-b")));
    expect(foreign.findDetails(EventFailureReasonSchema)[0]?.reason).toEqual({
      case: "incompatibleCluster",
      value: expect.objectContaining({ cluster: "cluster-b" }),
    });
    const e = await admin.getExecution({ id: { ...scope, name: "run-5" } });
    expect(e.spec?.metadata?.systemMetadata?.executionCluster).toBe("cluster-a");
  });
});
