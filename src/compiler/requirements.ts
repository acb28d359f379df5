// What a workflow needs loaded before it can compile: the tasks and launch plans its nodes name,
// following branch cases, array sub-nodes and sub-workflows (upstream's GetRequirements).
import type { Identifier } from "../gen/flyteidl/core/identifier_pb";
import type { Node, WorkflowTemplate } from "../gen/flyteidl/core/workflow_pb";
import { identifierText } from "../kernel/identifiers";
import { err, Errors } from "./errors";

/** Identifiers compare by their whole value, as upstream keys them by their text form. */
export const identifierKey = (id: Identifier): string => identifierText(id);

export interface Requirements {
  taskIds: Identifier[];
  launchPlanIds: Identifier[];
}

/** Sub-workflows by id; a repeated id is an error. */
export function indexSubWorkflows(subWorkflows: WorkflowTemplate[], errs: Errors): Map<string, WorkflowTemplate> | undefined {
  const index = new Map<string, WorkflowTemplate>();
  let ok = true;
  for (const wf of subWorkflows) {
    if (!wf.id) {
      errs.add(err.valueRequired("root", "SubWorkflow.Id"));
      return undefined;
    }
    const key = identifierKey(wf.id);
    if (index.has(key)) {
      errs.add(err.duplicateId(key));
      ok = false;
    } else index.set(key, wf);
  }
  return ok ? index : undefined;
}

export function collectRequirements(
  primary: WorkflowTemplate,
  subWorkflows: ReadonlyMap<string, WorkflowTemplate>,
  followSubWorkflows: boolean,
  errs: Errors,
): Requirements {
  const tasks = new Map<string, Identifier>();
  const launchPlans = new Map<string, Identifier>();
  const entered = new Set<string>(); // a sub-workflow that names itself must not loop forever

  const visitWorkflow = (wf: WorkflowTemplate): void => {
    for (const n of wf.nodes) visitNode(n);
    if (wf.failureNode) visitNode(wf.failureNode);
  };
  const visitNode = (n: Node | undefined): void => {
    if (!n) return;
    const t = n.target;
    if (t.case === "taskNode") {
      if (t.value.reference.case === "referenceId") tasks.set(identifierKey(t.value.reference.value), t.value.reference.value);
    } else if (t.case === "workflowNode") {
      const ref = t.value.reference;
      if (ref.case === "launchplanRef") launchPlans.set(identifierKey(ref.value), ref.value);
      else if (ref.case === "subWorkflowRef" && followSubWorkflows) {
        const key = identifierKey(ref.value);
        const sub = subWorkflows.get(key);
        if (!sub) errs.add(err.workflowReferenceNotFound(n.id, key));
        else if (!entered.has(key)) {
          entered.add(key);
          visitWorkflow(sub);
        }
      }
    } else if (t.case === "branchNode") {
      const ifElse = t.value.ifElse;
      visitNode(ifElse?.case?.thenNode);
      for (const other of ifElse?.other ?? []) visitNode(other.thenNode);
      if (ifElse?.default.case === "elseNode") visitNode(ifElse.default.value);
    } else if (t.case === "arrayNode") visitNode(t.value.node);
  };

  visitWorkflow(primary);
  const sorted = (m: Map<string, Identifier>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, id]) => id);
  return { taskIds: sorted(tasks), launchPlanIds: sorted(launchPlans) };
}

/** Tasks and launch plans to load for `primary`; throws CompileErrorList on a bad sub-workflow set. */
export function workflowRequirements(primary: WorkflowTemplate, subWorkflows: WorkflowTemplate[]): Requirements {
  const errs = Errors.root();
  const index = indexSubWorkflows(subWorkflows, errs);
  if (!index) throw errs.toError();
  const reqs = collectRequirements(primary, index, true, errs);
  if (errs.failed) throw errs.toError();
  return reqs;
}
