// The parts of a FlyteWorkflow resource that depend on the compiled closure alone, as upstream's k8s
// transformer builds them: node specs with their resources, retries and branches, connections, and the
// task templates with trimmed interfaces.
import { clone, create, toJson, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { durationMs, type Duration } from "@bufbuild/protobuf/wkt";
import { CompiledWorkflowClosureSchema, type CompiledWorkflow, type CompiledWorkflowClosure } from "../gen/flyteidl/core/compiler_pb";
import { BindingSchema, type LiteralMap } from "../gen/flyteidl/core/literals_pb";
import { IdentifierSchema, type Identifier } from "../gen/flyteidl/core/identifier_pb";
import { VariableMapSchema, type TypedInterface } from "../gen/flyteidl/core/interface_pb";
import {
  AliasSchema,
  ApproveConditionSchema,
  SignalConditionSchema,
  SleepConditionSchema,
  WorkflowMetadata_OnFailurePolicy,
  type Node,
} from "../gen/flyteidl/core/workflow_pb";
import { BooleanExpressionSchema } from "../gen/flyteidl/core/condition_pb";
import { ExtendedResourcesSchema, K8sPodSchema, Resources_ResourceName, TaskTemplateSchema, type Resources } from "../gen/flyteidl/core/tasks_pb";
import { LiteralTypeSchema, type LiteralType } from "../gen/flyteidl/core/types_pb";
import { err, Errors } from "../compiler/errors";
import { castable, literalType, typeText } from "../compiler/typing";
import { identifierKey } from "../compiler/requirements";
import { formatGoDuration } from "../kernel/duration";
import { parseQuantity } from "../kernel/k8s-quantity";

/** A message as protobuf JSON, the encoding propeller reads for embedded messages. */
export const pb = <T extends Parameters<typeof toJson>[0]>(schema: T, msg: Parameters<typeof toJson<T>>[1]) => toJson(schema, msg) as JsonValue;

/** Type metadata and descriptions are dropped from interfaces (propeller does not need them). */
function stripType(t: LiteralType | undefined): LiteralType | undefined {
  if (!t) return t;
  const c = clone(LiteralTypeSchema, t);
  c.metadata = undefined;
  const annotations = c.annotation?.annotations as JsonObject | undefined;
  if (c.annotation && !(annotations && "cache-key-metadata" in annotations)) c.annotation = undefined;
  if (c.structure) for (const [k, v] of Object.entries(c.structure.dataclassType)) c.structure.dataclassType[k] = stripType(v) as LiteralType;
  switch (c.type.case) {
    case "unionType":
      c.type.value.variants = c.type.value.variants.map((v) => stripType(v) as LiteralType);
      break;
    case "mapValueType":
    case "collectionType":
      c.type.value = stripType(c.type.value) as LiteralType;
      break;
    case "structuredDatasetType":
      for (const col of c.type.value.columns) col.literalType = stripType(col.literalType);
      break;
  }
  return c;
}

function stripInterface(iface: TypedInterface | undefined): void {
  for (const vars of [iface?.inputs?.variables, iface?.outputs?.variables]) {
    for (const v of Object.values(vars ?? {})) {
      v.type = stripType(v.type);
      v.description = "";
    }
  }
}

const resourceNames: Partial<Record<Resources_ResourceName, string>> = {
  [Resources_ResourceName.CPU]: "cpu",
  [Resources_ResourceName.MEMORY]: "memory",
  [Resources_ResourceName.GPU]: "nvidia.com/gpu",
  [Resources_ResourceName.EPHEMERAL_STORAGE]: "ephemeral-storage",
};

/** Task-node resource overrides as a Kubernetes ResourceRequirements (zero quantities left out). */
function k8sResources(r: Resources | undefined, errs: Errors, nodeId: string): JsonObject {
  if (!r) return {};
  const list = (entries: Resources["requests"]) => {
    const out: JsonObject = {};
    for (const e of entries) {
      let v: number;
      try {
        v = parseQuantity(e.value);
      } catch {
        errs.add({
          code: "WorkflowBuildError",
          nodeId,
          description: `Failed to parse resource as a valid quantity.: quantities must match the regular expression`,
        });
        continue;
      }
      const name = resourceNames[e.name];
      if (name && v !== 0) out[name] = e.value;
    }
    return out;
  };
  const limits = list(r.limits);
  const requests = list(r.requests);
  return { ...(Object.keys(limits).length ? { limits } : {}), ...(Object.keys(requests).length ? { requests } : {}) };
}

const goDuration = (d: Duration) => formatGoDuration(durationMs(d));

function nodeSpecs(n: Node, tasks: Map<string, boolean>, errs: Errors): JsonObject[] {
  const isSentinel = n.id === "start-node" || n.id === "end-node";
  if (!isSentinel && n.target.case === undefined) {
    errs.add(err.valueRequired(n.id, "target"));
    return [];
  }
  const spec: JsonObject = { id: n.id };
  if (n.metadata?.name) spec.name = n.metadata.name;
  let resources: Resources | undefined;
  const t = n.target;
  if (t.case === "taskNode") {
    const ref = t.value.reference.case === "referenceId" ? t.value.reference.value : undefined;
    const key = ref ? identifierKey(ref) : "";
    if (!tasks.has(key)) {
      errs.add(err.taskReferenceNotFound(n.id, key));
      return [];
    }
    const o = t.value.overrides;
    if (o?.resources) resources = o.resources;
    if (o?.extendedResources) spec.extendedResources = pb(ExtendedResourcesSchema, o.extendedResources);
    if (o?.containerImage) spec.containerImage = o.containerImage;
    if (o?.podTemplate) spec.podTemplate = pb(K8sPodSchema, o.podTemplate);
  }
  spec.resources = k8sResources(resources, errs, n.id);
  const timeout = n.metadata?.timeout;
  if (timeout) {
    spec.executionDeadline = goDuration(timeout);
    spec.activeDeadline = formatGoDuration(2 * durationMs(timeout));
  }
  if (n.metadata?.interruptibleValue.case === "interruptible") spec.interruptible = n.metadata.interruptibleValue.value;
  if (n.outputAliases.length) spec.outputAlias = n.outputAliases.map((a) => pb(AliasSchema, a));
  if (n.inputs.length) spec.inputBindings = n.inputs.map((b) => pb(BindingSchema, b));

  const children: JsonObject[] = [];
  switch (t.case) {
    case "taskNode":
      spec.kind = "task";
      spec.task = identifierKey(t.value.reference.value as Identifier);
      break;
    case "workflowNode": {
      spec.kind = "workflow";
      const ref = t.value.reference;
      if (ref.case === "launchplanRef") spec.workflow = { launchPlanRefId: pb(IdentifierSchema, ref.value) };
      else if (ref.case === "subWorkflowRef") spec.workflow = { subWorkflowRef: identifierKey(ref.value) };
      else errs.add(err.valueRequired(n.id, "WorkflowNode.Reference"));
      break;
    }
    case "branchNode": {
      spec.kind = "branch";
      const ifElse = t.value.ifElse;
      const block = (b: NonNullable<typeof ifElse>["other"][number]) => {
        if (b.thenNode) children.push(...nodeSpecs(b.thenNode, tasks, errs));
        // biome-ignore lint/suspicious/noThenProperty: propeller's BranchNodeSpec field is named "then".
        return { condition: b.condition ? pb(BooleanExpressionSchema, b.condition) : null, then: b.thenNode?.id ?? null };
      };
      // biome-ignore lint/suspicious/noThenProperty: propeller's BranchNodeSpec field is named "then".
      const branch: JsonObject = { if: ifElse?.case ? block(ifElse.case) : { condition: null, then: null } };
      if (ifElse?.default.case === "elseNode") {
        children.push(...nodeSpecs(ifElse.default.value, tasks, errs));
        branch.else = ifElse.default.value.id;
      } else if (ifElse?.default.case === "error") {
        // core.Error has no JSON marshaller in propeller's types: plain Go JSON.
        branch.elseFail = compact({ failed_node_id: ifElse.default.value.failedNodeId, message: ifElse.default.value.message });
      }
      const other = (ifElse?.other ?? []).map(block);
      if (other.length) branch.elseIf = other;
      spec.branch = branch;
      break;
    }
    case "gateNode": {
      spec.kind = "gate";
      const c = t.value.condition;
      if (c.case === "approve") spec.gate = { kind: "approve", approve: pb(ApproveConditionSchema, c.value) };
      else if (c.case === "signal") spec.gate = { kind: "signal", signal: pb(SignalConditionSchema, c.value) };
      else if (c.case === "sleep") spec.gate = { kind: "sleep", sleep: pb(SleepConditionSchema, c.value) };
      else spec.gate = { kind: "" };
      break;
    }
    case "arrayNode": {
      spec.kind = "array";
      const a = t.value;
      const sub = a.node ? nodeSpecs(a.node, tasks, errs)[0] : undefined;
      spec.array = {
        SubNodeSpec: sub ?? null,
        Parallelism: a.parallelismOption.case === "parallelism" ? a.parallelismOption.value : null,
        MinSuccesses: a.successCriteria.case === "minSuccesses" ? a.successCriteria.value : null,
        MinSuccessRatio: a.successCriteria.case === "minSuccessRatio" ? a.successCriteria.value : null,
        BoundInputs: a.boundInputs.length ? a.boundInputs : null,
      };
      break;
    }
    default:
      spec.kind = n.id === "start-node" ? "start" : n.id === "end-node" ? "end" : "";
  }
  return [spec, ...children];
}

/** Retry strategy: the node's retries, else its task's (propeller's minAttempts = retries + 1). */
function retryOf(n: Node, taskRetries: Map<string, number>): JsonObject | undefined {
  const own = n.metadata?.retries?.retries ?? 0;
  if (own !== 0) return { minAttempts: own + 1 };
  if (n.target.case === "taskNode" && n.target.value.reference.case === "referenceId") {
    const r = taskRetries.get(identifierKey(n.target.value.reference.value)) ?? 0;
    if (r !== 0) return { minAttempts: r + 1 };
  }
  return undefined;
}

function workflowSpec(wf: CompiledWorkflow, taskRetries: Map<string, number>, errs: Errors): JsonObject {
  const template = wf.template;
  stripInterface(template?.interface);
  const known = new Map([...taskRetries.keys()].map((k) => [k, true]));
  const nodes: JsonObject = {};
  const add = (list: Node[]) => {
    for (const n of list) {
      const specs = nodeSpecs(n, known, errs);
      // Retries need the node itself (branch children carry their own metadata).
      const all = [n, ...collectChildren(n)];
      for (const s of specs) {
        const source = all.find((x) => x.id === s.id);
        const retry = source ? retryOf(source, taskRetries) : undefined;
        if (retry) s.retry = retry;
        nodes[s.id as string] = s;
      }
    }
  };
  add(template?.nodes ?? []);
  const lists = (m: Record<string, { ids: string[] }> | undefined) => Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, v.ids]));
  const downstream = lists(wf.connections?.downstream);
  const spec: JsonObject = {
    id: `${template?.id?.project ?? ""}:${template?.id?.domain ?? ""}:${template?.id?.name ?? ""}`,
    nodes,
    connections: downstream,
    edges: { downstream, upstream: lists(wf.connections?.upstream) },
  };
  if (template?.failureNode) {
    const [failure] = nodeSpecs(template.failureNode, known, errs);
    if (failure) {
      const retry = retryOf(template.failureNode, taskRetries);
      if (retry) failure.retry = retry;
      spec.onFailure = failure;
    }
  }
  spec.outputs = pb(VariableMapSchema, template?.interface?.outputs ?? create(VariableMapSchema));
  if (template?.outputs.length) spec.outputBindings = template.outputs.map((b) => pb(BindingSchema, b));
  const policy = template?.metadata?.onFailure ?? WorkflowMetadata_OnFailurePolicy.FAIL_IMMEDIATELY;
  if (policy !== WorkflowMetadata_OnFailurePolicy.FAIL_IMMEDIATELY) spec.onFailurePolicy = WorkflowMetadata_OnFailurePolicy[policy];
  return spec;
}

