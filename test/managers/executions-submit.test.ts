// The last step of CreateExecution on its own (domain/executions/submit): inputs are written before the
// launcher is called, a cluster other than the planned one is recorded on the row and spec, and a
// refusal leaves the execution FAILED with upstream's code name and kind: USER for InvalidArgument,
// SYSTEM otherwise, "Unknown" for anything that is not one of our errors.
import { expect, test } from "bun:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { ExecutionClosureSchema, ExecutionMetadataSchema, ExecutionSpecSchema } from "../../src/gen/flyteidl/admin/execution_pb";
import { LaunchPlanSpecSchema } from "../../src/gen/flyteidl/admin/launch_plan_pb";
import { WorkflowExecutionConfigSchema } from "../../src/gen/flyteidl/admin/matchable_resource_pb";
import { WorkflowClosureSchema } from "../../src/gen/flyteidl/admin/workflow_pb";
import { IdentifierSchema, WorkflowExecutionIdentifierSchema } from "../../src/gen/flyteidl/core/identifier_pb";
import { LiteralMapSchema } from "../../src/gen/flyteidl/core/literals_pb";
import { invalidArgument } from "../../src/kernel/errors";
import type { BlobStore } from "../../src/ports/blob";
import type { ExecutionPatch, ExecutionStore } from "../../src/ports/executions";
import type { LaunchRequest, Launcher } from "../../src/ports/launcher";
import type { LaunchPlanRecord } from "../../src/ports/launchplans";
import type { WorkflowRecord } from "../../src/ports/workflows";
import { executionRow, type NewExecution } from "../../src/domain/executions/execution-record";
import { submitExecution } from "../../src/domain/executions/submit";
import { WorkflowClosures } from "../../src/domain/executions/workflow-closures";

const closureUri = "mem://test/closure";
const noQueues = { executionQueues: [], workflowConfigs: [] };
const taskResources = { defaults: { cpu: "", memory: "", gpu: "", ephemeralStorage: "" }, limits: { cpu: "", memory: "", gpu: "", ephemeralStorage: "" } };

function world(launch: (r: LaunchRequest) => Promise<{ cluster: string }>, opts: { failWrites?: boolean } = {}) {
  const events: string[] = [];
  const patches: ExecutionPatch[] = [];
  const written = new Map<string, Uint8Array>();
  written.set(closureUri, toBinary(WorkflowClosureSchema, create(WorkflowClosureSchema, { compiledWorkflow: { primary: { template: {} } } })));
  const blobs = {
    uri: (...keys: string[]) => `mem://test/${keys.join("/")}`,
    read: async (uri: string) => written.get(uri),
    write: async (uri: string, data: Uint8Array) => {
      if (opts.failWrites) throw new Error("disk full");
      events.push(`write ${uri}`);
      written.set(uri, data);
    },
  } as BlobStore;
  const executions = {
    update: async (_key: unknown, patch: ExecutionPatch) => {
      events.push("update");
      patches.push(patch);
    },
  } as ExecutionStore;
  const launcher = {
    launch: async (r: LaunchRequest) => {
      events.push("launch");
      return launch(r);
    },
  } as Launcher;
  const deps = { executions, blobs, launcher, closures: new WorkflowClosures(blobs), settings: { taskResources, queues: noQueues } };
  return { deps, events, patches, written };
}

function submission() {
  const spec = create(ExecutionSpecSchema, { metadata: { principal: "alice", systemMetadata: { executionCluster: "planned", namespace: "ns" } } });
  const metadata = (spec.metadata ??= create(ExecutionMetadataSchema));
  const id = create(WorkflowExecutionIdentifierSchema, { project: "p", domain: "d", name: "run" });
  const execution: NewExecution = {
    id,
    acceptedAt: new Date("2024-01-01T00:00:00Z"),
    spec,
    metadata,
    target: {
      isTask: false,
      launchPlan: { project: "p", domain: "d", name: "lp", version: "v", id: 1 } as LaunchPlanRecord,
      launchPlanSpec: create(LaunchPlanSpecSchema),
      inputs: create(LiteralMapSchema),
      workflow: { project: "p", domain: "d", name: "wf", version: "v", id: 2, remoteClosureIdentifier: closureUri } as WorkflowRecord,
      workflowId: create(IdentifierSchema, { project: "p", domain: "d", name: "wf", version: "v" }),
    },
    taskId: null,
    lineage: { parentNodeExecutionId: null, sourceExecutionId: null },
    cluster: "planned",
    inputsUri: "mem://test/inputs",
    userInputsUri: "mem://test/user_inputs",
  };
  const { record, closure } = executionRow(execution);
  return {
    execution,
    record,
    closure,
    userInputs: create(LiteralMapSchema),
    namespace: "ns",
    attributes: async () => undefined,
    executionConfig: create(WorkflowExecutionConfigSchema),
    labels: { team: "ml" },
    annotations: {},
    clusterLabel: undefined,
    attributeLabel: undefined,
  };
}

test("inputs are written before the launch; the planned cluster needs no second write", async () => {
  const w = world(async () => ({ cluster: "planned" }));
  await submitExecution(w.deps, submission());
  expect(w.events.slice(0, 2).sort()).toEqual(["write mem://test/inputs", "write mem://test/user_inputs"]);
  expect(w.events.slice(2)).toEqual(["launch"]);
  expect(w.patches).toEqual([]);
});

test("another cluster than planned is recorded on the row and in the spec's system metadata", async () => {
  const w = world(async () => ({ cluster: "east" }));
  await submitExecution(w.deps, submission());
  expect(w.patches).toHaveLength(1);
  expect(w.patches[0].cluster).toBe("east");
  expect(fromBinary(ExecutionSpecSchema, w.patches[0].spec ?? new Uint8Array()).metadata?.systemMetadata?.executionCluster).toBe("east");
});

test("a refused launch is recorded: our InvalidArgument is the user's fault, by its code name", async () => {
  const w = world(async () => {
    throw invalidArgument("bad request for the cluster");
  });
  await submitExecution(w.deps, submission());
  expect(w.patches).toHaveLength(1);
  const p = w.patches[0];
  expect([p.phase, p.errorCode, p.errorKind]).toEqual(["FAILED", "InvalidArgument", "USER"]);
  const closure = fromBinary(ExecutionClosureSchema, p.closure ?? new Uint8Array());
  expect(closure.outputResult.case === "error" && closure.outputResult.value.message).toBe("bad request for the cluster");
});

test("anything else thrown is Unknown and the system's fault", async () => {
  const w = world(async () => {
    throw new Error("connection reset");
  });
  await submitExecution(w.deps, submission());
  expect([w.patches[0].errorCode, w.patches[0].errorKind]).toEqual(["Unknown", "SYSTEM"]);
});

test("inputs that cannot be written stop the launch: Internal, recorded, launcher never called", async () => {
  const w = world(async () => ({ cluster: "planned" }), { failWrites: true });
  await submitExecution(w.deps, submission());
  expect(w.events).toEqual(["update"]);
  const closure = fromBinary(ExecutionClosureSchema, w.patches[0].closure ?? new Uint8Array());
  expect(w.patches[0].errorCode).toBe("Internal");
  expect(closure.outputResult.case === "error" && closure.outputResult.value.message).toBe("failed to offload the execution inputs: disk full");
});
