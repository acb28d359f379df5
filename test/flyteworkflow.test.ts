// The FlyteWorkflow resource for a pyflyte-shaped workflow: propeller's node and task specs, admin's
// labels, annotations, permissions and execution config, offloading, and refused inputs.
import { describe, expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { CompiledTaskSchema } from "../src/gen/flyteidl/core/compiler_pb";
import { LiteralMapSchema } from "../src/gen/flyteidl/core/literals_pb";
import { WorkflowExecutionConfigSchema } from "../src/gen/flyteidl/admin/matchable_resource_pb";
import { compileWorkflow } from "../src/compiler/workflow";
import type { CompileErrorList } from "../src/compiler/errors";
import { buildFlyteWorkflow, fnv1a32, sanitizeLabelValue, type FlyteWorkflowInput } from "../src/cluster/flyteworkflow";
import { pythonTask, twoNodeWorkflow } from "./fixtures/pyflyte";

const tasks = ["workflows.example.t1", "workflows.example.t2"].map((name) => create(CompiledTaskSchema, { template: pythonTask({ name }).spec?.template }));
const closure = compileWorkflow(twoNodeWorkflow().spec!.template!, [], tasks, []);
const str = (s: string) => ({
  value: { case: "scalar" as const, value: { value: { case: "primitive" as const, value: { value: { case: "stringValue" as const, value: s } } } } },
});
const none = { cpu: "", memory: "", gpu: "", ephemeralStorage: "" };

function input(over: Partial<FlyteWorkflowInput> = {}): FlyteWorkflowInput {
  return {
    closure,
    inputs: create(LiteralMapSchema, { literals: { name: str("flyte") } }),
    executionId: { $typeName: "flyteidl.core.WorkflowExecutionIdentifier", project: "flytesnacks", domain: "development", name: "abc123", org: "" },
    namespace: "flytesnacks-development",
    acceptedAt: new Date("2026-11-24T12:00:00.123Z"),
    labels: { team: "ml" },
    annotations: { note: "x" },
    executionConfig: create(WorkflowExecutionConfigSchema, {
      maxParallelism: 25,
      securityContext: { runAs: { iamRole: "arn:aws:iam::1:role/r", k8sServiceAccount: "runner" } },
      envs: { values: [{ key: "A", value: "1" }] },
      interruptible: true,
    }),
    roleNameKey: "iam.amazonaws.com/role",
    rawOutputDataConfig: { $typeName: "flyteidl.admin.RawOutputDataConfig", outputLocationPrefix: "s3://bucket/raw" },
    pluginOverrides: [{ $typeName: "flyteidl.admin.PluginOverride", taskType: "spark", pluginId: ["k8s-spark"], missingPluginBehavior: 1 }],
    taskResources: { defaults: { ...none, cpu: "500m", memory: "1Gi" }, limits: { ...none, cpu: "2" } },
    eventVersion: 2,
    consoleUrl: "",
    ...over,
  };
}

describe("buildFlyteWorkflow", () => {
  test("metadata: labels (shard key, sanitized workflow name), annotations with the IAM role, the finalizer", () => {
    const r = buildFlyteWorkflow(input()) as { metadata: { labels: Record<string, string>; annotations: Record<string, string>; finalizers: string[] } };
    expect(r.metadata.labels).toEqual({
      "execution-id": "abc123",
      project: "flytesnacks",
      domain: "development",
      "workflow-name": "workflows-example-wf",
      "shard-key": String(fnv1a32("abc123") % 32),
      team: "ml",
    });
    expect(r.metadata.annotations).toEqual({ note: "x", "iam.amazonaws.com/role": "arn:aws:iam::1:role/r" });
    expect(r.metadata.finalizers).toEqual(["flyte.org/finalizer"]);
  });

  test("spec: nodes by kind, task references in Go's text form, edges, protobuf-JSON bindings", () => {
    const r = buildFlyteWorkflow(input()) as Record<string, any>;
    expect(r.spec.id).toBe("flytesnacks:development:workflows.example.wf");
    expect(Object.keys(r.spec.nodes).sort()).toEqual(["end-node", "n0", "n1", "start-node"]);
    expect(r.spec.nodes.n0.kind).toBe("task");
    expect(r.spec.nodes.n0.task).toBe('resource_type:TASK project:"flytesnacks" domain:"development" name:"workflows.example.t1" version:"v1"');
    expect(r.spec.nodes.n1.inputBindings).toEqual([{ var: "name", binding: { promise: { nodeId: "n0", var: "o0" } } }]);
    expect(r.spec.edges.downstream["start-node"]).toEqual(["n0"]);
    expect(r.spec.connections).toEqual(r.spec.edges.downstream);
    expect(Object.keys(r.tasks)).toContain(r.spec.nodes.n0.task);
    expect(r.tasks[r.spec.nodes.n0.task].interface.inputs.variables.name).toEqual({ type: { simple: "STRING" } }); // descriptions stripped
    expect(r.inputs).toEqual({ literals: { name: { scalar: { primitive: { stringValue: "flyte" } } } } });
  });

  test("admin's part: execution id, acceptance time, permissions, raw output, execution config", () => {
    const r = buildFlyteWorkflow(
      input({ recoveryExecution: { $typeName: "flyteidl.core.WorkflowExecutionIdentifier", project: "p", domain: "d", name: "old", org: "" } }),
    ) as Record<string, any>;
    expect(r.executionId).toEqual({ project: "flytesnacks", domain: "development", name: "abc123" });
    expect(r.acceptedAt).toBe("2026-11-24T12:00:00Z");
    expect(r.serviceAccountName).toBe("runner");
    expect(r.securityContext).toEqual({ run_as: { iam_role: "arn:aws:iam::1:role/r", k8s_service_account: "runner" } });
    expect(r.rawOutputDataConfig).toEqual({ output_location_prefix: "s3://bucket/raw" });
    expect(r.workflowMeta).toEqual({ eventVersion: 2 });
    expect(r.executionConfig).toEqual({
      TaskPluginImpls: { spark: { PluginIDs: ["k8s-spark"], MissingPluginBehavior: 1 } },
      MaxParallelism: 25,
      RecoveryExecution: { project: "p", domain: "d", name: "old" },
      TaskResources: {
        Requests: { CPU: "500m", Memory: "1Gi", EphemeralStorage: "0", Storage: "0", GPU: "0" },
        Limits: { CPU: "2", Memory: "0", EphemeralStorage: "0", Storage: "0", GPU: "0" },
      },
      Interruptible: true,
      OverwriteCache: false,
      EnvironmentVariables: { A: "1" },
    });
  });

  test("offloaded closure and inputs: references instead of inline data", () => {
    const r = buildFlyteWorkflow(input({ offloaded: { closureUri: "s3://b/closure", inputsUri: "s3://b/inputs" } })) as Record<string, unknown>;
    expect(r.workflowClosureReference).toBe("s3://b/closure");
    expect(r.spec).toBeNull();
    expect(r.tasks).toBeNull();
    expect(r.offloadedInputs).toBe("s3://b/inputs");
    expect("inputs" in r).toBe(false);
  });

  test("inputs must match the workflow interface exactly", () => {
    const codes = (inputs: FlyteWorkflowInput["inputs"]) => {
      try {
        buildFlyteWorkflow(input({ inputs }));
      } catch (e) {
        return (e as CompileErrorList).errors.map((x) => x.code);
      }
      return [];
    };
    expect(codes(create(LiteralMapSchema))).toEqual(["ParameterNotBound"]);
    expect(codes(create(LiteralMapSchema, { literals: { name: str("x"), extra: str("y") } }))).toEqual(["VariableNameNotFound"]);
    expect(
      codes(
        create(LiteralMapSchema, {
          literals: { name: { value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "integer", value: 1n } } } } } } },
        }),
      ),
    ).toEqual(["MismatchingTypes", "ParameterNotBound"]);
    // A literal with no value has no type at all.
    expect(codes(create(LiteralMapSchema, { literals: { name: {} } }))).toEqual(["InvalidLiteralType", "ParameterNotBound"]);
  });

  test("label values follow propeller's sanitizing", () => {
    expect(sanitizeLabelValue("My.Workflow__Name")).toBe("my-workflow-name");
    expect(sanitizeLabelValue(`-${"a".repeat(70)}`)).toBe("a".repeat(62));
  });
});
