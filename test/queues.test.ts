// Legacy execution queues: attribute tags first, then the domain's configured tags, then the default.
import { expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { CompiledWorkflowClosureSchema } from "../src/gen/flyteidl/core/compiler_pb";
import { applyQueue, pickQueue } from "../src/domain/executions/queues";

const settings = {
  executionQueues: [
    { dynamic: "gpu-queue", attributes: ["gpu"] },
    { dynamic: "cpu-queue", attributes: ["cpu", "default"] },
  ],
  workflowConfigs: [
    { domain: "production", tags: ["gpu"] },
    { domain: "", tags: ["default"] },
  ],
};

test("attribute tags win, then the domain's tags, then the domain-less default; unknown tags are skipped", () => {
  expect(pickQueue(["unknown", "gpu"], "development", settings)).toBe("gpu-queue");
  expect(pickQueue(undefined, "production", settings)).toBe("gpu-queue");
  expect(pickQueue(undefined, "development", settings)).toBe("cpu-queue");
  expect(pickQueue(undefined, "development", { executionQueues: [], workflowConfigs: [] })).toBeUndefined();
});

test("container tasks get the queue as their child_queue config", () => {
  const closure = create(CompiledWorkflowClosureSchema, { tasks: [{ template: { target: { case: "container", value: { image: "i" } } } }, { template: {} }] });
  applyQueue(closure, "gpu-queue");
  const t = closure.tasks[0].template?.target;
  expect(t?.case === "container" && t.value.config.map((c) => [c.key, c.value])).toEqual([["child_queue", "gpu-queue"]]);
});
