import { create, toJsonString } from "@bufbuild/protobuf";
import { CompiledTaskSchema, CompiledWorkflowClosureSchema } from "./src/gen/flyteidl/core/compiler_pb";
import { compileWorkflow } from "./src/compiler/workflow";
import { pythonTask, twoNodeWorkflow } from "./test/fixtures/pyflyte";
const tasks = [pythonTask({ name: "workflows.example.t1" }), pythonTask({ name: "workflows.example.t2" })].map((t) => create(CompiledTaskSchema, { template: t.spec!.template }));
const wf = twoNodeWorkflow();
const c = compileWorkflow(wf.spec!.template!, [], tasks, []);
console.log(JSON.stringify(JSON.parse(toJsonString(CompiledWorkflowClosureSchema, c)).primary.connections));
console.log(c.primary!.template!.nodes.map(n=>n.id));
const bad = twoNodeWorkflow(); bad.spec!.template!.nodes[1].inputs[0].binding!.value = { case: "promise", value: { $typeName: "flyteidl.core.OutputReference", nodeId: "n0", var: "nope", attrPath: [] } };
bad.spec!.template!.nodes.push({ ...bad.spec!.template!.nodes[0], id: "n2", upstreamNodeIds: ["n3"] });
try { compileWorkflow(bad.spec!.template!, [], tasks, []); } catch (e) { console.log((e as Error).message); }
