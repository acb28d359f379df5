// The workflow compiler: pyflyte-shaped workflows that must compile (with the closure upstream builds),
// and one table row per compile error code the workflow compiler raises.
import { describe, expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { NodeSchema, type Node } from "../../src/gen/flyteidl/core/workflow_pb";
import { ParameterMapSchema, VariableMapSchema } from "../../src/gen/flyteidl/core/interface_pb";
import { SimpleType } from "../../src/gen/flyteidl/core/types_pb";
import { IdentifierSchema } from "../../src/gen/flyteidl/core/identifier_pb";
import { compileWorkflow, type LaunchPlanInterface } from "../../src/compiler/workflow";
import { workflowRequirements } from "../../src/compiler/requirements";
import {
  bind,
  codesOf,
  collection,
  enumOf,
  float,
  int,
  intLit,
  listOf,
  lpId,
  messageOf,
  none,
  promise,
  str,
  strLit,
  task,
  taskId,
  taskNode,
  unionOf,
  wfId,
  workflow,
} from "./helpers";

const tasks = [
  task("t_int", { a: int }, { o0: int }),
  task("t_str", { s: str }, { o0: str }),
  task("t_none", {}, {}),
  task("t_list", { xs: listOf(int) }, { o0: listOf(int) }),
  task("t_enum", { e: enumOf("red", "green") }, { o0: str }),
  task("t_opt", { a: int, maybe: unionOf(int, none) }, { o0: int }),
  task("t_union", { u: unionOf(listOf(int), listOf(unionOf(int, str))) }, {}),
  task("t_ustr", { u: unionOf(int, str) }, {}),
];
const lp: LaunchPlanInterface = {
  id: create(IdentifierSchema, lpId("child_lp")),
  expectedInputs: create(ParameterMapSchema, {
    parameters: {
      a: { var: { type: int }, behavior: { case: "required", value: true } },
      b: {
        var: { type: str },
        behavior: {
          case: "default",
          value: { value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "stringValue", value: "x" } } } } } },
        },
      },
    },
  }),
  expectedOutputs: create(VariableMapSchema, { variables: { o0: { type: int } } }),
};

const chain = () =>
  workflow("wf", {
    inputs: { a: int },
    outputs: { o0: int },
    nodes: [
      taskNode("n0", "t_int", [bind("a", promise("start-node", "a"))]),
      taskNode("n1", "t_int", [bind("a", promise("n0", "o0"))], { upstreamNodeIds: ["n0"] }),
    ],
    bindOutputs: [bind("o0", promise("n1", "o0"))],
  });

