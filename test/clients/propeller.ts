// Plays flytepropeller for the client suite: takes the FlyteWorkflow our server submitted to the
// stand-in Kubernetes API, runs its task nodes in dependency order with TypeScript stand-ins for the
// Python tasks, writes each node's inputs.pb/outputs.pb into the blob store where propeller keeps them,
// and reports the workflow, node and task events propeller sends. Only task nodes are run; a resource
// with other node kinds is refused so a test cannot pass by accident.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { create, fromJson, toBinary, type JsonValue } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { BindingSchema, type BindingData } from "../../src/gen/flyteidl/core/literals_pb";
import { LiteralMapSchema, LiteralSchema, type Literal, type LiteralMap } from "../../src/gen/flyteidl/core/literals_pb";
import { IdentifierSchema, type Identifier } from "../../src/gen/flyteidl/core/identifier_pb";
import { NodeExecution_Phase, TaskExecution_Phase, WorkflowExecution_Phase } from "../../src/gen/flyteidl/core/execution_pb";
import type { FakeKube } from "../helpers/fake-k8s";
import type { TestServer } from "../helpers/server";

/** A task's stand-in: literal inputs by name to literal outputs by name. */
export type TaskImpl = (inputs: Record<string, Literal>) => Record<string, Literal>;

export const lit = {
  int: (n: number | bigint): Literal =>
    create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "integer", value: BigInt(n) } } } } } }),
  str: (s: string): Literal =>
    create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "stringValue", value: s } } } } } }),
  asInt(l: Literal | undefined): bigint {
    const p = l?.value.case === "scalar" && l.value.value.value.case === "primitive" ? l.value.value.value.value.value : undefined;
    if (p?.case !== "integer") throw new Error(`player: expected an integer literal, got ${JSON.stringify(l?.value.case)}`);
    return p.value;
  },
  asStr(l: Literal | undefined): string {
    const p = l?.value.case === "scalar" && l.value.value.value.case === "primitive" ? l.value.value.value.value.value : undefined;
    if (p?.case !== "stringValue") throw new Error("player: expected a string literal");
    return p.value;
  },
};

/** Stand-ins for the tasks of test/clients/project/app/flows.py that the suite's executions run. */
export const projectTasks: Record<string, TaskImpl> = {
  "app.flows.add": (i) => ({ o0: lit.int(lit.asInt(i.a) + lit.asInt(i.b)) }),
  "app.flows.greet": (i) => ({ o0: lit.str(`hello ${lit.asStr(i.name)}`) }),
};

interface NodeSpec {
  id: string;
  kind: string;
  task?: string;
  name?: string;
  inputBindings?: JsonValue[];
}

interface Resource {
  metadata: { name: string; namespace: string };
  spec: { nodes: Record<string, NodeSpec>; edges: { upstream: Record<string, string[]> }; outputBindings?: JsonValue[] };
  inputs?: JsonValue;
  executionId: { project: string; domain: string; name: string };
  tasks: Record<string, { id: JsonValue; type: string }>;
}

export class FakePropeller {
  private clock = Date.now();

  constructor(
    private readonly ts: TestServer,
    private readonly kube: FakeKube,
    private readonly impls: Record<string, TaskImpl>,
  ) {}

