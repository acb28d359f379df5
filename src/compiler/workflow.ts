// The workflow compiler (upstream's CompileWorkflow): a WorkflowTemplate with the tasks, launch plans
// and sub-workflows it references → a CompiledWorkflowClosure with start/end nodes, every edge and every
// check, or a CompileErrorList with all that is wrong. Pure: no I/O.
import { clone, create } from "@bufbuild/protobuf";
import {
  CompiledTaskSchema,
  CompiledWorkflowClosureSchema,
  CompiledWorkflowSchema,
  type CompiledTask,
  type CompiledWorkflow,
  type CompiledWorkflowClosure,
} from "../gen/flyteidl/core/compiler_pb";
import { TypedInterfaceSchema } from "../gen/flyteidl/core/interface_pb";
import { TaskTemplateSchema, type TaskTemplate } from "../gen/flyteidl/core/tasks_pb";
import { NodeSchema, WorkflowTemplateSchema, type Node, type WorkflowTemplate } from "../gen/flyteidl/core/workflow_pb";
import { err, Errors } from "./errors";
import { endNodeId, Graph, startNodeId, type Compilation, type LaunchPlanInterface, type NodeState } from "./graph";
import { addEdges, validateInterface, validateNode } from "./nodes";
import { validateBindings } from "./bindings";
import { collectRequirements, identifierKey, indexSubWorkflows } from "./requirements";

export type { LaunchPlanInterface } from "./graph";

/** Builds and checks one workflow's graph; returns it when this workflow (and what it pulled in) is sound. */
function validateWorkflow(c: Compilation, wf: CompiledWorkflow, errs: Errors): boolean {
  const template = wf.template;
  if (!template || template.nodes.length === 0) {
    errs.add(err.noNodesFound(template?.id ? identifierKey(template.id) : "<nil>"));
    return false;
  }
  const g = new Graph(wf, c);
  const iface = validateInterface(startNodeId, template.interface, errs.scope());
  if (!iface.ok) return false;
  template.interface = iface.iface;

  const declared = template.nodes;
  template.nodes = [];
  const start = create(NodeSchema, { id: startNodeId });
  g.addNode(start);
  g.state(start).iface = create(TypedInterfaceSchema, { outputs: iface.iface.inputs });
  const end = create(NodeSchema, { id: endNodeId });
  g.addNode(end);
  const endIface = create(TypedInterfaceSchema, { inputs: iface.iface.outputs });
  g.state(end).iface = endIface;
  end.inputs = template.outputs; // the end node consumes the workflow's output bindings

  const topLevel = new Set<string>();
  for (const n of declared) {
    topLevel.add(n.id);
    g.addNode(n);
    validateNode(g, n, false, errs.scope());
  }

  // Sorted ids make the edge order, and so the closure's digest, independent of the client's order.
  const ids = [...g.nodes.keys()].sort();
  for (const id of ids) {
    if (id !== startNodeId) addEdges(g, g.nodes.get(id) as Node, "both", errs.scope());
  }

  if (template.failureNode) {
    validateNode(g, template.failureNode, false, errs.scope());
    addEdges(g, template.failureNode, "up", errs.scope());
  }

  // Nodes that need nothing start with the workflow; nodes nothing needs finish before it ends.
  for (const id of ids) {
    if (id === startNodeId || id === endNodeId || !topLevel.has(id)) continue;
    if (!g.hasUpstream(id)) g.addEdge(startNodeId, id, "both");
    if (!g.hasDownstream(id)) g.addEdge(id, endNodeId, "both");
  }

  if (validateInterface(endNodeId, endIface, errs.scope()).ok) {
    validateBindings(g, end, end.inputs, endIface.inputs, true, "both", errs.scope());
  }
  g.checkReachable(errs.scope());
  wf.connections = g.connections();
  return !errs.failed;
}

function compilation(
  tasks: Map<string, TaskTemplate>,
  launchPlans: Map<string, LaunchPlanInterface>,
  subWorkflows: Map<string, CompiledWorkflow>,
): Compilation {
  const states = new WeakMap<Node, NodeState>();
  const compiled = new Set<string>();
  const c: Compilation = {
    tasks,
    launchPlans,
    subWorkflows,
    state(n) {
      let s = states.get(n);
      if (!s) states.set(n, (s = {}));
      return s;
    },
    compileSubWorkflow(key, errs) {
      // Once per compile: a second reference sees the same result (its errors are already collected).
      if (compiled.has(key)) return;
      compiled.add(key);
      const sub = subWorkflows.get(key);
      if (sub) validateWorkflow(c, sub, errs);
    },
  };
  return c;
}

/**
 * Compiles `primary` against the given references. The closure's tasks are the given tasks (once each);
 * its sub-workflows are the given ones, compiled where the workflow uses them. Throws CompileErrorList.
 */
export function compileWorkflow(
  primary: WorkflowTemplate,
  subWorkflows: WorkflowTemplate[],
  tasks: CompiledTask[],
  launchPlans: LaunchPlanInterface[],
): CompiledWorkflowClosure {
  const errs = Errors.root();
  const taskIndex = new Map<string, TaskTemplate>();
  for (const t of tasks) {
    if (!t.template?.id) {
      errs.add(err.valueRequired("task", "Template.Id"));
      throw errs.toError();
    }
    const key = identifierKey(t.template.id);
    if (!taskIndex.has(key)) taskIndex.set(key, clone(TaskTemplateSchema, t.template));
  }
  const subTemplates = indexSubWorkflows(
    subWorkflows.map((s) => clone(WorkflowTemplateSchema, s)),
    errs.scope(),
  );
  if (!subTemplates) throw errs.toError();
  const subIndex = new Map([...subTemplates].map(([k, t]) => [k, create(CompiledWorkflowSchema, { template: t })]));
  const lpIndex = new Map(launchPlans.map((lp) => [identifierKey(lp.id), lp]));

  const template = clone(WorkflowTemplateSchema, primary);
  const reqs = collectRequirements(template, subTemplates, true, errs.scope());
  for (const id of reqs.launchPlanIds) {
    if (!lpIndex.has(identifierKey(id))) errs.add(err.workflowReferenceNotFound(startNodeId, identifierKey(id)));
  }
  for (const id of reqs.taskIds) {
    if (!taskIndex.has(identifierKey(id))) errs.add(err.taskReferenceNotFound(startNodeId, identifierKey(id)));
  }
  if (errs.failed) throw errs.toError();

  const wf = create(CompiledWorkflowSchema, { template });
  if (!validateWorkflow(compilation(taskIndex, lpIndex, subIndex), wf, errs.scope())) throw errs.toError();
  return create(CompiledWorkflowClosureSchema, {
    primary: wf,
    tasks: [...taskIndex.values()].map((t) => create(CompiledTaskSchema, { template: t })),
    subWorkflows: [...subIndex.values()],
  });
}
