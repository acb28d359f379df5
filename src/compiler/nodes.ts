// Node checks, as upstream's compiler makes them: each node's interface comes from what it runs (a task,
// a launch plan, a sub-workflow, the cases of a branch, a gate, an array's sub-node), its aliases are
// sound, and branch conditions only read bound inputs. Branch cases are renamed `<branch>-<case>`.
import { create } from "@bufbuild/protobuf";
import type { Identifier } from "../gen/flyteidl/core/identifier_pb";
import { TypedInterfaceSchema, VariableMapSchema, type TypedInterface, type Variable, type VariableMap } from "../gen/flyteidl/core/interface_pb";
import type { LiteralType } from "../gen/flyteidl/core/types_pb";
import type { BooleanExpression, Operand } from "../gen/flyteidl/core/condition_pb";
import type { Node } from "../gen/flyteidl/core/workflow_pb";
import { identifierKey } from "./requirements";
import { err, type Errors } from "./errors";
import { effectiveOutputs, validateBindings } from "./bindings";
import { endNodeId, startNodeId, type Graph } from "./graph";
import { primitiveType, typeKey, typeText } from "./typing";

const idText = (id: Identifier | undefined) => (id ? identifierKey(id) : "<nil>");
const emptyVars = () => create(VariableMapSchema);

function validateVariables(nodeId: string, vars: VariableMap, errs: Errors): void {
  for (const [name, v] of Object.entries(vars.variables)) {
    if (name === "") errs.add(err.valueRequired(nodeId, "paramName"));
    if (!v.type) errs.add(err.valueRequired(nodeId, "param.Type"));
  }
}

/** Every variable named and typed; missing input/output maps become empty ones (in place, as upstream). */
export function validateInterface(nodeId: string, iface: TypedInterface | undefined, errs: Errors): { iface: TypedInterface; ok: boolean } {
  const i = iface ?? create(TypedInterfaceSchema);
  if (i.inputs) validateVariables(nodeId, i.inputs, errs.scope());
  else i.inputs = emptyVars();
  if (i.outputs) validateVariables(nodeId, i.outputs, errs.scope());
  else i.outputs = emptyVars();
  return { iface: i, ok: !errs.failed };
}

function launchPlanInterface(g: Graph, n: Node, ref: Identifier, errs: Errors): TypedInterface | undefined {
  const lp = g.compilation.launchPlans.get(identifierKey(ref));
  if (!lp) {
    errs.add(err.workflowReferenceNotFound(n.id, idText(ref)));
    return undefined;
  }
  if (!lp.expectedInputs) errs.add(err.valueRequired(n.id, "WorkflowNode.ExpectedInputs"));
  if (!lp.expectedOutputs) errs.add(err.valueRequired(n.id, "WorkflowNode.ExpectedOutputs"));
  // Exposed inputs: the required ones, plus any default the node overrides with a binding.
  const exposed: Record<string, Variable> = {};
  for (const [name, p] of Object.entries(lp.expectedInputs?.parameters ?? {})) {
    const required = p.behavior.case === "required" && p.behavior.value;
    if (p.var && (required || n.inputs.some((b) => b.var === name))) exposed[name] = p.var;
  }
  return create(TypedInterfaceSchema, { inputs: { variables: exposed }, outputs: lp.expectedOutputs });
}

function workflowNodeInterface(g: Graph, n: Node, errs: Errors): TypedInterface | undefined {
  if (n.target.case !== "workflowNode") return undefined;
  const ref = n.target.value.reference;
  const own = g.workflow.template;
  if (ref.case === "launchplanRef" && own?.id && identifierKey(ref.value) === identifierKey(own.id)) {
    if (!own.interface) errs.add(err.valueRequired(n.id, "WorkflowNode.Interface"));
    return own.interface;
  }
  if (ref.case === "launchplanRef") return launchPlanInterface(g, n, ref.value, errs);
  if (ref.case === "subWorkflowRef") {
    const sub = g.compilation.subWorkflows.get(identifierKey(ref.value));
    if (!sub) {
      errs.add(err.workflowReferenceNotFound(n.id, idText(ref.value)));
      return undefined;
    }
    if (!sub.template) {
      errs.add(err.valueRequired(n.id, "WorkflowNode.Template"));
      return undefined;
    }
    if (!sub.template.interface) errs.add(err.valueRequired(n.id, "WorkflowNode.Template.Interface"));
    return sub.template.interface;
  }
  errs.add(err.workflowReferenceNotFound(n.id, "<nil>/<nil>"));
  return undefined;
}