function collectChildren(n: Node): Node[] {
  if (n.target.case === "branchNode") {
    const ie = n.target.value.ifElse;
    const direct = [ie?.case?.thenNode, ...(ie?.other ?? []).map((o) => o.thenNode), ie?.default.case === "elseNode" ? ie.default.value : undefined].filter(
      (x): x is Node => !!x,
    );
    return direct.flatMap((c) => [c, ...collectChildren(c)]);
  }
  if (n.target.case === "arrayNode" && n.target.value.node) return [n.target.value.node];
  return [];
}

/** Every workflow input present with a castable value, nothing unknown (upstream's validateInputs). */
export function checkInputs(iface: TypedInterface | undefined, inputs: LiteralMap, errs: Errors): void {
  const vars = iface?.inputs?.variables;
  if (!vars) {
    errs.add(err.valueRequired("start-node", "interface.InputsRef"));
    return;
  }
  const bound = new Set<string>();
  for (const [name, value] of Object.entries(inputs.literals)) {
    const v = vars[name];
    if (!v) {
      errs.add(err.variableNameNotFound("start-node", "", name));
      continue;
    }
    const t = literalType(value);
    if (!t) {
      errs.add({
        code: "InvalidLiteralType",
        nodeId: "start-node",
        description: `Failed to validate literal type for [${name}] with err: got unknown literal type: [<nil>].`,
      });
      continue;
    }
    if (!v.type || !castable(t, v.type)) {
      errs.add(err.mismatchingTypes("start-node", name, typeText(v.type), typeText(t)));
      continue;
    }
    bound.add(name);
  }
  for (const name of Object.keys(vars)) if (!bound.has(name)) errs.add(err.parameterNotBound("start-node", name));
}

