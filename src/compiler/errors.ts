// Compile errors as upstream's compiler collects them: a de-duplicated set, listed by code then text,
// and worded "Collected Errors: N / Error i: Code: …, Node Id: …, Description: …". Scopes let a check
// ask "did anything fail under me?" while every error still lands in the one root set.

export type CompileErrorCode =
  | "CycleDetected"
  | "BranchNodeIdNotFound"
  | "BranchNodeHasNoCondition"
  | "BranchNodeHasNoDefault"
  | "ValueRequired"
  | "InvalidValue"
  | "NodeReferenceNotFound"
  | "TaskReferenceNotFound"
  | "WorkflowReferenceNotFound"
  | "VariableNameNotFound"
  | "DuplicateAlias"
  | "DuplicateId"
  | "MismatchingTypes"
  | "MismatchingBindings"
  | "MismatchingInterfaces"
  | "InconsistentTypes"
  | "ParameterBoundMoreThanOnce"
  | "ParameterNotBound"
  | "NoEntryNodeFound"
  | "UnreachableNodes"
  | "UnrecognizedValue"
  | "WorkflowBuildError"
  | "ValueCollision"
  | "SyntaxError"
  | "NoNodesFound"
  | "IllegalEnumValue"
  | "AmbiguousBindingUnionValue"
  | "IncompatibleBindingUnionValue"
  | "NoConditionFound"
  | "FieldNotFound"
  | "InvalidLiteralType";

export interface CompileError {
  code: CompileErrorCode;
  nodeId: string;
  description: string;
}

const errorText = (e: CompileError) => `Code: ${e.code}, Node Id: ${e.nodeId}, Description: ${e.description}`;

/** Everything a compile found wrong; the message is upstream's collected-errors text. */
export class CompileErrorList extends Error {
  override readonly name = "CompileErrorList";
  constructor(readonly errors: CompileError[]) {
    super(`Collected Errors: ${errors.length}\n${errors.map((e, i) => `\tError ${i}: ${errorText(e)}\n`).join("")}`);
  }
}

/** A collecting scope: `failed` is true when this scope or one below it collected an error. */
export class Errors {
  private readonly root: Map<string, CompileError>;
  private count = 0;
  private constructor(
    private readonly parent: Errors | undefined,
    root?: Map<string, CompileError>,
  ) {
    this.root = root ?? new Map();
  }

  static root(): Errors {
    return new Errors(undefined);
  }

  scope(): Errors {
    return new Errors(this, this.root);
  }

  add(e: CompileError): void {
    this.root.set(`${e.code}\u0000${errorText(e)}`, e);
    for (let s: Errors | undefined = this; s; s = s.parent) s.count++;
  }

  get failed(): boolean {
    return this.count > 0;
  }

  /** The collected set, ordered as upstream lists it (code, then text). */
  list(): CompileError[] {
    return [...this.root.values()].sort((a, b) =>
      a.code === b.code ? (errorText(a) < errorText(b) ? -1 : errorText(a) > errorText(b) ? 1 : 0) : a.code < b.code ? -1 : 1,
    );
  }

  toError(): CompileErrorList {
    return new CompileErrorList(this.list());
  }
}