describe("workflows that compile", () => {
  test("a pyflyte chain: start and end nodes first, edges from bindings, sorted id lists", () => {
    const c = compileWorkflow(chain(), [], tasks, []);
    const t = c.primary?.template;
    expect(t?.nodes.map((n) => n.id)).toEqual(["start-node", "end-node", "n0", "n1"]);
    const ids = (m: Record<string, { ids: string[] }> | undefined) => Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, v.ids]));
    expect(ids(c.primary?.connections?.downstream)).toEqual({ "start-node": ["n0"], n0: ["n1"], n1: ["end-node"] });
    expect(ids(c.primary?.connections?.upstream)).toEqual({ n0: ["start-node"], n1: ["n0"], "end-node": ["n1"] });
    expect(t?.nodes[1].inputs.map((b) => b.var)).toEqual(["o0"]); // end-node consumes the outputs
    expect(c.tasks.length).toBe(tasks.length);
  });

  test("requirements name the tasks and launch plans a workflow uses", () => {
    const wf = workflow("wf", {
      nodes: [
        taskNode("n0", "t_none"),
        create(NodeSchema, {
          id: "n1",
          inputs: [bind("a", intLit(1))],
          target: { case: "workflowNode", value: { reference: { case: "launchplanRef", value: lpId("child_lp") } } },
        }),
      ],
    });
    const r = workflowRequirements(wf, []);
    expect(r.taskIds.map((i) => i.name)).toEqual(["t_none"]);
    expect(r.launchPlanIds.map((i) => i.name)).toEqual(["child_lp"]);
  });

  test("nodes that need nothing start with the workflow and are awaited by the end node", () => {
    const c = compileWorkflow(workflow("wf", { nodes: [taskNode("b", "t_none"), taskNode("a", "t_none")] }), [], tasks, []);
    expect(c.primary?.connections?.downstream["start-node"].ids).toEqual(["a", "b"]);
    expect(c.primary?.connections?.upstream["end-node"].ids).toEqual(["a", "b"]);
  });

  test("a promise with an empty node id reads the workflow inputs; upstream ids are sorted", () => {
    const wf = workflow("wf", {
      inputs: { a: int },
      nodes: [taskNode("z", "t_none"), taskNode("y", "t_none"), taskNode("x", "t_int", [bind("a", promise("", "a"))], { upstreamNodeIds: ["z", "y"] })],
    });
    const c = compileWorkflow(wf, [], tasks, []);
    const x = c.primary?.template?.nodes.find((n) => n.id === "x");
    expect(x?.inputs[0].binding?.value.case === "promise" && x.inputs[0].binding.value.value.nodeId).toBe("start-node");
    expect(x?.upstreamNodeIds).toEqual(["y", "z"]);
  });

  test("optional inputs may stay unbound; enum values and collections of literals bind", () => {
    const wf = workflow("wf", {
      nodes: [
        taskNode("n0", "t_opt", [bind("a", intLit(3))]),
        taskNode("n1", "t_enum", [bind("e", strLit("green"))]),
        taskNode("n2", "t_list", [bind("xs", collection(intLit(1), intLit(2)))]),
        taskNode("n3", "t_ustr", [bind("u", strLit("s"))]),
      ],
    });
    expect(compileWorkflow(wf, [], tasks, []).primary?.template?.nodes.length).toBe(6);
  });

  test("output aliases rename what downstream nodes read; an index reads one element of a list", () => {
    const wf = workflow("wf", {
      nodes: [
        taskNode("n0", "t_int", [bind("a", intLit(1))], { outputAliases: [{ var: "o0", alias: "renamed" }] }),
        taskNode("n1", "t_int", [bind("a", promise("n0", "renamed"))]),
        taskNode("n2", "t_list", [bind("xs", collection(intLit(1)))]),
        taskNode("n3", "t_int", [bind("a", promise("n2", "[0].o0"))]),
      ],
    });
    expect(() => compileWorkflow(wf, [], tasks, [])).not.toThrow();
  });

  test("a branch as pyflyte writes `conditional`: cases renamed, outputs common to every case", () => {
    const caseNode = (id: string) => taskNode(id, "t_int", [bind("a", promise("start-node", "a"))]);
    const branch = create(NodeSchema, {
      id: "n0",
      inputs: [bind(".a", promise("start-node", "a"))],
      target: {
        case: "branchNode",
        value: {
          ifElse: {
            case: {
              condition: {
                expr: {
                  case: "comparison",
                  value: {
                    operator: 4,
                    leftValue: { val: { case: "var", value: ".a" } },
                    rightValue: { val: { case: "primitive", value: { value: { case: "integer", value: 5n } } } },
                  },
                },
              },
              thenNode: caseNode("n0"),
            },
            default: { case: "elseNode", value: caseNode("n1") },
          },
        },
      },
    });
    const wf = workflow("wf", { inputs: { a: int }, outputs: { o0: int }, nodes: [branch], bindOutputs: [bind("o0", promise("n0", "o0"))] });
    const c = compileWorkflow(wf, [], tasks, []);
    const b = c.primary?.template?.nodes.find((n) => n.id === "n0");
    const ifElse = b?.target.case === "branchNode" ? b.target.value.ifElse : undefined;
    expect(ifElse?.case?.thenNode?.id).toBe("n0-n0");
    expect(ifElse?.default.case === "elseNode" && ifElse.default.value.id).toBe("n0-n1");
    expect(c.primary?.connections?.upstream["n0-n0"].ids).toEqual(["start-node"]);
    expect(c.primary?.connections?.downstream.n0.ids).toEqual(["end-node"]);
  });

  test("sub-workflows compile into the closure; launch plan nodes expose required and overridden inputs", () => {
    const sub = workflow("sub", {
      inputs: { a: int },
      outputs: { o0: int },
      nodes: [taskNode("s0", "t_int", [bind("a", promise("start-node", "a"))])],
      bindOutputs: [bind("o0", promise("s0", "o0"))],
    });
    const wf = workflow("wf", {
      nodes: [
        create(NodeSchema, {
          id: "n0",
          inputs: [bind("a", intLit(1))],
          target: { case: "workflowNode", value: { reference: { case: "subWorkflowRef", value: wfId("sub") } } },
        }),
        create(NodeSchema, {
          id: "n1",
          inputs: [bind("a", promise("n0", "o0")), bind("b", strLit("y"))],
          target: { case: "workflowNode", value: { reference: { case: "launchplanRef", value: lpId("child_lp") } } },
        }),
      ],
    });
    const c = compileWorkflow(wf, [sub], tasks, [lp]);
    expect(c.subWorkflows[0].template?.nodes.map((n) => n.id)).toEqual(["start-node", "end-node", "s0"]);
    expect(c.subWorkflows[0].connections?.downstream.s0.ids).toEqual(["end-node"]);
    // Not binding the required input of the launch plan is an error.
    const missing = workflow("wf", {
      nodes: [create(NodeSchema, { id: "n1", target: { case: "workflowNode", value: { reference: { case: "launchplanRef", value: lpId("child_lp") } } } })],
    });
    expect(codesOf(() => compileWorkflow(missing, [], tasks, [lp]))).toEqual(["ParameterNotBound"]);
  });

  test("gate nodes: approve passes its bindings through, signal outputs its variable, sleep has none", () => {
    const wf = workflow("wf", {
      inputs: { a: int },
      nodes: [
        create(NodeSchema, {
          id: "approve",
          inputs: [bind("a", promise("start-node", "a"))],
          target: { case: "gateNode", value: { condition: { case: "approve", value: { signalId: "ok" } } } },
        }),
        create(NodeSchema, {
          id: "signal",
          target: { case: "gateNode", value: { condition: { case: "signal", value: { signalId: "s", type: int, outputVariableName: "o0" } } } },
        }),
        create(NodeSchema, { id: "sleep", target: { case: "gateNode", value: { condition: { case: "sleep", value: { duration: { seconds: 5n } } } } } }),
        taskNode("n0", "t_int", [bind("a", promise("approve", "a"))]),
        taskNode("n1", "t_int", [bind("a", promise("signal", "o0"))], { upstreamNodeIds: ["sleep"] }),
      ],
    });
    const c = compileWorkflow(wf, [], tasks, []);
    expect(c.primary?.connections?.downstream.sleep.ids).toEqual(["n1"]);
  });

  test("an array node (map task) takes its sub-node's interface; a failure node only adds upstream edges", () => {
    const wf = workflow("wf", {
      inputs: { xs: listOf(int) },
      nodes: [
        create(NodeSchema, {
          id: "map",
          inputs: [bind("xs", promise("start-node", "xs"))],
          target: { case: "arrayNode", value: { node: taskNode("map-sub", "t_list"), parallelismOption: { case: "parallelism", value: 2 } } },
        }),
      ],
      failureNode: taskNode("fn", "t_int", [bind("a", intLit(0))]),
    });
    const c = compileWorkflow(wf, [], tasks, []);
    expect(c.primary?.connections?.upstream.map.ids).toEqual(["start-node"]);
    expect(c.primary?.connections?.downstream.fn).toBeUndefined();
  });

  test("duplicate node ids: the first wins and the compile is unaffected", () => {
    const wf = workflow("wf", { nodes: [taskNode("n0", "t_none"), taskNode("n0", "t_none")] });
    expect(compileWorkflow(wf, [], tasks, []).primary?.template?.nodes.map((n) => n.id)).toEqual(["start-node", "end-node", "n0"]);
  });
});

