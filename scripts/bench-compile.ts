// Workflow compile scaling (not a test): generated pyflyte-shaped workflows of 10, 100, 1,000 and 5,000
// nodes, each node binding the previous node's output and one from halfway back (a chain with fan-out),
// compiled in-process. Prints the median compile time and the cost per node, which should stay flat.
//   bun scripts/bench-compile.ts       (also run by scripts/bench-register.ts)
import { create } from "@bufbuild/protobuf";
import { CompiledTaskSchema } from "../src/gen/flyteidl/core/compiler_pb";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { SimpleType } from "../src/gen/flyteidl/core/types_pb";
import { WorkflowTemplateSchema, type WorkflowTemplate } from "../src/gen/flyteidl/core/workflow_pb";
import { compileWorkflow } from "../src/compiler/workflow";

const int = { type: { case: "simple" as const, value: SimpleType.INTEGER } };
const taskId = { resourceType: ResourceType.TASK, project: "p", domain: "d", name: "bench.add", version: "v1" };
const tasks = [
  create(CompiledTaskSchema, {
    template: {
      id: taskId,
      type: "python-task",
      interface: { inputs: { variables: { a: { type: int }, b: { type: int } } }, outputs: { variables: { o0: { type: int } } } },
      target: { case: "container", value: { image: "img", args: ["pyflyte-execute"] } },
    },
  }),
];

function generated(n: number): WorkflowTemplate {
  const promise = (nodeId: string, v: string) => ({ value: { case: "promise" as const, value: { nodeId, var: v } } });
  const from = (i: number) => (i < 0 ? promise("start-node", "x") : promise(`n${i}`, "o0"));
  return create(WorkflowTemplateSchema, {
    id: { resourceType: ResourceType.WORKFLOW, project: "p", domain: "d", name: `bench.wf${n}`, version: "v1" },
    interface: { inputs: { variables: { x: { type: int } } }, outputs: { variables: { o0: { type: int } } } },
    nodes: Array.from({ length: n }, (_, i) => ({
      id: `n${i}`,
      metadata: { name: "add" },
      inputs: [
        { var: "a", binding: from(i - 1) },
        { var: "b", binding: from(Math.floor(i / 2) - 1) },
      ],
      target: { case: "taskNode" as const, value: { reference: { case: "referenceId" as const, value: taskId } } },
    })),
    outputs: [{ var: "o0", binding: from(n - 1) }],
  });
}

export function compileScaling(sizes = [10, 100, 1_000, 5_000]): Array<{ nodes: number; ms: number; perNodeUs: number }> {
  const rows = [];
  for (const n of sizes) {
    const template = generated(n);
    const runs = Math.max(5, Math.min(200, Math.floor(20_000 / n)));
    compileWorkflow(template, [], tasks, []); // warm-up
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t = performance.now();
      compileWorkflow(template, [], tasks, []);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const ms = times[Math.floor(times.length / 2)];
    rows.push({ nodes: n, ms, perNodeUs: (ms * 1000) / n });
  }
  return rows;
}

export function printCompileScaling(): void {
  console.log("| workflow nodes | compile (median) | per node |\n|---|---|---|");
  for (const r of compileScaling()) {
    console.log(`| ${r.nodes.toLocaleString("en-US")} | ${r.ms.toFixed(2)} ms | ${r.perNodeUs.toFixed(1)} µs |`);
  }
}

if (import.meta.main) printCompileScaling();
