// One workflow being compiled: its nodes by id, the edges found so far, and what each node resolved to
// (its interface, its task). Edges are kept as sets and written out sorted, as upstream's connection set.
import { create } from "@bufbuild/protobuf";
import { ConnectionSetSchema, type CompiledWorkflow, type ConnectionSet } from "../gen/flyteidl/core/compiler_pb";
import type { Identifier } from "../gen/flyteidl/core/identifier_pb";
import type { ParameterMap, TypedInterface, VariableMap } from "../gen/flyteidl/core/interface_pb";
import type { TaskTemplate } from "../gen/flyteidl/core/tasks_pb";
import type { Node } from "../gen/flyteidl/core/workflow_pb";
import { err, type Errors } from "./errors";

export const startNodeId = "start-node";
export const endNodeId = "end-node";

/** A launch plan as a workflow node sees it. */
export interface LaunchPlanInterface {
  id: Identifier;
  expectedInputs?: ParameterMap;
  expectedOutputs?: VariableMap;
}

/** How a node's inferred data may add edges: both ways, or only one side's list. */
export type EdgeDirection = "both" | "up" | "down";

export interface NodeState {
  iface?: TypedInterface;
  task?: TaskTemplate;
}

/** What every workflow of one compile shares: the references and the sub-workflow compiler. */
export interface Compilation {
  readonly tasks: ReadonlyMap<string, TaskTemplate>;
  readonly launchPlans: ReadonlyMap<string, LaunchPlanInterface>;
  readonly subWorkflows: ReadonlyMap<string, CompiledWorkflow>;
  /** Compiles a sub-workflow at most once; errors go to `errs`. */
  compileSubWorkflow(key: string, errs: Errors): void;
  state(n: Node): NodeState;
}

export class Graph {
  readonly nodes = new Map<string, Node>();
  private readonly down = new Map<string, Set<string>>();
  private readonly up = new Map<string, Set<string>>();

  constructor(
    readonly workflow: CompiledWorkflow,
    readonly compilation: Compilation,
  ) {}

  state(n: Node): NodeState {
    return this.compilation.state(n);
  }

  /** First node with an id wins; later duplicates are ignored, as upstream does. */
  addNode(n: Node): void {
    if (this.nodes.has(n.id)) return;
    this.nodes.set(n.id, n);
    this.workflow.template?.nodes.push(n);
  }

  hasUpstream(id: string): boolean {
    return this.up.has(id);
  }

  hasDownstream(id: string): boolean {
    return this.down.has(id);
  }

  private static link(m: Map<string, Set<string>>, key: string, value: string): void {
    let s = m.get(key);
    if (!s) m.set(key, (s = new Set()));
    s.add(value);
  }

  addEdge(provider: string, dependent: string, direction: EdgeDirection): void {
    const from = provider === "" ? startNodeId : provider;
    if (direction !== "up") Graph.link(this.down, from, dependent);
    if (direction !== "down") Graph.link(this.up, dependent, from);
  }

  /** The edges as the compiled workflow carries them: sorted id lists. */
  connections(): ConnectionSet {
    const lists = (m: Map<string, Set<string>>) =>
      Object.fromEntries([...m].map(([k, s]) => [k, { $typeName: "flyteidl.core.ConnectionSet.IdList" as const, ids: [...s].sort() }]));
    return create(ConnectionSetSchema, { downstream: lists(this.down), upstream: lists(this.up) });
  }

  /** From start-node over downstream edges: report the first cycle met, else every node never reached. */
  checkReachable(errs: Errors): void {
    const visited = new Set<string>();
    const onPath = new Set<string>();
    const path: string[] = [];
    const next = (id: string) => [...(this.down.get(id) ?? [])].sort();
    // Iterative depth-first walk; each frame holds a node and the neighbours still to visit.
    const stack: Array<{ id: string; rest: string[]; i: number }> = [{ id: startNodeId, rest: next(startNodeId), i: 0 }];
    visited.add(startNodeId);
    onPath.add(startNodeId);
    path.push(startNodeId);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const n = top.rest[top.i++];
      if (n === undefined) {
        stack.pop();
        onPath.delete(top.id);
        path.pop();
        continue;
      }
      if (onPath.has(n)) {
        errs.add(err.cycleDetected(startNodeId, [...path, n].join(">")));
        return;
      }
      if (visited.has(n)) continue;
      visited.add(n);
      onPath.add(n);
      path.push(n);
      stack.push({ id: n, rest: next(n), i: 0 });
    }
    const unreachable = [...this.nodes.keys()].filter((id) => !visited.has(id) && id !== endNodeId).sort();
    if (unreachable.length > 0) errs.add(err.unreachableNodes(startNodeId, unreachable.join(",")));
  }
}
