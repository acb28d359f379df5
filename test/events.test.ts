// Playing propeller over the wire: workflow, node and task events drive an execution through its
// phases; the reads then show what a console shows. Duplicate, out-of-order, terminal and foreign-cluster
// events get upstream's codes and failure details; data comes back through Get*Data and flyte:// URLs.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, createClient } from "@connectrpc/connect";
import { EventFailureReasonSchema } from "../src/gen/flyteidl/admin/event_pb";
import { NodeExecution_Phase as NodePhase, TaskExecution_Phase as TaskPhase, WorkflowExecution_Phase as WfPhase } from "../src/gen/flyteidl/core/execution_pb";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { LiteralMapSchema, type Literal } from "../src/gen/flyteidl/core/literals_pb";
import { DataProxyService, ArtifactType } from "../src/gen/flyteidl/service/dataproxy_pb";
import { registerTwoNodeWorkflow } from "./fixtures/pyflyte";
import { failure } from "./helpers/calls";
import { startTestServer, type TestServer } from "./helpers/server";

let ts: TestServer;
const scope = { project: "flytesnacks", domain: "development" };
const strLit = (s: string) => ({
  value: { case: "scalar" as const, value: { value: { case: "primitive" as const, value: { value: { case: "stringValue" as const, value: s } } } } },
});
const lits = (m: Record<string, string>) => create(LiteralMapSchema, { literals: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, strLit(v)])) });
const at = (s: number) => timestampFromDate(new Date(Date.UTC(2026, 10, 24, 12, 0, s)));
const task = { resourceType: ResourceType.TASK, ...scope, name: "workflows.example.t1", version: "v1" };
const str = (l: Literal | undefined) => {
  const s = l?.value.case === "scalar" ? l.value.value.value : undefined;
  return s?.case === "primitive" && s.value.value.case === "stringValue" ? s.value.value.value : undefined;
};

async function launch(name: string) {
  await ts.admin().createExecution({
    ...scope,
    name,
    spec: { launchPlan: { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name: "workflows.example.wf", version: "v1" } },
    inputs: lits({ name: "flyte" }),
  });
  return { ...scope, name };
}
const wfEvent = (executionId: object, phase: WfPhase, s: number, more: object = {}) => ({
  event: { executionId, phase, occurredAt: at(s), producerId: "propeller", ...more },
  requestId: `wf-${phase}`,
});
const nodeEvent = (executionId: object, nodeId: string, phase: NodePhase, s: number, more: object = {}) => ({
  event: { id: { executionId, nodeId }, phase, occurredAt: at(s), producerId: "propeller", ...more },
});
const taskEvent = (executionId: object, nodeId: string, phase: TaskPhase, s: number, more: object = {}) => ({
  event: { taskId: task, parentNodeExecutionId: { executionId, nodeId }, retryAttempt: 0, phase, occurredAt: at(s), producerId: "propeller", ...more },
});

beforeAll(async () => {
  ts = await startTestServer();
  const admin = ts.admin();
  await registerTwoNodeWorkflow(admin);
});
afterAll(async () => {
  await ts.close();
});

