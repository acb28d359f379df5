// GetDynamicNodeWorkflow as upstream answers it: the compiled closure of a node that ran a dynamic
// workflow, NotFound "node does not contain dynamic workflow" for any other node (over gRPC and REST),
// and the missing-entity NotFound for a node that does not exist.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code } from "@connectrpc/connect";
import { NodeExecution_Phase as Phase } from "../src/gen/flyteidl/core/execution_pb";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { registerTwoNodeWorkflow } from "./fixtures/pyflyte";
import { failure } from "./helpers/calls";
import { startTestServer, type TestServer } from "./helpers/server";

let ts: TestServer;
const scope = { project: "flytesnacks", domain: "development" };
const wfId = { resourceType: ResourceType.WORKFLOW, ...scope, name: "workflows.example.wf", version: "v1" };
const id = { ...scope, name: "dyn-1" };
const inputs = {
  literals: {
    name: {
      value: { case: "scalar" as const, value: { value: { case: "primitive" as const, value: { value: { case: "stringValue" as const, value: "x" } } } } },
    },
  },
};
const nodeEvent = (nodeId: string, phase: Phase, s: number, more: object = {}) => ({
  event: { id: { executionId: id, nodeId }, phase, occurredAt: { seconds: BigInt(1_800_000_000 + s) }, producerId: "propeller", ...more },
});

beforeAll(async () => {
  ts = await startTestServer();
  const admin = ts.admin();
  await registerTwoNodeWorkflow(admin);
  await admin.createExecution({ ...id, spec: { launchPlan: { ...wfId, resourceType: ResourceType.LAUNCH_PLAN } }, inputs });
  await admin.createNodeEvent(nodeEvent("n0", Phase.RUNNING, 1));
  const compiledWorkflow = (await admin.getWorkflow({ id: wfId })).closure?.compiledWorkflow;
  const dynamicWorkflow = { id: { ...wfId, name: "dyn" }, compiledWorkflow, dynamicJobSpecUri: "s3://b/futures.pb" };
  await admin.createNodeEvent(nodeEvent("d0", Phase.RUNNING, 1, { isDynamic: true }));
  await admin.createNodeEvent(nodeEvent("d0", Phase.DYNAMIC_RUNNING, 2, { targetMetadata: { case: "taskNodeMetadata", value: { dynamicWorkflow } } }));
});
afterAll(async () => {
  await ts.close();
});

describe("GetDynamicNodeWorkflow", () => {
  test("a node without a dynamic workflow: NotFound, as upstream", async () => {
    for (const kind of ["grpc (h2c, gRPC port)", "connect json (HTTP/1.1)"]) {
      const err = await failure(ts.admin(kind).getDynamicNodeWorkflow({ id: { executionId: id, nodeId: "n0" } }));
      expect(Code[err.code]).toBe("NotFound");
      expect(err.rawMessage).toBe("node does not contain dynamic workflow");
    }
    const res = await fetch(`${ts.httpUrl}/api/v1/node_executions/${id.project}/${id.domain}/${id.name}/n0/dynamic_workflow`, {
      headers: { Accept: "application/json" },
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toBe("node does not contain dynamic workflow");
  });

  test("a dynamic node: its compiled closure", async () => {
    const dyn = await ts.admin().getDynamicNodeWorkflow({ id: { executionId: id, nodeId: "d0" } });
    expect(dyn.compiledWorkflow?.primary?.template?.nodes.length).toBe(4);
  });

  test("a node that does not exist: the missing-entity NotFound", async () => {
    const err = await failure(ts.admin().getDynamicNodeWorkflow({ id: { executionId: id, nodeId: "nope" } }));
    expect(Code[err.code]).toBe("NotFound");
    expect(err.rawMessage).toStartWith("missing entity of type node execution");
  });
});