/**
 * The parts of the resource that depend on the closure alone: the same for every execution of one
 * workflow version (with one set of platform defaults), so callers may build them once and share them.
 * Shared parts are never mutated.
 */
export interface WorkflowParts {
  spec: JsonObject;
  tasks: JsonObject;
  subWorkflows: JsonObject;
  workflowName: string;
  interruptible: boolean;
}

/** Builds the closure-only parts; throws CompileErrorList when the closure cannot run. */
export function workflowParts(input: CompiledWorkflowClosure): WorkflowParts {
  const errs = Errors.root();
  // The interfaces are trimmed below; the caller's closure stays as it was.
  const closure = clone(CompiledWorkflowClosureSchema, input);
  const primary = closure.primary;
  const template = primary?.template;
  if (!primary || !template) {
    errs.add(err.valueRequired("root", "wfClosure"));
    throw errs.toError();
  }
  const taskRetries = new Map<string, number>();
  const tasks: JsonObject = {};
  for (const t of closure.tasks) {
    if (!t.template?.id) continue;
    stripInterface(t.template.interface);
    const key = identifierKey(t.template.id);
    taskRetries.set(key, t.template.metadata?.retries?.retries ?? 0);
    tasks[key] = pb(TaskTemplateSchema, t.template);
  }
  const spec = workflowSpec(primary, taskRetries, errs.scope());
  const subWorkflows: JsonObject = {};
  for (const sub of closure.subWorkflows) {
    if (sub.template?.id) subWorkflows[identifierKey(sub.template.id)] = workflowSpec(sub, taskRetries, errs.scope());
  }
  const downstream = (spec.edges as { downstream: Record<string, string[]> }).downstream;
  if ((downstream["start-node"] ?? []).length === 0) errs.add(err.noEntryNode(template.id ? identifierKey(template.id) : "<nil>"));
  if (errs.failed) throw errs.toError();
  return { spec, tasks, subWorkflows, workflowName: template.id?.name ?? "", interruptible: template.metadataDefaults?.interruptible ?? false };
}

/** An object without its empty ("", 0, false, undefined) fields, as Go's omitempty leaves them out. */
export function compact(o: Record<string, JsonValue | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== "" && v !== 0 && v !== false) out[k] = v;
  return out;
}