const branchWith = (ifElse: Record<string, unknown>): Node =>
  create(NodeSchema, { id: "b", target: { case: "branchNode", value: { ifElse: ifElse as never } } });
const cond = {
  expr: {
    case: "comparison",
    value: {
      leftValue: { val: { case: "primitive", value: { value: { case: "integer", value: 1n } } } },
      rightValue: { val: { case: "primitive", value: { value: { case: "integer", value: 1n } } } },
    },
  },
};

// One row per error code the workflow compiler raises. (InvalidValue and UnrecognizedValue for resources
// come from the task compiler; MismatchingInterfaces, InconsistentTypes, NoEntryNodeFound, ValueCollision
// and WorkflowBuildError are declared upstream but raised by no workflow compile path.)
const cases: Array<[string, () => unknown, string?]> = [
  ["NoNodesFound", () => compileWorkflow(workflow("wf", { nodes: [] }), [], tasks, []), "Can't find any nodes in workflow"],
  ["TaskReferenceNotFound", () => compileWorkflow(workflow("wf", { nodes: [taskNode("n0", "missing")] }), [], tasks, []), "Referenced Task"],
  [
    "WorkflowReferenceNotFound",
    () =>
      compileWorkflow(
        workflow("wf", {
          nodes: [create(NodeSchema, { id: "n0", target: { case: "workflowNode", value: { reference: { case: "launchplanRef", value: lpId("nope") } } } })],
        }),
        [],
        tasks,
        [],
      ),
    "Referenced Workflow",
  ],
  [
    "DuplicateId",
    () => compileWorkflow(chain(), [workflow("s", { nodes: [taskNode("a", "t_none")] }), workflow("s", { nodes: [taskNode("a", "t_none")] })], tasks, []),
  ],
  ["ValueRequired", () => compileWorkflow(workflow("wf", { nodes: [create(NodeSchema, { id: "n0" })] }), [], tasks, []), "Value required [Target]."],
  ["NodeReferenceNotFound", () => compileWorkflow(workflow("wf", { nodes: [taskNode("n0", "t_int", [bind("a", promise("ghost", "o0"))])] }), [], tasks, [])],
  [
    "VariableNameNotFound",
    () => compileWorkflow(workflow("wf", { nodes: [taskNode("n0", "t_int", [bind("a", intLit(1)), bind("zz", intLit(1))])] }), [], tasks, []),
  ],
  [
    "ParameterBoundMoreThanOnce",
    () => compileWorkflow(workflow("wf", { nodes: [taskNode("n0", "t_int", [bind("a", intLit(1)), bind("a", intLit(2))])] }), [], tasks, []),
  ],
  ["ParameterNotBound", () => compileWorkflow(workflow("wf", { nodes: [taskNode("n0", "t_int")] }), [], tasks, []), "Parameter not bound [a]."],
  [
    "DuplicateAlias",
    () =>
      compileWorkflow(
        workflow("wf", {
          nodes: [
            taskNode("n0", "t_int", [bind("a", intLit(1))], {
              outputAliases: [
                { var: "o0", alias: "x" },
                { var: "o0", alias: "y" },
              ],
            }),
          ],
        }),
        [],
        tasks,
        [],
      ),
  ],
  [
    "MismatchingTypes",
    () =>
      compileWorkflow(
        workflow("wf", { nodes: [taskNode("n0", "t_str", [bind("s", strLit("x"))]), taskNode("n1", "t_int", [bind("a", promise("n0", "o0"))])] }),
        [],
        tasks,
        [],
      ),
    "The output variable 't_str.o0' has type [simple:STRING], but it's assigned to the input variable 't_int.a' which has type type [simple:INTEGER].",
  ],
  ["MismatchingBindings", () => compileWorkflow(workflow("wf", { nodes: [taskNode("n0", "t_int", [bind("a", collection(intLit(1)))])] }), [], tasks, [])],
  [
    "IllegalEnumValue",
    () => compileWorkflow(workflow("wf", { nodes: [taskNode("n0", "t_enum", [bind("e", strLit("blue"))])] }), [], tasks, []),
    "[[red green]]",
  ],
  [
    "SyntaxError",
    () => compileWorkflow(workflow("wf", { inputs: { a: int }, nodes: [taskNode("n0", "t_int", [bind("a", promise("start-node", "a.b"))])] }), [], tasks, []),
  ],
  [
    "UnrecognizedValue",
    () =>
      compileWorkflow(
        workflow("wf", {
          nodes: [taskNode("n0", "t_int", [bind("a", { value: { case: "scalar", value: { value: { case: "blob", value: { uri: "s3://x" } } } } })])],
        }),
        [],
        tasks,
        [],
      ),
  ],
  [
    "AmbiguousBindingUnionValue",
    () => compileWorkflow(workflow("wf", { nodes: [taskNode("n0", "t_union", [bind("u", collection(intLit(1)))])] }), [], tasks, []),
  ],
  [
    "IncompatibleBindingUnionValue",
    () => compileWorkflow(workflow("wf", { nodes: [taskNode("n0", "t_ustr", [bind("u", collection(intLit(1)))])] }), [], tasks, []),
  ],
  [
    "NoConditionFound",
    () => compileWorkflow(workflow("wf", { nodes: [create(NodeSchema, { id: "g", target: { case: "gateNode", value: {} } })] }), [], tasks, []),
  ],
  [
    "FieldNotFound",
    () => {
      const dc = { type: { case: "simple" as const, value: SimpleType.STRUCT }, structure: { dataclassType: { x: int } } };
      const t = [...tasks, task("t_dc", {}, { o0: dc })];
      return compileWorkflow(workflow("wf", { nodes: [taskNode("n0", "t_dc"), taskNode("n1", "t_int", [bind("a", promise("n0", "o0", ["y"]))])] }), [], t, []);
    },
    "doesn't have field [y]",
  ],
  [
    "BranchNodeHasNoCondition",
    () =>
      compileWorkflow(
        workflow("wf", { nodes: [branchWith({ case: { thenNode: taskNode("t", "t_none") }, default: { case: "error", value: {} } })] }),
        [],
        tasks,
        [],
      ),
  ],
  [
    "BranchNodeHasNoDefault",
    () => compileWorkflow(workflow("wf", { nodes: [branchWith({ case: { condition: cond, thenNode: taskNode("t", "t_none") } })] }), [], tasks, []),
  ],
  [
    "BranchNodeIdNotFound",
    () =>
      compileWorkflow(
        workflow("wf", {
          nodes: [
            branchWith({ case: { condition: cond, thenNode: taskNode("t", "t_none") }, other: [{ condition: cond }], default: { case: "error", value: {} } }),
          ],
        }),
        [],
        tasks,
        [],
      ),
  ],
  [
    "CycleDetected",
    () =>
      compileWorkflow(
        workflow("wf", {
          inputs: { a: int },
          nodes: [
            taskNode("a", "t_int", [bind("a", promise("start-node", "a"))], { upstreamNodeIds: ["b"] }),
            taskNode("b", "t_none", [], { upstreamNodeIds: ["a"] }),
          ],
        }),
        [],
        tasks,
        [],
      ),
    "[start-node>a>b>a]",
  ],
  [
    "UnreachableNodes",
    () =>
      compileWorkflow(
        workflow("wf", { nodes: [taskNode("a", "t_none", [], { upstreamNodeIds: ["b"] }), taskNode("b", "t_none", [], { upstreamNodeIds: ["a"] })] }),
        [],
        tasks,
        [],
      ),
    "The Workflow contain unreachable nodes [a,b].", // a cycle nothing leads into is unreachable, not a cycle
  ],
];