// One constructor per upstream error, worded as upstream words it.
const e = (code: CompileErrorCode, nodeId: string, description: string): CompileError => ({ code, nodeId, description });
export const err = {
  valueRequired: (nodeId: string, param: string) => e("ValueRequired", nodeId, `Value required [${param}].`),
  invalidValue: (nodeId: string, param: string) => e("InvalidValue", nodeId, `Invalid value [${param}].`),
  unrecognizedValue: (nodeId: string, value: string) => e("UnrecognizedValue", nodeId, `Unrecognized value [${value}].`),
  branchNodeNotSpecified: (nodeId: string) => e("BranchNodeIdNotFound", nodeId, "BranchNode not assigned"),
  branchNodeHasNoCondition: (nodeId: string) => e("BranchNodeHasNoCondition", nodeId, "One of the branches on the node doesn't have a condition."),
  branchNodeHasNoDefault: (nodeId: string) => e("BranchNodeHasNoDefault", nodeId, "Branch Node must have either the else case set or a default error."),
  parameterNotBound: (nodeId: string, param: string) => e("ParameterNotBound", nodeId, `Parameter not bound [${param}].`),
  nodeReferenceNotFound: (nodeId: string, ref: string) => e("NodeReferenceNotFound", nodeId, `Referenced node [${ref}] not found.`),
  workflowReferenceNotFound: (nodeId: string, ref: string) => e("WorkflowReferenceNotFound", nodeId, `Referenced Workflow [${ref}] not found.`),
  taskReferenceNotFound: (nodeId: string, ref: string) => e("TaskReferenceNotFound", nodeId, `Referenced Task [${ref}] not found.`),
  variableNameNotFound: (nodeId: string, ref: string, variable: string) =>
    e("VariableNameNotFound", nodeId, `Variable [${variable}] not found on node [${ref}].`),
  parameterBoundMoreThanOnce: (nodeId: string, param: string) => e("ParameterBoundMoreThanOnce", nodeId, `Input [${param}] is bound more than once.`),
  duplicateAlias: (nodeId: string, alias: string) =>
    e("DuplicateAlias", nodeId, `Duplicate alias [${alias}] found. An output alias can only be used once in the Workflow.`),
  duplicateId: (nodeId: string) => e("DuplicateId", nodeId, "Trying to insert two nodes with the same id."),
  mismatchingTypes: (nodeId: string, fromVar: string, fromType: string, toType: string) =>
    e("MismatchingTypes", nodeId, `Variable [${fromVar}] (type [${fromType}]) doesn't match expected type [${toType}].`),
  mismatchingVariables: (nodeId: string, fromVar: string, fromType: string, toVar: string, toType: string) =>
    e(
      "MismatchingTypes",
      nodeId,
      `The output variable '${fromVar}' has type [${fromType}], but it's assigned to the input variable '${toVar}' which has type type [${toType}].`,
    ),
  mismatchingBindings: (nodeId: string, param: string, expected: string, received: string) =>
    e("MismatchingBindings", nodeId, `Input [${param}] on node [${nodeId}] expects bindings of type [${expected}].  Received [${received}]`),
  fieldNotFound: (nodeId: string, fromVar: string, fromType: string, key: string) =>
    e("FieldNotFound", nodeId, `Variable [${fromVar}] (type [${fromType}]) doesn't have field [${key}].`),
  illegalEnumValue: (nodeId: string, param: string, received: string, expected: string[]) =>
    e(
      "IllegalEnumValue",
      nodeId,
      `Input [${param}] on node [${nodeId}] is an Enum and expects value to be one of [[${expected.join(" ")}]].  Received [${received}]`,
    ),
  noEntryNode: (graphId: string) => e("NoEntryNodeFound", graphId, `Can't find a node to start executing Workflow [${graphId}].`),
  cycleDetected: (nodeId: string, cycle: string) => e("CycleDetected", nodeId, `A cycle has been detected while traversing the Workflow [${cycle}].`),
  unreachableNodes: (nodeId: string, nodes: string) => e("UnreachableNodes", nodeId, `The Workflow contain unreachable nodes [${nodes}].`),
  syntaxError: (nodeId: string, element: string) => e("SyntaxError", nodeId, `Failed to parse element [${element}].`),
  noNodesFound: (graphId: string) => e("NoNodesFound", graphId, `Can't find any nodes in workflow [${graphId}].`),
  ambiguousUnion: (nodeId: string, param: string, expected: string, binding: string, m1: string, m2: string) =>
    e(
      "AmbiguousBindingUnionValue",
      nodeId,
      `Input [${param}] on node [${nodeId}] expects bindings of union type [${expected}].  Received [${binding}] which is ambiguous as both variants [${m1}] and [${m2}] match.`,
    ),
  incompatibleUnion: (nodeId: string, param: string, expected: string, binding: string) =>
    e(
      "IncompatibleBindingUnionValue",
      nodeId,
      `Input [${param}] on node [${nodeId}] expects bindings of union type [${expected}].  Received [${binding}] which does not match any of the variants.`,
    ),
  noConditionFound: (nodeId: string) => e("NoConditionFound", nodeId, `Can't find any condition in gate node [${nodeId}].`),
};
