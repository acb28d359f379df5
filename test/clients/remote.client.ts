// FlyteRemote (flytekit 1.16.31) over native gRPC: fetch latest and by version, execute with Python
// inputs, wait and read outputs while propeller (played) runs the execution, sync with node and task
// executions, terminate, recent executions, flyte:// URIs, launch-plan activation, backfill.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { LaunchPlanState } from "../../src/gen/flyteidl/admin/launch_plan_pb";
import { ExecutionMetadata_ExecutionMode as Mode } from "../../src/gen/flyteidl/admin/execution_pb";
import { WorkflowExecution_Phase as Phase } from "../../src/gen/flyteidl/core/execution_pb";
import { ResourceType } from "../../src/gen/flyteidl/core/identifier_pb";
import { domain, ok, project, startClientEnv, type ClientEnv } from "./harness";
import { FakePropeller, projectTasks } from "./propeller";

let env: ClientEnv;
let propeller: FakePropeller;
const scope = { project, domain };

beforeAll(async () => {
  env = await startClientEnv();
  propeller = new FakePropeller(env.ts, env.kube, projectTasks);
  for (const version of ["v1", "v2"]) {
    ok(
      await env.run([env.tools.pyflyte, "--config", env.config, "register", "--project", project, "--domain", domain, "--version", version, "app"], {
        timeoutMs: 180_000,
      }),
      `pyflyte register ${version}`,
    );
  }
}, 400_000);
afterAll(async () => {
  await env?.close();
});

/** Runs one check of remote_checks.py and parses the JSON line it prints. */
async function check<T = Record<string, unknown>>(name: string, ...args: string[]): Promise<T> {
  const r = ok(await env.run([env.tools.python, join(import.meta.dir, "remote_checks.py"), name, ...args], { timeoutMs: 180_000 }), `FlyteRemote ${name}`);
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(line) as T;
}

// flytekit's phase numbers are flyteidl's.
const SUCCEEDED = Phase.SUCCEEDED;

