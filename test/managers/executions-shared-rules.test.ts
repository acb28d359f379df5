// The pieces the execution managers share after the restructuring, pinned to what they replaced: our
// error code is gRPC's (a refused launch records its name), and the scope filters are the column
// filters the managers used to spell out, in the same order (so the SQL is the same).
import { expect, test } from "bun:test";
import { Code } from "@connectrpc/connect";
import { aborted, ErrorCode, invalidArgument } from "../../src/kernel/errors";
import { toConnectError } from "../../src/edge/status";
import { eq, filtersOnState, parseFilters, phaseIn, resourceTypeIs, scopeFilters, stateIs } from "../../src/kernel/lists/filters";
import { entityColumns } from "../../src/kernel/lists/entities";

test("ErrorCode is Connect's Code, name for name and number for number", () => {
  const members = (e: object) => Object.entries(e).filter(([, v]) => typeof v === "number");
  expect(members(ErrorCode)).toEqual(members(Code));
  expect(toConnectError(aborted("gave up")).code).toBe(Code.Aborted);
  expect(ErrorCode[invalidArgument("bad").code]).toBe("InvalidArgument");
});

test("scope filters are the equality filters on the scoping columns, in column order", () => {
  expect(scopeFilters("execution", { project: "p", domain: "d", name: "n" })).toEqual([
    eq("execution", "execution_project", "p"),
    eq("execution", "execution_domain", "d"),
    eq("execution", "execution_name", "n"),
  ]);
  expect(scopeFilters("execution", { project: "p", domain: "d", name: undefined })).toEqual([
    eq("execution", "execution_project", "p"),
    eq("execution", "execution_domain", "d"),
  ]);
  expect(scopeFilters("signal", { project: "p", domain: "d", name: "" })).toEqual([
    eq("signal", "execution_project", "p"),
    eq("signal", "execution_domain", "d"),
    eq("signal", "execution_name", ""),
  ]);
  expect(scopeFilters("node_execution", { project: "p", domain: "d", name: "n", parentId: "7" })).toEqual([
    eq("node_execution", "execution_project", "p"),
    eq("node_execution", "execution_domain", "d"),
    eq("node_execution", "execution_name", "n"),
    eq("node_execution", "parent_id", "7"),
  ]);
  expect(scopeFilters("node_execution", { parentTaskExecutionId: "3", project: "p", domain: "d", name: "n" })).toEqual([
    eq("node_execution", "execution_project", "p"),
    eq("node_execution", "execution_domain", "d"),
    eq("node_execution", "execution_name", "n"),
    eq("node_execution", "parent_task_execution_id", "3"),
  ]);
  expect(scopeFilters("task_execution", { project: "p", domain: "d", name: "n", nodeId: "n0", retryAttempt: 2 })).toEqual([
    eq("task_execution", "execution_project", "p"),
    eq("task_execution", "execution_domain", "d"),
    eq("task_execution", "execution_name", "n"),
    eq("task_execution", "node_id", "n0"),
    eq("task_execution", "retry_attempt", "2"),
  ]);
  for (const entity of ["task", "workflow", "launch_plan"] as const) {
    expect(scopeFilters(entity, { project: "p", domain: "d", name: "n" })).toEqual([
      eq(entity, "project", "p"),
      eq(entity, "domain", "d"),
      eq(entity, "name", "n"),
    ]);
  }
  expect(scopeFilters("launch_plan", { name: "lp" })).toEqual([eq("launch_plan", "name", "lp")]);
});

test("every scoping column is in its entity's column set", () => {
  const all = [
    ...scopeFilters("execution", { project: "p", domain: "d", name: "n" }),
    ...scopeFilters("signal", { project: "p", domain: "d", name: "n" }),
    ...scopeFilters("node_execution", { project: "p", domain: "d", name: "n", parentId: 1, parentTaskExecutionId: 2 }),
    ...scopeFilters("task_execution", { project: "p", domain: "d", name: "n", nodeId: "x", retryAttempt: 0 }),
    ...(["task", "workflow", "launch_plan"] as const).flatMap((e) => scopeFilters(e, { project: "p", domain: "d", name: "n" })),
    stateIs("execution", 0),
    stateIs("launch_plan", 1),
    phaseIn("execution", ["QUEUED"]),
  ];
  for (const f of all) expect(entityColumns[f.entity].has(f.field)).toBe(true);
});

test("state, phase and resource type filters are the ones the managers built by hand", () => {
  expect(stateIs("execution", 0)).toEqual(eq("execution", "state", "0"));
  expect(phaseIn("execution", ["QUEUED", "RUNNING"])).toEqual({ entity: "execution", field: "phase", op: "value_in", values: ["QUEUED", "RUNNING"] });
  expect(stateIs("launch_plan", 1)).toEqual(eq("launch_plan", "state", "1"));
  expect(resourceTypeIs("workflow", 2)).toEqual(eq("workflow", "resource_type", "2"));
  // Any entity's state counts, as the execution list always checked it.
  expect(filtersOnState(parseFilters("eq(launch_plan.state,1)", "execution", ["execution", "launch_plan"]))).toBe(true);
  expect(filtersOnState(parseFilters("eq(phase,RUNNING)", "execution"))).toBe(false);
});
