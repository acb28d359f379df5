// Task resource defaults applied at launch, case by case as upstream's AdjustOrDefaultResource.
import { describe, expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { CompiledWorkflowClosureSchema } from "../src/gen/flyteidl/core/compiler_pb";
import { Resources_ResourceName as Name } from "../src/gen/flyteidl/core/tasks_pb";
import { adjustResource, applyTaskResourceDefaults } from "../src/domain/executions/task-resources";

describe("adjustResource", () => {
  const rows: Array<[string, [string, string, string, string], { request: string; limit: string }]> = [
    ["nothing set: the platform default for both", ["", "", "1", "2"], { request: "1", limit: "1" }],
    ["only a limit: the request follows it", ["", "500m", "1", "2"], { request: "500m", limit: "500m" }],
    ["only a request: the limit follows it", ["250m", "", "1", "2"], { request: "250m", limit: "250m" }],
    ["above the platform limit: capped", ["4", "8", "1", "2"], { request: "2", limit: "2" }],
    ["request above its limit: lowered", ["2", "1", "1", "4"], { request: "1", limit: "1" }],
    ["no platform limit: unchanged", ["3Gi", "4Gi", "1Gi", ""], { request: "3Gi", limit: "4Gi" }],
    ["nothing anywhere: zero", ["", "", "", ""], { request: "0", limit: "0" }],
  ];
  for (const [name, args, want] of rows) test(name, () => expect(adjustResource(...args)).toEqual(want));
});

test("container tasks get CPU and memory always, GPU only when asked for", () => {
  const closure = create(CompiledWorkflowClosureSchema, {
    tasks: [
      { template: { target: { case: "container", value: { image: "i", resources: { requests: [{ name: Name.CPU, value: "500m" }] } } } } },
      { template: { target: { case: "container", value: { image: "i", resources: { limits: [{ name: Name.GPU, value: "1" }] } } } } },
    ],
  });
  const set = (cpu: string, memory: string, gpu = "", ephemeralStorage = "") => ({ cpu, memory, gpu, ephemeralStorage });
  applyTaskResourceDefaults(closure, { defaults: set("1", "200Mi"), limits: set("2", "1Gi", "1") });
  const res = (i: number) => {
    const t = closure.tasks[i].template?.target;
    return t?.case === "container" ? t.value.resources : undefined;
  };
  expect(res(0)?.requests.map((e) => [Name[e.name], e.value])).toEqual([
    ["CPU", "500m"],
    ["MEMORY", "200Mi"],
  ]);
  expect(res(0)?.limits.map((e) => [Name[e.name], e.value])).toEqual([
    ["CPU", "500m"],
    ["MEMORY", "200Mi"],
  ]);
  expect(res(1)?.requests.map((e) => [Name[e.name], e.value])).toEqual([
    ["CPU", "1"],
    ["MEMORY", "200Mi"],
    ["GPU", "1"],
  ]);
});