describe("a successful run", () => {
  test("workflow, node and task events → execution, node and task reads and data", async () => {
    const admin = ts.admin();
    const id = await launch("happy");
    await admin.createWorkflowEvent(wfEvent(id, WfPhase.QUEUED, 0));
    await admin.createWorkflowEvent(wfEvent(id, WfPhase.RUNNING, 1));
    await admin.createNodeEvent(nodeEvent(id, "start-node", NodePhase.SUCCEEDED, 1, { outputResult: { case: "outputData", value: lits({ name: "flyte" }) } }));
    await admin.createNodeEvent(
      nodeEvent(id, "n0", NodePhase.QUEUED, 2, { inputValue: { case: "inputData", value: lits({ name: "flyte" }) }, specNodeId: "n0", nodeName: "t1" }),
    );
    await admin.createNodeEvent(nodeEvent(id, "n0", NodePhase.RUNNING, 3, { deckUri: "" }));
    await admin.createTaskEvent(taskEvent(id, "n0", TaskPhase.QUEUED, 3, { logs: [{ name: "pending", uri: "http://logs/p", ShowWhilePending: true }] }));
    await admin.createTaskEvent(
      taskEvent(id, "n0", TaskPhase.RUNNING, 4, {
        logs: [
          { name: "k8s", uri: "http://logs/k8s" },
          { name: "live", uri: "http://logs/live", HideOnceFinished: true },
        ],
        reason: "pod started",
      }),
    );
    // #3440: a repeated phase with a higher phase_version updates the record instead of being dropped.
    await admin.createTaskEvent(taskEvent(id, "n0", TaskPhase.RUNNING, 5, { phaseVersion: 1, reason: "still running", customInfo: { progress: 50 } }));
    const dup = await failure(admin.createTaskEvent(taskEvent(id, "n0", TaskPhase.RUNNING, 5, { phaseVersion: 1 })));
    expect(Code[dup.code]).toBe("AlreadyExists");
    await admin.createTaskEvent(taskEvent(id, "n0", TaskPhase.SUCCEEDED, 9, { outputResult: { case: "outputData", value: lits({ o0: "hello flyte" }) } }));
    await admin.createNodeEvent(nodeEvent(id, "n0", NodePhase.SUCCEEDED, 10, { outputResult: { case: "outputData", value: lits({ o0: "hello flyte" }) } }));
    await admin.createWorkflowEvent(wfEvent(id, WfPhase.SUCCEEDED, 12, { outputResult: { case: "outputData", value: lits({ o0: "hello flyte" }) } }));

    const e = await admin.getExecution({ id });
    expect(e.closure?.phase).toBe(WfPhase.SUCCEEDED);
    expect(Number(e.closure?.duration?.seconds)).toBe(11);
    expect(e.closure?.outputResult.case).toBe("outputs");
    const data = await admin.getExecutionData({ id });
    expect(str(data.fullOutputs?.literals.o0)).toBe("hello flyte");

    const nodes = await admin.listNodeExecutions({ workflowExecutionId: id, limit: 10, sortBy: { key: "node_id", direction: 1 } });
    expect(nodes.nodeExecutions.map((n) => [n.id?.nodeId, n.closure?.phase])).toEqual([
      ["n0", NodePhase.SUCCEEDED],
      ["start-node", NodePhase.SUCCEEDED],
    ]);
    const n0 = await admin.getNodeExecution({ id: { executionId: id, nodeId: "n0" } });
    expect(Number(n0.closure?.duration?.seconds)).toBe(7);
    expect(n0.metadata?.specNodeId).toBe("n0");
    const nodeData = await admin.getNodeExecutionData({ id: { executionId: id, nodeId: "n0" } });
    expect(str(nodeData.fullInputs?.literals.name)).toBe("flyte");
    expect(str(nodeData.fullOutputs?.literals.o0)).toBe("hello flyte");
    expect(nodeData.flyteUrls?.outputs).toBe("flyte://v1/flytesnacks/development/happy/n0/o");

    const tasks = await admin.listTaskExecutions({ nodeExecutionId: { executionId: id, nodeId: "n0" }, limit: 10 });
    expect(tasks.taskExecutions.length).toBe(1);
    const t = tasks.taskExecutions[0];
    expect(t.closure?.phase).toBe(TaskPhase.SUCCEEDED);
    expect(t.closure?.reasons.map((r) => r.message)).toEqual(["pod started", "still running"]);
    expect(t.closure?.logs.map((l) => l.name)).toEqual(["k8s", "pending"]); // hide_once_finished logs go at the end
    expect(t.closure?.customInfo).toEqual({ progress: 50 });
    expect(Number(t.closure?.duration?.seconds)).toBe(5);
    const taskData = await admin.getTaskExecutionData({ id: t.id });
    expect(str(taskData.fullOutputs?.literals.o0)).toBe("hello flyte");

    const proxy = createClient(DataProxyService, ts.transports["grpc (h2c, gRPC port)"]);
    const nodeOut = await proxy.getData({ flyteUrl: "flyte://v1/flytesnacks/development/happy/n0/o" });
    expect(nodeOut.data.case === "literalMap" && str(nodeOut.data.value.literals.o0)).toBe("hello flyte");
    const one = await proxy.getData({ flyteUrl: "flyte://v1/flytesnacks/development/happy/n0/0/o/o0" });
    expect(one.data.case === "literal" && str(one.data.value)).toBe("hello flyte");
    const missing = await failure(proxy.getData({ flyteUrl: "flyte://v1/flytesnacks/development/happy/n0/o/nope" }));
    expect(Code[missing.code]).toBe("InvalidArgument");
    expect(Code[(await failure(proxy.getData({ flyteUrl: "s3://bucket/key" }))).code]).toBe("InvalidArgument");

    // Terminal executions cannot be terminated; the detail tells propeller-side clients the phase.
    const term = await failure(admin.terminateExecution({ id, cause: "late" }));
    expect(Code[term.code]).toBe("FailedPrecondition");
    expect(term.findDetails(EventFailureReasonSchema)[0]?.reason).toEqual({
      case: "alreadyInTerminalState",
      value: expect.objectContaining({ currentPhase: "SUCCEEDED" }),
    });
  });

  test("deck links: CreateDownloadLink signs the node's deck and GetData …/d returns the link", async () => {
    const admin = ts.admin();
    const id = await launch("with-deck");
    await admin.createWorkflowEvent(wfEvent(id, WfPhase.RUNNING, 1));
    const proxy = createClient(DataProxyService, ts.transports["grpc (h2c, gRPC port)"]);
    const loc = await proxy.createUploadLocation({ project: "flytesnacks", domain: "development", filename: "deck.html", contentMd5: new Uint8Array(16) });
    expect(loc.nativeUrl).toBeTruthy();
    // Write the deck where the task would, through the blob store's own signed PUT.
    const deckUri = loc.nativeUrl;
    await admin.createNodeEvent(nodeEvent(id, "n0", NodePhase.RUNNING, 2, { deckUri }));
    const notYet = await failure(
      proxy.createDownloadLink({ artifactType: ArtifactType.DECK, source: { case: "nodeExecutionId", value: { executionId: id, nodeId: "n0" } } }),
    );
    expect(Code[notYet.code]).toBe("NotFound");
    expect(notYet.rawMessage).toBe("object not found");
  });
});

