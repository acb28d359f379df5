// Small builders for compiler tests: typed tasks, nodes and bindings in the shape pyflyte writes them.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { CompiledTaskSchema, type CompiledTask } from "../../src/gen/flyteidl/core/compiler_pb";
import { ResourceType } from "../../src/gen/flyteidl/core/identifier_pb";
import { LiteralTypeSchema, SimpleType } from "../../src/gen/flyteidl/core/types_pb";
import { BindingSchema, type Binding } from "../../src/gen/flyteidl/core/literals_pb";
import { NodeSchema, WorkflowTemplateSchema, type Node, type WorkflowTemplate } from "../../src/gen/flyteidl/core/workflow_pb";
import { CompileErrorList } from "../../src/compiler/errors";

export type TypeInit = MessageInitShape<typeof LiteralTypeSchema>;
export const int: TypeInit = { type: { case: "simple", value: SimpleType.INTEGER } };
export const float: TypeInit = { type: { case: "simple", value: SimpleType.FLOAT } };
export const str: TypeInit = { type: { case: "simple", value: SimpleType.STRING } };
export const none: TypeInit = { type: { case: "simple", value: SimpleType.NONE } };
export const listOf = (t: TypeInit): TypeInit => ({ type: { case: "collectionType", value: t } });
export const mapOf = (t: TypeInit): TypeInit => ({ type: { case: "mapValueType", value: t } });
export const unionOf = (...variants: TypeInit[]): TypeInit => ({ type: { case: "unionType", value: { variants } } });
export const enumOf = (...values: string[]): TypeInit => ({ type: { case: "enumType", value: { values } } });
export const lt = (t: TypeInit) => create(LiteralTypeSchema, t);

const scope = { project: "p", domain: "d", version: "v1" };
export const taskId = (name: string) => ({ resourceType: ResourceType.TASK, ...scope, name });
export const wfId = (name: string) => ({ resourceType: ResourceType.WORKFLOW, ...scope, name });
export const lpId = (name: string) => ({ resourceType: ResourceType.LAUNCH_PLAN, ...scope, name });

const vars = (m: Record<string, TypeInit>) => ({ variables: Object.fromEntries(Object.entries(m).map(([k, type]) => [k, { type, description: k }])) });

export function task(name: string, inputs: Record<string, TypeInit>, outputs: Record<string, TypeInit>): CompiledTask {
  return create(CompiledTaskSchema, {
    template: {
      id: taskId(name),
      type: "python-task",
      interface: { inputs: vars(inputs), outputs: vars(outputs) },
      target: { case: "container", value: { image: "img", args: ["pyflyte-execute"] } },
    },
  });
}

type BindingValue = MessageInitShape<typeof BindingSchema>["binding"];
export const promise = (nodeId: string, v: string, attrPath: string[] = []): BindingValue => ({
  value: { case: "promise", value: { nodeId, var: v, attrPath: attrPath.map((a) => ({ value: { case: "stringValue" as const, value: a } })) } },
});
export const intLit = (i: number): BindingValue => ({
  value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "integer", value: BigInt(i) } } } } },
});
export const strLit = (s: string): BindingValue => ({
  value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "stringValue", value: s } } } } },
});
export const collection = (...bindings: BindingValue[]): BindingValue => ({ value: { case: "collection", value: { bindings: bindings as never } } });
export const bind = (v: string, binding: BindingValue): Binding => create(BindingSchema, { var: v, binding });

export function taskNode(
  id: string,
  taskName: string,
  inputs: Binding[] = [],
  more: { upstreamNodeIds?: string[]; outputAliases?: Array<{ var: string; alias: string }> } = {},
): Node {
  return create(NodeSchema, {
    id,
    metadata: { name: taskName },
    inputs,
    target: { case: "taskNode", value: { reference: { case: "referenceId", value: taskId(taskName) } } },
    ...more,
  });
}

export function workflow(
  name: string,
  o: { inputs?: Record<string, TypeInit>; outputs?: Record<string, TypeInit>; nodes: Node[]; bindOutputs?: Binding[]; failureNode?: Node },
): WorkflowTemplate {
  return create(WorkflowTemplateSchema, {
    id: wfId(name),
    metadata: {},
    interface: { inputs: vars(o.inputs ?? {}), outputs: vars(o.outputs ?? {}) },
    nodes: o.nodes,
    outputs: o.bindOutputs ?? [],
    failureNode: o.failureNode,
    metadataDefaults: {},
  });
}

/** The codes of the errors a compile threw (fails the test if it did not throw). */
export function codesOf(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof CompileErrorList) return e.errors.map((x) => x.code);
    throw e;
  }
  throw new Error("expected the compile to fail");
}

export function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected the compile to fail");
}
