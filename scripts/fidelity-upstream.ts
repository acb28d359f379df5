// Fidelity check against upstream's own compiler fixtures (not a test; nothing of upstream is kept in
// this repository). Point it at flytepropeller/pkg/compiler/test/testdata of a flyte checkout at v1.16.8:
//   bun scripts/fidelity-upstream.ts <path-to-testdata>
// For every fixture it (1) compiles the workflow closure with our compiler and compares the result with
// upstream's compiled closure, and (2) builds the FlyteWorkflow resource from upstream's compiled
// closure and compares it with upstream's resource, field by field. Prints the differences and a count.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { create, equals, fromBinary, fromJson, fromJsonString, toJson, type JsonValue } from "@bufbuild/protobuf";
import { TaskSpecSchema } from "../src/gen/flyteidl/admin/task_pb";
import { WorkflowExecutionConfigSchema } from "../src/gen/flyteidl/admin/matchable_resource_pb";
import { WorkflowClosureSchema } from "../src/gen/flyteidl/core/workflow_closure_pb";
import { CompiledWorkflowClosureSchema, type CompiledTask } from "../src/gen/flyteidl/core/compiler_pb";
import { LiteralMapSchema } from "../src/gen/flyteidl/core/literals_pb";
import { compileTask } from "../src/compiler/task";
import { compileWorkflow } from "../src/compiler/workflow";
import { identifierKey, workflowRequirements } from "../src/compiler/requirements";
import { buildFlyteWorkflow } from "../src/cluster/flyteworkflow";
import { canonicalJson, diffLines } from "../src/kernel/digest";

const root = process.argv[2];
if (!root || !existsSync(root)) {
  console.error("usage: bun scripts/fidelity-upstream.ts <flytepropeller/pkg/compiler/test/testdata>");
  process.exit(2);
}
const tally = { compiled: [0, 0], resources: [0, 0] };
const report = (kind: keyof typeof tally, name: string, diff: string[]) => {
  tally[kind][diff.length === 0 ? 0 : 1]++;
  if (diff.length) console.log(`${kind} ${name}: ${diff.slice(0, 4).join(" | ").slice(0, 500)}`);
};

for (const dir of readdirSync(root).filter((d) => existsSync(join(root, d, "compiled")))) {
  const d = join(root, dir);
  const stems = readdirSync(d)
    .filter((f) => f.endsWith(".pb"))
    .map((f) => f.slice(0, -3));
  // Upstream's test adds three config entries to every container task before compiling it.
  const tasks = new Map<string, CompiledTask>();
  for (const stem of stems.filter((s) => existsSync(join(d, "compiled", `${s}_task.json`)))) {
    const t = fromBinary(TaskSpecSchema, readFileSync(join(d, `${stem}.pb`))).template;
    if (!t?.id) continue;
    if (t.target.case === "container") {
      for (const i of [1, 2, 3]) t.target.value.config.push({ $typeName: "flyteidl.core.KeyValuePair", key: `testKey${i}`, value: `testValue${i}` });
    }
    tasks.set(identifierKey(t.id), compileTask(t));
  }
  for (const stem of stems.filter((s) => existsSync(join(d, "compiled", `${s}_wf.json`)))) {
    const input = fromBinary(WorkflowClosureSchema, readFileSync(join(d, `${stem}.pb`))).workflow;
    const expected = fromJsonString(CompiledWorkflowClosureSchema, readFileSync(join(d, "compiled", `${stem}_wf.json`), "utf8"));
    try {
      if (!input) throw new Error("no workflow in the fixture");
      const reqs = workflowRequirements(input, []);
      const ours = compileWorkflow(
        input,
        [],
        reqs.taskIds.flatMap((id) => tasks.get(identifierKey(id)) ?? []),
        [],
      );
      report(
        "compiled",
        `${dir}/${stem}`,
        equals(CompiledWorkflowClosureSchema, ours, expected)
          ? []
          : diffLines(toJson(CompiledWorkflowClosureSchema, expected), toJson(CompiledWorkflowClosureSchema, ours)),
      );
    } catch (e) {
      report("compiled", `${dir}/${stem}`, [(e as Error).message]);
    }
    const crdFile = join(d, "..", dir, "k8s", `${stem}_wf_crd.json`);
    if (!existsSync(crdFile)) continue;
    const crd = JSON.parse(readFileSync(crdFile, "utf8")) as Record<string, JsonValue> & { metadata: Record<string, JsonValue> };
    const none = { cpu: "", memory: "", gpu: "", ephemeralStorage: "" };
    try {
      const ours = buildFlyteWorkflow({
        closure: expected,
        inputs: fromJson(LiteralMapSchema, crd.inputs ?? {}),
        executionId: { $typeName: "flyteidl.core.WorkflowExecutionIdentifier", project: "hello", domain: "domain", name: "name", org: "" },
        namespace: "namespace",
        acceptedAt: new Date(0),
        labels: {},
        annotations: {},
        executionConfig: create(WorkflowExecutionConfigSchema),
        roleNameKey: "",
        pluginOverrides: [],
        taskResources: { defaults: none, limits: none },
        eventVersion: 2,
        consoleUrl: "",
      });
      // Upstream's fixtures stop before flyteadmin's preparation step; drop what only that step sets.
      const m = ours.metadata as Record<string, JsonValue>;
      delete m.finalizers;
      delete ours.acceptedAt;
      delete ours.workflowMeta;
      ours.executionId = {};
      (ours.executionConfig as Record<string, JsonValue>).TaskPluginImpls = null;
      delete crd.metadata.creationTimestamp;
      report("resources", `${dir}/${stem}`, canonicalJson(crd) === canonicalJson(ours) ? [] : diffLines(crd, ours));
    } catch (e) {
      report("resources", `${dir}/${stem}`, [(e as Error).message]);
    }
  }
}
console.log(`compiled closures: ${tally.compiled[0]} identical, ${tally.compiled[1]} different`);
console.log(`FlyteWorkflow resources: ${tally.resources[0]} identical, ${tally.resources[1]} different`);
process.exit(tally.compiled[1] + tally.resources[1] > 0 ? 1 : 0);