function gateNodeInterface(g: Graph, n: Node, errs: Errors): TypedInterface | undefined {
  if (n.target.case !== "gateNode") return undefined;
  const c = n.target.value.condition;
  switch (c.case) {
    case "approve": {
      // Approval copies its inputs to its outputs, so both are whatever it binds.
      const { resolved } = validateBindings(g, n, n.inputs, emptyVars(), false, "up", errs.scope());
      return create(TypedInterfaceSchema, { inputs: resolved, outputs: resolved });
    }
    case "signal":
      if (!c.value.type) errs.add(err.valueRequired(n.id, "GateNode.Signal.Type"));
      else if (c.value.outputVariableName === "") errs.add(err.valueRequired(n.id, "GateNode.Signal.OutputVariableName"));
      else return create(TypedInterfaceSchema, { inputs: {}, outputs: { variables: { [c.value.outputVariableName]: { type: c.value.type } } } });
      return undefined;
    case "sleep":
      return create(TypedInterfaceSchema, { inputs: {}, outputs: {} });
    default:
      errs.add(err.noConditionFound(n.id));
      return undefined;
  }
}

/** A branch's outputs are those every case produces with one type; its inputs are what it binds. */
function branchInterface(g: Graph, n: Node, errs: Errors): TypedInterface | undefined {
  if (n.target.case !== "branchNode") return undefined;
  const ifElse = n.target.value.ifElse;
  if (!ifElse) {
    errs.add(err.valueRequired(n.id, "Branch.IfElse"));
    return undefined;
  }
  if (!ifElse.case) {
    errs.add(err.valueRequired(n.id, "Branch.IfElse.Case"));
    return undefined;
  }
  if (!ifElse.case.thenNode) {
    errs.add(err.valueRequired(n.id, "Branch.IfElse.Case.ThenNode"));
    return undefined;
  }
  const cases: Node[] = [ifElse.case.thenNode];
  for (const other of ifElse.other) {
    if (!other.thenNode) errs.add(err.valueRequired(n.id, "IfElse.Case.ThenNode"));
    else cases.push(other.thenNode);
  }
  if (ifElse.default.case === "elseNode") cases.push(ifElse.default.value);

  let outputs: Record<string, Variable> | undefined;
  let common = new Set<string>();
  for (const c of cases) {
    c.id = `${n.id}-${c.id}`;
    const r = underlyingInterface(g, c, errs.scope());
    if (!r.ok || !r.iface) continue;
    const theirs = r.iface.outputs?.variables ?? {};
    if (!outputs) {
      outputs = theirs;
      common = new Set(Object.keys(theirs));
      continue;
    }
    common = new Set([...common].filter((k) => k in theirs));
    for (const name of common) {
      const a = outputs[name].type;
      const b = theirs[name].type;
      if (typeKey(a) !== typeKey(b)) errs.add(err.mismatchingTypes(c.id, name, typeText(a), typeText(b)));
    }
  }
  const { resolved } = validateBindings(g, n, n.inputs, emptyVars(), false, "up", errs.scope());
  if (errs.failed || !outputs) return undefined;
  const kept = Object.fromEntries(Object.entries(outputs).filter(([k]) => common.has(k)));
  return create(TypedInterfaceSchema, { inputs: resolved, outputs: { variables: kept } });
}

/** The interface a node exposes, worked out once from what it runs. */
export function underlyingInterface(g: Graph, n: Node, errs: Errors): { iface: TypedInterface | undefined; ok: boolean } {
  const state = g.state(n);
  if (state.iface) return { iface: state.iface, ok: true };
  let iface: TypedInterface | undefined;
  const t = n.target;
  switch (t.case) {
    case "taskNode": {
      const ref = t.value.reference.case === "referenceId" ? t.value.reference.value : undefined;
      const task = ref ? g.compilation.tasks.get(identifierKey(ref)) : undefined;
      if (!ref) errs.add(err.valueRequired(n.id, "TaskNode.ReferenceId"));
      else if (!task) errs.add(err.taskReferenceNotFound(n.id, idText(ref)));
      else iface = task.interface ?? (task.interface = create(TypedInterfaceSchema, { inputs: {}, outputs: {} }));
      break;
    }
    case "workflowNode":
      iface = workflowNodeInterface(g, n, errs);
      break;
    case "branchNode":
      iface = branchInterface(g, n, errs.scope());
      break;
    case "gateNode":
      iface = gateNodeInterface(g, n, errs);
      break;
    case "arrayNode": {
      // flytekit already wraps the sub-node's variables in collections where it maps over them.
      const sub = t.value.node;
      if (!sub) errs.add(err.valueRequired("", "Target"));
      else {
        const r = underlyingInterface(g, sub, errs.scope());
        if (r.ok) iface = r.iface;
      }
      break;
    }
    default:
      errs.add(err.valueRequired(n.id, "Target"));
  }
  if (iface) validateInterface(n.id, iface, errs.scope());
  if (!errs.failed) state.iface = iface;
  return { iface, ok: !errs.failed };
}