describe("compile errors, one per code", () => {
  for (const [code, run, text] of cases) {
    test(code, () => {
      expect(codesOf(run)).toContain(code);
      if (text) expect(messageOf(run)).toContain(text);
    });
  }

  test("errors are collected, not fail-fast, and worded as upstream lists them", () => {
    const wf = workflow("wf", { nodes: [taskNode("n0", "t_int"), taskNode("n1", "t_str", [bind("s", intLit(1))])] });
    const msg = messageOf(() => compileWorkflow(wf, [], tasks, []));
    expect(msg).toBe(
      "Collected Errors: 2\n" +
        "\tError 0: Code: MismatchingTypes, Node Id: n1, Description: Variable [s] (type [simple:INTEGER]) doesn't match expected type [simple:STRING].\n" +
        "\tError 1: Code: ParameterNotBound, Node Id: n0, Description: Parameter not bound [a].\n",
    );
  });

  test("a float output does not flow into an int input", () => {
    const t = [...tasks, task("t_float", {}, { o0: float })];
    const wf = workflow("wf", { nodes: [taskNode("n0", "t_float"), taskNode("n1", "t_int", [bind("a", promise("n0", "o0"))])] });
    expect(codesOf(() => compileWorkflow(wf, [], t, []))).toEqual(["MismatchingTypes"]);
  });

  test("a missing sub-workflow is found while gathering requirements", () => {
    const wf = workflow("wf", {
      nodes: [create(NodeSchema, { id: "n0", target: { case: "workflowNode", value: { reference: { case: "subWorkflowRef", value: wfId("gone") } } } })],
    });
    expect(codesOf(() => workflowRequirements(wf, []))).toEqual(["WorkflowReferenceNotFound"]);
    expect(taskId("x").name).toBe("x");
  });
});
