// GetExecutionMetrics over the wire: an execution driven by propeller-style events comes back as a span
// tree — workflow setup, node transitions, node setup, task setup/runtime/teardown, resets between
// attempts, workflow teardown — cut at the requested depth.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code } from "@connectrpc/connect";
import type { Span } from "../src/gen/flyteidl/core/metrics_pb";
import { NodeExecution_Phase as NodePhase, TaskExecution_Phase as TaskPhase, WorkflowExecution_Phase as WfPhase } from "../src/gen/flyteidl/core/execution_pb";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { registerTwoNodeWorkflow } from "./fixtures/pyflyte";
import { failure } from "./helpers/calls";
import { startTestServer, type TestServer } from "./helpers/server";

let ts: TestServer;
const scope = { project: "flytesnacks", domain: "development" };
const exec = { ...scope, name: "metered" };
const at = (s: number) => ({ seconds: BigInt(1_800_000_000 + s) });
const task = (name: string) => ({ resourceType: ResourceType.TASK, ...scope, name, version: "v1" });

/** A readable outline of a span tree: operation names, node ids, task attempts, with their seconds. */
function outline(s: Span, t0: number): unknown {
  const sec = (t: Span["startTime"]) => Number(t?.seconds ?? 0n) - t0;
  const id =
    s.id.case === "operationId"
      ? s.id.value
      : s.id.case === "nodeId"
        ? `node ${s.id.value.nodeId}`
        : s.id.case === "taskId"
          ? `task attempt ${s.id.value.retryAttempt}`
          : "workflow";
  const head = `${id} ${sec(s.startTime)}-${sec(s.endTime)}`;
  return s.spans.length ? { [head]: s.spans.map((c) => outline(c, t0)) } : head;
}

beforeAll(async () => {
  ts = await startTestServer();
  const admin = ts.admin();
  await registerTwoNodeWorkflow(admin, { defaults: { name: "x" } });
  await admin.createExecution({
    ...exec,
    spec: { launchPlan: { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name: "workflows.example.wf", version: "v1" } },
  });
  const wf = (phase: WfPhase, s: number) => admin.createWorkflowEvent({ event: { executionId: exec, phase, occurredAt: at(s), producerId: "propeller" } });
  const node = (nodeId: string, phase: NodePhase, s: number) =>
    admin.createNodeEvent({ event: { id: { executionId: exec, nodeId }, specNodeId: nodeId, phase, occurredAt: at(s), producerId: "propeller" } });
  const attempt = (nodeId: string, t: string, retryAttempt: number, phase: TaskPhase, s: number) =>
    admin.createTaskEvent({
      event: { taskId: task(t), parentNodeExecutionId: { executionId: exec, nodeId }, retryAttempt, phase, occurredAt: at(s), producerId: "propeller" },
    });
  await wf(WfPhase.RUNNING, 2);
  await node("start-node", NodePhase.SUCCEEDED, 3);
  await node("n0", NodePhase.QUEUED, 4);
  await node("n0", NodePhase.RUNNING, 5);
  await attempt("n0", "workflows.example.t1", 0, TaskPhase.QUEUED, 6);
  await attempt("n0", "workflows.example.t1", 0, TaskPhase.RUNNING, 7);
  await attempt("n0", "workflows.example.t1", 0, TaskPhase.FAILED, 9);
  await attempt("n0", "workflows.example.t1", 1, TaskPhase.QUEUED, 10);
  await attempt("n0", "workflows.example.t1", 1, TaskPhase.RUNNING, 11);
  await attempt("n0", "workflows.example.t1", 1, TaskPhase.SUCCEEDED, 15);
  await node("n0", NodePhase.SUCCEEDED, 16);
  await node("n1", NodePhase.QUEUED, 17);
  await node("n1", NodePhase.SUCCEEDED, 20);
  await wf(WfPhase.SUCCEEDED, 22);
});
afterAll(async () => {
  await ts.close();
});

describe("GetExecutionMetrics", () => {
  test("the full tree", async () => {
    const { span } = await ts.admin().getExecutionMetrics({ id: exec, depth: 10 });
    const created = Number((await ts.admin().getExecution({ id: exec })).closure?.createdAt?.seconds ?? 0n);
    expect(span?.id.case).toBe("workflowId");
    const t0 = 1_800_000_000;
    const tree = outline(span as Span, t0) as Record<string, unknown[]>;
    const [[head, children]] = Object.entries(tree);
    expect(head).toBe(`workflow ${created - t0}-22`);
    expect(children).toEqual([
      `WORKFLOW_SETUP ${created - t0}-3`,
      {
        "node n0 4-16": [
          "NODE_TRANSITION 3-4",
          "NODE_SETUP 4-6",
          { "task attempt 0 6-9": ["TASK_SETUP 6-7", "TASK_RUNTIME 7-9", "TASK_TEARDOWN 9-9"] },
          "NODE_RESET 9-10",
          { "task attempt 1 10-15": ["TASK_SETUP 10-11", "TASK_RUNTIME 11-15", "TASK_TEARDOWN 15-15"] },
          "NODE_TEARDOWN 15-16",
        ],
      },
      { "node n1 17-20": ["NODE_TRANSITION 16-17", "NODE_SETUP 17-20"] },
      "WORKFLOW_TEARDOWN 20-22",
    ]);
  });

  test("depth limits the tree; unknown executions are NotFound", async () => {
    const shallow = await ts.admin().getExecutionMetrics({ id: exec, depth: 0 });
    expect(shallow.span?.spans).toEqual([]);
    const one = await ts.admin().getExecutionMetrics({ id: exec, depth: 1 });
    const node = one.span?.spans.find((s) => s.id.case === "nodeId");
    expect(node?.spans.map((s) => (s.id.case === "operationId" ? s.id.value : s.id.case))).toEqual(["NODE_TRANSITION"]);
    expect(Code[(await failure(ts.admin().getExecutionMetrics({ id: { ...scope, name: "nope" }, depth: 3 }))).code]).toBe("NotFound");
  });
});
