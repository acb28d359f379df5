// GetExecutionMetrics, as upstream's metrics manager builds it: a tree of spans for an execution — its
// setup and teardown around the nodes, each node's transition from its latest upstream node, and inside
// nodes their setup, task attempts (setup, runtime, teardown, resets between attempts), branches,
// sub-workflows, launch-plan children, dynamic sub-nodes and gates — down to the requested depth.
import { create } from "@bufbuild/protobuf";
import { durationMs, timestampDate, timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { SpanSchema, type Span } from "../../gen/flyteidl/core/metrics_pb";
import type { CompiledWorkflowClosure, ConnectionSet_IdList } from "../../gen/flyteidl/core/compiler_pb";
import type { BranchNode, Node } from "../../gen/flyteidl/core/workflow_pb";
import { ResourceType, type Identifier, type WorkflowExecutionIdentifier } from "../../gen/flyteidl/core/identifier_pb";
import type { Execution } from "../../gen/flyteidl/admin/execution_pb";
import type { NodeExecution } from "../../gen/flyteidl/admin/node_execution_pb";
import type { TaskExecution } from "../../gen/flyteidl/admin/task_execution_pb";
import {
  WorkflowExecutionGetMetricsResponseSchema,
  type WorkflowExecutionGetMetricsRequest,
  type WorkflowExecutionGetMetricsResponse,
} from "../../gen/flyteidl/admin/execution_pb";
import { internal } from "../../kernel/errors";
import type { ExecutionManager } from "../executions/manager";
import type { NodeExecutionManager } from "../nodeexecutions/manager";
import type { TaskExecutionManager } from "../taskexecutions/manager";
import type { WorkflowManager } from "../workflows/manager";

const pageSize = 50;
const op = {
  nodeIdle: "NODE_IDLE",
  nodeReset: "NODE_RESET",
  nodeSetup: "NODE_SETUP",
  nodeTeardown: "NODE_TEARDOWN",
  nodeTransition: "NODE_TRANSITION",
  taskRuntime: "TASK_RUNTIME",
  taskSetup: "TASK_SETUP",
  taskTeardown: "TASK_TEARDOWN",
  workflowSetup: "WORKFLOW_SETUP",
  workflowTeardown: "WORKFLOW_TEARDOWN",
};

const ms = (t: Timestamp | undefined) => (t ? timestampDate(t).getTime() : 0);
const unset = (t: Timestamp | undefined) => !t || (t.seconds === 0n && t.nanos === 0);
const operation = (start: Timestamp | undefined, end: Timestamp | undefined, id: string): Span =>
  create(SpanSchema, { startTime: start, endTime: end, id: { case: "operationId", value: id } });
const plus = (t: Timestamp | undefined, d: Parameters<typeof durationMs>[0]) => timestampFromDate(new Date(ms(t) + durationMs(d)));

/** The branch case a child node execution ran. */
function branchCase(specNodeId: string, branch: BranchNode): Node | undefined {
  const ie = branch.ifElse;
  const cases = [ie?.case?.thenNode, ...(ie?.other ?? []).map((o) => o.thenNode), ie?.default.case === "elseNode" ? ie.default.value : undefined];
  return cases.find((n) => n?.id === specNodeId);
}

/** Among a node's upstream node executions, the one updated last. */
function latestUpstream(
  nodeId: string,
  upstream: Record<string, ConnectionSet_IdList> | undefined,
  nodes: Map<string, NodeExecution>,
): NodeExecution | undefined {
  let latest: NodeExecution | undefined;
  for (const id of upstream?.[nodeId]?.ids ?? []) {
    const n = nodes.get(id);
    if (n && (!latest || ms(n.closure?.updatedAt) > ms(latest.closure?.updatedAt))) latest = n;
  }
  return latest;
}

export class MetricsManager {
  constructor(
    private readonly executions: ExecutionManager,
    private readonly nodes: NodeExecutionManager,
    private readonly tasks: TaskExecutionManager,
    private readonly workflows: WorkflowManager,
  ) {}

  async getExecutionMetrics(req: WorkflowExecutionGetMetricsRequest): Promise<WorkflowExecutionGetMetricsResponse> {
    const execution = await this.executions.get(req.id);
    return create(WorkflowExecutionGetMetricsResponseSchema, { span: await this.executionSpan(execution, req.depth) });
  }

  /** Node executions of an execution (top level, or under one parent) by spec node id, every page. */
  private async nodeExecutions(executionId: WorkflowExecutionIdentifier | undefined, uniqueParentId = ""): Promise<Map<string, NodeExecution>> {
    const out = new Map<string, NodeExecution>();
    for (let token = ""; ; ) {
      const page = await this.nodes.list({
        $typeName: "flyteidl.admin.NodeExecutionListRequest",
        workflowExecutionId: executionId,
        limit: pageSize,
        token,
        filters: "",
        uniqueParentId,
      });
      for (const n of page.nodeExecutions) out.set(n.metadata?.specNodeId ?? "", n);
      if (page.nodeExecutions.length < pageSize) return out;
      token = page.token;
    }
  }

  private async taskExecutions(n: NodeExecution): Promise<TaskExecution[]> {
    const out: TaskExecution[] = [];
    for (let token = ""; ; ) {
      const page = await this.tasks.list({ $typeName: "flyteidl.admin.TaskExecutionListRequest", nodeExecutionId: n.id, limit: pageSize, token, filters: "" });
      out.push(...page.taskExecutions);
      if (page.taskExecutions.length < pageSize) return out;
      token = page.token;
    }
  }

  private async compiledWorkflow(id: Identifier | undefined): Promise<CompiledWorkflowClosure | undefined> {
    return (await this.workflows.get(id ? { ...id, resourceType: ResourceType.WORKFLOW } : id)).closure?.compiledWorkflow;
  }

  private async executionSpan(e: Execution, depth: number): Promise<Span> {
    const spans: Span[] = [];
    if (depth !== 0) {
      const closure = await this.compiledWorkflow(e.closure?.workflowId);
      const nodes = await this.nodeExecutions(e.id);
      const start = nodes.get("start-node");
      if (unset(start?.closure?.updatedAt)) spans.push(operation(e.closure?.createdAt, e.closure?.updatedAt, op.workflowSetup));
      else {
        spans.push(operation(e.closure?.createdAt, start?.closure?.updatedAt, op.workflowSetup));
        await this.nodeSpans(nodes, closure, spans, depth - 1);
        const last = latestUpstream("end-node", closure?.primary?.connections?.upstream, nodes);
        if (last && ms(e.closure?.updatedAt) >= ms(last.closure?.updatedAt))
          spans.push(operation(last.closure?.updatedAt, e.closure?.updatedAt, op.workflowTeardown));
      }
    }
    return create(SpanSchema, {
      startTime: e.closure?.createdAt,
      endTime: e.closure?.updatedAt,
      id: { case: "workflowId", value: e.id as WorkflowExecutionIdentifier },
      spans,
    });
  }

  private async nodeSpans(nodes: Map<string, NodeExecution>, closure: CompiledWorkflowClosure | undefined, spans: Span[], depth: number): Promise<void> {
    const sorted = [...nodes.values()].sort((a, b) => ms(a.closure?.createdAt) - ms(b.closure?.createdAt));
    for (const n of sorted) {
      const specId = n.metadata?.specNodeId ?? "";
      if (specId === "start-node" || specId === "end-node") continue;
      const node = closure?.primary?.template?.nodes.find((x) => x.id === specId);
      if (!node) throw internal(`failed to discover workflow node '${specId}' in workflow '${closure?.primary?.template?.id?.name ?? ""}'`);
      const span = await this.nodeSpan(n, node, depth);
      const upstream = latestUpstream(specId, closure?.primary?.connections?.upstream, nodes);
      if (upstream) span.spans.unshift(operation(upstream.closure?.updatedAt, n.closure?.createdAt, op.nodeTransition));
      spans.push(span);
    }
  }

  private async nodeSpan(n: NodeExecution, node: Node, depth: number): Promise<Span> {
    const spans: Span[] = [];
    if (depth !== 0) {
      const t = node.target;
      if (t.case === "branchNode") await this.branch(n, t.value, spans, depth - 1);
      else if (t.case === "gateNode") this.gate(n, spans);
      else if (t.case === "taskNode") {
        if (n.metadata?.isParentNode) await this.dynamic(n, spans, depth - 1);
        else await this.taskNode(n, spans, depth - 1);
      } else if (t.case === "workflowNode") {
        const ref = t.value.reference;
        if (ref.case === "launchplanRef") await this.launchPlanNode(n, spans, depth - 1);
        else if (ref.case === "subWorkflowRef") await this.subWorkflowNode(n, ref.value, spans, depth - 1);
        else throw internal(`failed to identify workflow node type for node: ${n.id?.nodeId}`);
      }
    }
    return create(SpanSchema, {
      startTime: n.closure?.createdAt,
      endTime: n.closure?.updatedAt,
      id: { case: "nodeId", value: n.id as NonNullable<NodeExecution["id"]> },
      spans,
    });
  }

  private async branch(n: NodeExecution, branch: BranchNode, spans: Span[], depth: number): Promise<void> {
    const children = await this.nodeExecutions(n.id?.executionId, n.id?.nodeId);
    if (children.size === 0) {
      spans.push(operation(n.closure?.createdAt, n.closure?.updatedAt, op.nodeSetup));
      return;
    }
    if (children.size !== 1) throw internal(`invalid branch node execution: expected 1 but found ${children.size} node execution(s)`);
    const child = [...children.values()][0];
    const node = branchCase(child.metadata?.specNodeId ?? "", branch);
    if (!node) throw internal(`failed to identify branch node final node definition for nodeID '${child.metadata?.specNodeId ?? ""}'`);
    spans.push(operation(n.closure?.createdAt, child.closure?.createdAt, op.nodeSetup));
    spans.push(await this.nodeSpan(child, node, depth));
    if (ms(n.closure?.updatedAt) >= ms(child.closure?.updatedAt)) spans.push(operation(child.closure?.updatedAt, n.closure?.updatedAt, op.nodeTeardown));
  }

  private gate(n: NodeExecution, spans: Span[]): void {
    const c = n.closure;
    if (unset(c?.startedAt)) {
      spans.push(operation(c?.createdAt, c?.updatedAt, op.nodeSetup));
      return;
    }
    spans.push(operation(c?.createdAt, c?.startedAt, op.nodeSetup));
    if (!c?.duration || (c.duration.seconds === 0n && c.duration.nanos === 0)) spans.push(operation(c?.startedAt, c?.updatedAt, op.nodeIdle));
    else {
      const end = plus(c.startedAt, c.duration);
      spans.push(operation(c.startedAt, end, op.nodeIdle));
      spans.push(operation(end, c.updatedAt, op.nodeTeardown));
    }
  }

  private static taskSpan(t: TaskExecution): Span {
    const c = t.closure;
    const spans: Span[] = [];
    if (unset(c?.startedAt)) spans.push(operation(c?.createdAt, c?.updatedAt, op.taskSetup));
    else {
      spans.push(operation(c?.createdAt, c?.startedAt, op.taskSetup));
      if (!c?.duration || (c.duration.seconds === 0n && c.duration.nanos === 0)) spans.push(operation(c?.startedAt, c?.updatedAt, op.taskRuntime));
      else {
        const end = plus(c.startedAt, c.duration);
        spans.push(operation(c.startedAt, end, op.taskRuntime));
        if (ms(c.updatedAt) >= ms(end)) spans.push(operation(end, c.updatedAt, op.taskTeardown));
      }
    }
    return create(SpanSchema, {
      startTime: c?.createdAt,
      endTime: c?.updatedAt,
      id: { case: "taskId", value: t.id as NonNullable<TaskExecution["id"]> },
      spans,
    });
  }

  /** Attempts in order, with the reset between consecutive ones. */
  private static attempts(tasks: TaskExecution[], spans: Span[], depth: number): void {
    tasks.sort((a, b) => ms(a.closure?.createdAt) - ms(b.closure?.createdAt));
    tasks.forEach((t, i) => {
      if (i > 0) spans.push(operation(tasks[i - 1].closure?.updatedAt, t.closure?.createdAt, op.nodeReset));
      if (depth !== 0) spans.push(MetricsManager.taskSpan(t));
    });
  }

  /** Node setup then the task attempts; the attempts, or undefined (spans closed) when there are none. */
  private async setupAndAttempts(n: NodeExecution, spans: Span[], depth: number): Promise<TaskExecution[] | undefined> {
    const tasks = await this.taskExecutions(n);
    if (tasks.length === 0) {
      spans.push(operation(n.closure?.createdAt, n.closure?.updatedAt, op.nodeSetup));
      return undefined;
    }
    spans.push(operation(n.closure?.createdAt, tasks[0].closure?.createdAt, op.nodeSetup));
    MetricsManager.attempts(tasks, spans, depth);
    return tasks;
  }

  private async taskNode(n: NodeExecution, spans: Span[], depth: number): Promise<void> {
    const tasks = await this.setupAndAttempts(n, spans, depth);
    if (!tasks) return;
    const last = tasks[tasks.length - 1];
    if (ms(n.closure?.updatedAt) >= ms(last.closure?.updatedAt)) spans.push(operation(last.closure?.updatedAt, n.closure?.updatedAt, op.nodeTeardown));
  }

  private async dynamic(n: NodeExecution, spans: Span[], depth: number): Promise<void> {
    const tasks = await this.setupAndAttempts(n, spans, depth);
    if (!tasks) return;
    const children = await this.nodeExecutions(n.id?.executionId, n.id?.nodeId);
    const last = tasks[tasks.length - 1];
    if (children.size === 0) {
      if (ms(n.closure?.updatedAt) >= ms(last.closure?.updatedAt)) spans.push(operation(last.closure?.updatedAt, n.closure?.updatedAt, op.nodeReset));
      return;
    }
    spans.push(operation(last.closure?.updatedAt, children.get("start-node")?.closure?.updatedAt, op.nodeReset));
    const data = await this.nodes.getData(n.id);
    const closure = data.dynamicWorkflow?.compiledWorkflow;
    await this.nodeSpans(children, closure, spans, depth);
    const lastChild = latestUpstream("end-node", closure?.primary?.connections?.upstream, children);
    if (lastChild && ms(n.closure?.updatedAt) >= ms(lastChild.closure?.updatedAt))
      spans.push(operation(lastChild.closure?.updatedAt, n.closure?.updatedAt, op.nodeTeardown));
  }

  private async launchPlanNode(n: NodeExecution, spans: Span[], depth: number): Promise<void> {
    const target = n.closure?.targetMetadata;
    if (target?.case !== "workflowNodeMetadata") {
      spans.push(operation(n.closure?.createdAt, n.closure?.updatedAt, op.nodeSetup));
      return;
    }
    const child = await this.executions.get(target.value.executionId);
    spans.push(operation(n.closure?.createdAt, child.closure?.createdAt, op.nodeSetup));
    spans.push(await this.executionSpan(child, depth));
    if (ms(n.closure?.updatedAt) >= ms(child.closure?.updatedAt)) spans.push(operation(child.closure?.updatedAt, n.closure?.updatedAt, op.nodeTeardown));
  }

  private async subWorkflowNode(n: NodeExecution, workflowId: Identifier, spans: Span[], depth: number): Promise<void> {
    const children = await this.nodeExecutions(n.id?.executionId, n.id?.nodeId);
    if (children.size === 0) {
      spans.push(operation(n.closure?.createdAt, n.closure?.updatedAt, op.nodeSetup));
      return;
    }
    spans.push(operation(n.closure?.createdAt, children.get("start-node")?.closure?.updatedAt, op.nodeSetup));
    const closure = await this.compiledWorkflow(workflowId);
    await this.nodeSpans(children, closure, spans, depth);
    const last = latestUpstream("end-node", closure?.primary?.connections?.upstream, children);
    if (last && ms(n.closure?.updatedAt) >= ms(last.closure?.updatedAt)) spans.push(operation(last.closure?.updatedAt, n.closure?.updatedAt, op.nodeTeardown));
  }
}