  /** The FlyteWorkflow stored for an execution name, waiting for it to arrive. */
  async resource(name: string, timeoutMs = 30_000): Promise<Resource> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // The create request, not the stored object: a terminated execution's object is gone.
      const post = this.flyteWorkflowPosts().find((r) => (r.body as Resource).metadata?.name === name);
      if (post) return post.body as Resource;
      if (Date.now() > deadline) throw new Error(`player: no FlyteWorkflow named ${name} was submitted`);
      await Bun.sleep(50);
    }
  }

  /** The name of the first FlyteWorkflow submitted that was not in `before` (names() taken earlier). */
  async newExecution(before: Set<string>, timeoutMs = 120_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const fresh = this.names().find((n) => !before.has(n));
      if (fresh) return fresh;
      if (Date.now() > deadline) throw new Error("no execution was submitted");
      await Bun.sleep(100);
    }
  }

  /** Names of the FlyteWorkflows submitted so far. */
  names(): string[] {
    return this.flyteWorkflowPosts().map((r) => (r.body as Resource).metadata.name);
  }

  /** The FlyteWorkflow creates among the requests (the executor also creates namespaces now). */
  private flyteWorkflowPosts() {
    return this.kube.requests.filter((r) => r.method === "POST" && (r.body as { kind?: unknown } | undefined)?.kind === "FlyteWorkflow");
  }

  /** Waits for the resource and runs it to SUCCEEDED; returns the workflow's outputs. */
  async complete(name: string): Promise<LiteralMap> {
    const wf = await this.resource(name);
    const admin = this.ts.admin();
    const execId = wf.executionId;
    const dataDir = join(this.ts.dir, "blobs", "flyteadmin", "metadata", "propeller", `${execId.project}-${execId.domain}-${execId.name}`);
    const write = (path: string, m: LiteralMap): string => {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, toBinary(LiteralMapSchema, m));
      return `file://${path}`;
    };
    const at = () => timestampFromDate(new Date((this.clock += 1000)));
    const wfEvent = (phase: WorkflowExecution_Phase, outputUri?: string) =>
      admin.createWorkflowEvent({
        event: {
          executionId: execId,
          phase,
          occurredAt: at(),
          producerId: "propeller",
          ...(outputUri ? { outputResult: { case: "outputUri", value: outputUri } } : {}),
        },
      });
    const nodeEvent = (nodeId: string, phase: NodeExecution_Phase, io: { inputUri?: string; outputUri?: string } = {}) =>
      admin.createNodeEvent({
        event: {
          id: { nodeId, executionId: execId },
          producerId: "propeller",
          phase,
          occurredAt: at(),
          specNodeId: nodeId,
          nodeName: wf.spec.nodes[nodeId]?.name ?? nodeId,
          eventVersion: 2,
          reportedAt: at(),
          ...(io.inputUri ? { inputValue: { case: "inputUri", value: io.inputUri } } : {}),
          ...(io.outputUri ? { outputResult: { case: "outputUri", value: io.outputUri } } : {}),
        },
      });

    await wfEvent(WorkflowExecution_Phase.RUNNING);
    const inputs = wf.inputs ? fromJson(LiteralMapSchema, wf.inputs) : create(LiteralMapSchema);
    const outputs = new Map<string, LiteralMap>([["start-node", inputs]]);
    await nodeEvent("start-node", NodeExecution_Phase.SUCCEEDED, { outputUri: write(join(dataDir, "start-node", "data", "0", "outputs.pb"), inputs) });

    const pending = Object.values(wf.spec.nodes).filter((n) => n.id !== "start-node" && n.id !== "end-node");
    while (pending.length) {
      const i = pending.findIndex((n) => (wf.spec.edges.upstream[n.id] ?? []).every((u) => outputs.has(u)));
      if (i < 0) throw new Error("player: no runnable node left (a cycle, or an unsupported node kind upstream)");
      const [node] = pending.splice(i, 1);
      if (node.kind !== "task" || !node.task) throw new Error(`player: node ${node.id} is a ${node.kind} node; only task nodes are played`);
      const template = wf.tasks[node.task];
      const taskId: Identifier = fromJson(IdentifierSchema, template.id);
      const impl = this.impls[taskId.name];
      if (!impl) throw new Error(`player: no stand-in for task ${taskId.name}`);
      const nodeInputs = create(LiteralMapSchema, {
        literals: Object.fromEntries(
          (node.inputBindings ?? []).map((b) => {
            const binding = fromJson(BindingSchema, b);
            return [binding.var, this.resolve(binding.binding, outputs)];
          }),
        ),
      });
      const inputUri = write(join(dataDir, node.id, "data", "inputs.pb"), nodeInputs);
      const nodeOutputs = create(LiteralMapSchema, { literals: impl(nodeInputs.literals) });
      const outputUri = write(join(dataDir, node.id, "data", "0", "outputs.pb"), nodeOutputs);

      await nodeEvent(node.id, NodeExecution_Phase.QUEUED, { inputUri });
      await nodeEvent(node.id, NodeExecution_Phase.RUNNING, { inputUri });
      const taskEvent = (phase: TaskExecution_Phase, phaseVersion: number, out?: string) =>
        admin.createTaskEvent({
          event: {
            taskId,
            parentNodeExecutionId: { nodeId: node.id, executionId: execId },
            retryAttempt: 0,
            phase,
            phaseVersion,
            producerId: "propeller",
            occurredAt: at(),
            reportedAt: at(),
            taskType: template.type,
            eventVersion: 2,
            inputValue: { case: "inputUri", value: inputUri },
            logs: [{ uri: `http://logs.local/${execId.name}/${node.id}`, name: "Kubernetes Logs", messageFormat: 2 }],
            ...(out ? { outputResult: { case: "outputUri", value: out } } : {}),
          },
        });
      await taskEvent(TaskExecution_Phase.QUEUED, 0);
      await taskEvent(TaskExecution_Phase.RUNNING, 0);
      await taskEvent(TaskExecution_Phase.SUCCEEDED, 0, outputUri);
      await nodeEvent(node.id, NodeExecution_Phase.SUCCEEDED, { inputUri, outputUri });
      outputs.set(node.id, nodeOutputs);
    }

    const final = create(LiteralMapSchema, {
      literals: Object.fromEntries(
        (wf.spec.outputBindings ?? []).map((b) => {
          const binding = fromJson(BindingSchema, b);
          return [binding.var, this.resolve(binding.binding, outputs)];
        }),
      ),
    });
    const endUri = write(join(dataDir, "end-node", "data", "0", "outputs.pb"), final);
    await nodeEvent("end-node", NodeExecution_Phase.SUCCEEDED, { inputUri: endUri, outputUri: endUri });
    await wfEvent(WorkflowExecution_Phase.SUCCEEDED, endUri);
    return final;
  }

  /** Propeller's answer to a deleted resource: the workflow ends ABORTED. */
  async abortWhenDeleted(name: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.kube.requests.some((r) => r.method === "DELETE" && r.path.endsWith(`/${name}`))) {
      if (Date.now() > deadline) throw new Error(`player: ${name} was never deleted`);
      await Bun.sleep(50);
    }
    const wf = await this.resource(name);
    await this.ts.admin().createWorkflowEvent({
      event: {
        executionId: wf.executionId,
        phase: WorkflowExecution_Phase.ABORTED,
        occurredAt: timestampFromDate(new Date((this.clock += 1000))),
        producerId: "propeller",
      },
    });
  }

  private resolve(b: BindingData | undefined, outputs: Map<string, LiteralMap>): Literal {
    const v = b?.value;
    switch (v?.case) {
      case "scalar":
        return create(LiteralSchema, { value: { case: "scalar", value: v.value } });
      case "promise": {
        const l = outputs.get(v.value.nodeId)?.literals[v.value.var];
        if (!l) throw new Error(`player: ${v.value.nodeId}.${v.value.var} has no value`);
        return l;
      }
      case "collection":
        return create(LiteralSchema, { value: { case: "collection", value: { literals: v.value.bindings.map((x) => this.resolve(x, outputs)) } } });
      case "map":
        return create(LiteralSchema, {
          value: { case: "map", value: { literals: Object.fromEntries(Object.entries(v.value.bindings).map(([k, x]) => [k, this.resolve(x, outputs)])) } },
        });
      default:
        throw new Error(`player: binding ${v?.case ?? "unset"} is not played`);
    }
  }
}