describe("FlyteRemote", () => {
  test("fetch_task, fetch_workflow and fetch_launch_plan: the latest version and a named one", async () => {
    const latest = await check<{
      task: { version: string; inputs: string[]; type: string };
      workflow: { version: string; nodes: string[]; outputs: string[] };
      launch_plan: { version: string; workflow: string; defaults: string[] };
    }>("fetch", "latest");
    expect(latest.task).toEqual({ version: "v2", inputs: ["a", "b"], type: "python-task" });
    expect(latest.workflow).toEqual({ version: "v2", nodes: ["n0", "n1", "n2"], outputs: ["o0", "o1"] });
    expect(latest.launch_plan).toEqual({ version: "v2", workflow: "app.flows.chain", defaults: ["a", "name"] });
    const v1 = await check<typeof latest>("fetch", "v1");
    expect([v1.task.version, v1.workflow.version, v1.launch_plan.version]).toEqual(["v1", "v1", "v1"]);
  });

  test("execute with Python inputs, wait while propeller runs it, read the outputs; sync shows nodes and tasks", async () => {
    const started = await check<{ name: string; is_done: boolean }>("execute", "remote-run-1", "4");
    expect(started).toMatchObject({ name: "remote-run-1", is_done: false });
    const e = await env.ts.admin().getExecution({ id: { ...scope, name: "remote-run-1" } });
    expect(e.spec?.launchPlan?.version).toBe("v2");
    expect(e.spec?.metadata?.mode).toBe(Mode.MANUAL);

    const waited = check<{ phase: number; is_successful: boolean; outputs: { o0: number; o1: string } }>("wait", "remote-run-1");
    await propeller.complete("remote-run-1");
    expect(await waited).toEqual({ phase: SUCCEEDED, is_successful: true, outputs: { o0: 10, o1: "hello flyte" } });

    const synced = await check<{
      phase: number;
      inputs: Record<string, unknown>;
      nodes: Record<
        string,
        { phase: number; tasks: { phase: number; retry: number; task: string }[]; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }
      >;
    }>("sync", "remote-run-1");
    expect(synced.phase).toBe(SUCCEEDED);
    expect(synced.inputs).toEqual({ a: 4, name: "flyte" });
    expect(Object.keys(synced.nodes).sort()).toEqual(["end-node", "n0", "n1", "n2", "start-node"]);
    expect(synced.nodes.n0).toEqual({ phase: 3, tasks: [{ phase: 3, retry: 0, task: "app.flows.add" }], inputs: { a: 4, b: 2 }, outputs: { o0: 6 } });
    expect(synced.nodes.n1.outputs).toEqual({ o0: 10 });
    expect(synced.nodes.n2.outputs).toEqual({ o0: "hello flyte" });
  });

  test("get of flyte:// URIs: a node's inputs, one output, a task attempt's outputs", async () => {
    const nodeInputs = await check("get", `flyte://v1/${project}/${domain}/remote-run-1/n0/i`);
    expect(nodeInputs).toEqual({ kind: "map", values: { a: 4, b: 2 } });
    const nodeOutput = await check("get", `flyte://v1/${project}/${domain}/remote-run-1/n1/o/o0`);
    expect(nodeOutput).toEqual({ kind: "literal", value: 10 });
    const attempt = await check("get", `flyte://v1/${project}/${domain}/remote-run-1/n2/0/o`);
    expect(attempt).toEqual({ kind: "map", values: { o0: "hello flyte" } });
    // Without a node the URI does not parse (InvalidArgument, as upstream), which flytekit answers with None.
    expect(await check("get", `flyte://v1/${project}/${domain}/remote-run-1/o`)).toEqual({ kind: null });
  });

  test("execution metrics of the finished run", async () => {
    const m = await check<{ operation: string; children: number }>("metrics", "remote-run-1");
    expect(m.operation).toBe("remote-run-1");
    expect(m.children).toBeGreaterThan(0);
  });

  test("terminate: ABORTING, the resource deleted, propeller's ABORTED ends it; wait returns", async () => {
    await check("execute", "remote-run-2", "1");
    await propeller.resource("remote-run-2");
    const stopped = check<{ phase: number; abort: string }>("terminate", "remote-run-2");
    await propeller.abortWhenDeleted("remote-run-2");
    expect(await stopped).toEqual({ phase: Phase.ABORTED, abort: "stopped from FlyteRemote" });
  });

  test("recent_executions lists what was launched, newest first", async () => {
    const { names } = await check<{ names: string[] }>("recent");
    expect(names.indexOf("remote-run-2")).toBeGreaterThanOrEqual(0);
    expect(names.indexOf("remote-run-2")).toBeLessThan(names.indexOf("remote-run-1"));
  });

  test("deactivate_launchplan and activate_launchplan; fetch_active_launchplan", async () => {
    const state = async (version: string) =>
      (await env.ts.admin().getLaunchPlan({ id: { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name: "scheduled_cron", version } })).closure?.state;
    expect(await check("activation", "scheduled_cron", "v1", "on")).toEqual({ active_version: "v1" });
    expect(await state("v1")).toBe(LaunchPlanState.ACTIVE);
    // Activating another version deactivates the first.
    expect(await check("activation", "scheduled_cron", "v2", "on")).toEqual({ active_version: "v2" });
    expect([await state("v1"), await state("v2")]).toEqual([LaunchPlanState.INACTIVE, LaunchPlanState.ACTIVE]);
    // With none active, GetActiveLaunchPlan is NotFound, which fetch_active_launchplan answers with None.
    expect(await check("activation", "scheduled_cron", "v2", "off")).toEqual({ active_version: null });
    expect(await state("v2")).toBe(LaunchPlanState.INACTIVE);
  });

  test("list_projects and get_domains", async () => {
    const r = await check<{ projects: string[]; domains: string[] }>("listing");
    expect(r.projects).toContain(project);
    expect(r.domains).toEqual(["development", "production", "staging"]);
  });

  test("launch_backfill of the cron launch plan: one launch-plan node per tick, executed", async () => {
    const { execution } = await check<{ execution: string }>("backfill");
    const wf = await propeller.resource(execution);
    // 00:00 to 00:20 every 5 minutes: flytekit takes the ticks after the start and before the end.
    const lpNodes = Object.values(wf.spec.nodes).filter((n) => n.kind === "workflow");
    expect(lpNodes.length).toBe(3);
    const e = await env.ts.admin().getExecution({ id: { ...scope, name: execution } });
    expect(e.spec?.launchPlan?.name).toContain("backfill");
  });
});