describe("events out of line", () => {
  test("duplicates, going back, terminal phases, foreign clusters, unknown executions, oversized outputs", async () => {
    const admin = ts.admin();
    const id = await launch("rules");
    await admin.createWorkflowEvent(wfEvent(id, WfPhase.QUEUED, 0));
    await admin.createWorkflowEvent(wfEvent(id, WfPhase.QUEUED, 0)); // repeated QUEUED is allowed
    await admin.createWorkflowEvent(wfEvent(id, WfPhase.RUNNING, 1));
    expect(Code[(await failure(admin.createWorkflowEvent(wfEvent(id, WfPhase.RUNNING, 2)))).code]).toBe("AlreadyExists");
    const back = await failure(admin.createWorkflowEvent(wfEvent(id, WfPhase.QUEUED, 3)));
    expect(Code[back.code]).toBe("FailedPrecondition");
    expect(back.findDetails(EventFailureReasonSchema)).toEqual([]);
    const foreign = await failure(
      admin.createWorkflowEvent({ event: { executionId: id, phase: WfPhase.SUCCEEDED, occurredAt: at(4), producerId: "other-cluster" } }),
    );
    expect(Code[foreign.code]).toBe("FailedPrecondition");
    expect(foreign.findDetails(EventFailureReasonSchema)[0]?.reason.case).toBe("incompatibleCluster");
    await admin.createWorkflowEvent(
      wfEvent(id, WfPhase.FAILED, 5, { outputResult: { case: "error", value: { code: "USER:Boom", message: "task failed", kind: 1 } } }),
    );
    const after = await failure(admin.createWorkflowEvent(wfEvent(id, WfPhase.RUNNING, 6)));
    expect(Code[after.code]).toBe("FailedPrecondition");
    expect(after.findDetails(EventFailureReasonSchema)[0]?.reason).toEqual({
      case: "alreadyInTerminalState",
      value: expect.objectContaining({ currentPhase: "FAILED" }),
    });
    const failed = await admin.listExecutions({ id: scope, limit: 10, filters: "eq(phase,FAILED)+eq(error_code,USER:Boom)" });
    expect(failed.executions.map((e) => e.id?.name)).toEqual(["rules"]);

    const ghost = await failure(admin.createWorkflowEvent(wfEvent({ ...scope, name: "ghost" }, WfPhase.RUNNING, 1)));
    expect(Code[ghost.code]).toBe("NotFound");
    const ghostNode = await failure(admin.createNodeEvent(nodeEvent({ ...scope, name: "ghost" }, "n0", NodePhase.RUNNING, 1)));
    expect(Code[ghostNode.code]).toBe("NotFound");

    const id2 = await launch("big-output");
    const big = lits({ blob: "x".repeat(3 * 1024 * 1024) });
    const tooBig = await failure(admin.createWorkflowEvent(wfEvent(id2, WfPhase.SUCCEEDED, 1, { outputResult: { case: "outputData", value: big } })));
    expect(Code[tooBig.code]).toBe("ResourceExhausted");
    expect(toBinary(LiteralMapSchema, big).length).toBeGreaterThan(2 * 1024 * 1024);
  });

  test("node events: repeated phase, terminal phase (detail carries the event's phase), task event without its node", async () => {
    const admin = ts.admin();
    const id = await launch("node-rules");
    await admin.createNodeEvent(nodeEvent(id, "n0", NodePhase.RUNNING, 1));
    expect(Code[(await failure(admin.createNodeEvent(nodeEvent(id, "n0", NodePhase.RUNNING, 2)))).code]).toBe("AlreadyExists");
    await admin.createNodeEvent(
      nodeEvent(id, "n0", NodePhase.FAILED, 3, { outputResult: { case: "error", value: { code: "x", message: "m".repeat(300), kind: 1 } } }),
    );
    const again = await failure(admin.createNodeEvent(nodeEvent(id, "n0", NodePhase.RUNNING, 4)));
    expect(again.findDetails(EventFailureReasonSchema)[0]?.reason).toEqual({
      case: "alreadyInTerminalState",
      value: expect.objectContaining({ currentPhase: "RUNNING" }),
    });
    const listed = await admin.listNodeExecutions({ workflowExecutionId: id, limit: 10 });
    const err = listed.nodeExecutions[0].closure?.outputResult;
    expect(err?.case === "error" && err.value.message.length).toBe(100); // lists trim error messages
    const orphan = await failure(admin.createTaskEvent(taskEvent(id, "n9", TaskPhase.RUNNING, 1)));
    expect(Code[orphan.code]).toBe("NotFound");
  });

  test("children: parent_node_metadata nests nodes; top-level lists hide them, unique_parent_id shows them", async () => {
    const admin = ts.admin();
    const id = await launch("nested");
    await admin.createNodeEvent(nodeEvent(id, "sub", NodePhase.RUNNING, 1, { isParent: true }));
    await admin.createNodeEvent(nodeEvent(id, "sub-0-n0", NodePhase.RUNNING, 2, { parentNodeMetadata: { nodeId: "sub" }, specNodeId: "n0", retryGroup: "0" }));
    const top = await admin.listNodeExecutions({ workflowExecutionId: id, limit: 10 });
    expect(top.nodeExecutions.map((n) => n.id?.nodeId)).toEqual(["sub"]);
    expect(top.nodeExecutions[0].metadata?.isParentNode).toBe(true);
    const children = await admin.listNodeExecutions({ workflowExecutionId: id, limit: 10, uniqueParentId: "sub" });
    expect(children.nodeExecutions.map((n) => n.id?.nodeId)).toEqual(["sub-0-n0"]);
    const missingParent = await failure(admin.createNodeEvent(nodeEvent(id, "x-0", NodePhase.RUNNING, 2, { parentNodeMetadata: { nodeId: "nope" } })));
    expect(Code[missingParent.code]).toBe("NotFound");
  });

  test("dynamic nodes: the compiled closure is stored and served by GetDynamicNodeWorkflow and node data", async () => {
    const admin = ts.admin();
    const id = await launch("dynamic");
    const wf = await admin.getWorkflow({ id: { resourceType: ResourceType.WORKFLOW, ...scope, name: "workflows.example.wf", version: "v1" } });
    const dynamicWorkflow = {
      id: { resourceType: ResourceType.WORKFLOW, ...scope, name: "dyn", version: "v1" },
      compiledWorkflow: wf.closure?.compiledWorkflow,
      dynamicJobSpecUri: "s3://b/futures.pb",
    };
    await admin.createNodeEvent(nodeEvent(id, "d0", NodePhase.RUNNING, 1, { isDynamic: true }));
    await admin.createNodeEvent(
      nodeEvent(id, "d0", NodePhase.DYNAMIC_RUNNING, 2, { targetMetadata: { case: "taskNodeMetadata", value: { dynamicWorkflow } } }),
    );
    const dyn = await admin.getDynamicNodeWorkflow({ id: { executionId: id, nodeId: "d0" } });
    expect(dyn.compiledWorkflow?.primary?.template?.nodes.length).toBe(4);
    const data = await admin.getNodeExecutionData({ id: { executionId: id, nodeId: "d0" } });
    expect(data.dynamicWorkflow?.dynamicJobSpecUri).toBe("s3://b/futures.pb");
    expect((await admin.getNodeExecution({ id: { executionId: id, nodeId: "d0" } })).metadata?.isDynamic).toBe(true);
  });
});