function operandType(g: Graph, n: Node, name: string, operand: Operand | undefined, requireParamType: boolean, errs: Errors): LiteralType | undefined {
  if (!operand) {
    errs.add(err.valueRequired(n.id, name));
    return undefined;
  }
  if (operand.val.case === "primitive") return primitiveType(operand.val.value);
  if (operand.val.case === "var" && operand.val.value !== "") {
    const iface = g.state(n).iface;
    if (!iface) {
      errs.add(err.valueRequired(n.id, operand.val.value));
      return undefined;
    }
    const v = iface.inputs?.variables[operand.val.value];
    if (v) return v.type;
    if (!requireParamType && n.inputs.some((b) => b.var === operand.val.value)) return undefined;
    errs.add(err.variableNameNotFound(n.id, n.id, operand.val.value));
    return undefined;
  }
  errs.add(err.valueRequired(n.id, `${name}.Val`));
  return undefined;
}

function validateCondition(g: Graph, n: Node, expr: BooleanExpression | undefined, requireParamType: boolean, errs: Errors): void {
  if (!expr) {
    errs.add(err.branchNodeHasNoCondition(n.id));
    return;
  }
  if (expr.expr.case === "comparison") {
    const c = expr.expr.value;
    const right = operandType(g, n, "RightValue", c.rightValue, requireParamType, errs.scope());
    const left = operandType(g, n, "LeftValue", c.leftValue, requireParamType, errs.scope());
    if (right && left && typeKey(right) !== typeKey(left)) errs.add(err.mismatchingTypes(n.id, "RightValue", typeText(right), typeText(left)));
  } else if (expr.expr.case === "conjunction") {
    validateCondition(g, n, expr.expr.value.leftExpression, requireParamType, errs.scope());
    validateCondition(g, n, expr.expr.value.rightExpression, requireParamType, errs.scope());
  } else errs.add(err.valueRequired(n.id, "Expr"));
}

/** Conditions, cases and default of a branch; returns the case nodes that validated. */
function validateBranch(g: Graph, n: Node, requireParamType: boolean, errs: Errors): { nodes: Node[]; ok: boolean } {
  const ifElse = n.target.case === "branchNode" ? n.target.value.ifElse : undefined;
  const blocks = [...(ifElse?.case ? [ifElse.case] : []), ...(ifElse?.other ?? [])];
  if (!ifElse?.case) errs.add(err.branchNodeHasNoCondition(n.id));
  const subNodes: Node[] = [];
  for (const block of blocks) {
    validateCondition(g, n, block.condition, requireParamType, errs.scope());
    if (!block.thenNode) errs.add(err.branchNodeNotSpecified(n.id));
    else subNodes.push(block.thenNode);
  }
  if (ifElse?.default.case === "elseNode") subNodes.push(ifElse.default.value);
  else if (ifElse?.default.case !== "error") errs.add(err.branchNodeHasNoDefault(n.id));
  const nodes = subNodes.filter((s) => validateNode(g, s, requireParamType, errs.scope()));
  return { nodes, ok: !errs.failed };
}

/** Explicit upstream ids (unless only upstream edges are wanted) and the edges bindings imply. */
export function addEdges(g: Graph, n: Node, direction: "both" | "up", errs: Errors): void {
  const iface = g.state(n).iface;
  if (!iface) return;
  if (direction === "both") for (const up of n.upstreamNodeIds) g.addEdge(up, n.id, "both");
  validateBindings(g, n, n.inputs, iface.inputs, true, direction, errs);
}

export function validateNode(g: Graph, n: Node, requireParamType: boolean, errs: Errors): boolean {
  if (n.id === "") errs.add(err.valueRequired("<node>", "Id"));
  if (n.id === startNodeId || n.id === endNodeId) return true;
  if (underlyingInterface(g, n, errs.scope()).ok) effectiveOutputs(g, n, errs.scope());
  n.upstreamNodeIds.sort();
  const t = n.target;
  if (t.case === "branchNode") {
    const r = validateBranch(g, n, requireParamType, errs.scope());
    if (r.ok) for (const sub of r.nodes) addEdges(g, sub, "up", errs.scope());
  } else if (t.case === "workflowNode" && t.value.reference.case === "subWorkflowRef") {
    const key = identifierKey(t.value.reference.value);
    if (g.compilation.subWorkflows.has(key)) g.compilation.compileSubWorkflow(key, errs.scope());
    else errs.add(err.workflowReferenceNotFound(n.id, idText(t.value.reference.value)));
  } else if (t.case === "taskNode" && t.value.reference.case === "referenceId") {
    const ref = t.value.reference.value;
    const task = g.compilation.tasks.get(identifierKey(ref));
    if (task) g.state(n).task = task;
    else errs.add(err.taskReferenceNotFound(n.id, idText(ref)));
  }
  return !errs.failed;
}
