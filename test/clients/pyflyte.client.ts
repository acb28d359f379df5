// pyflyte (flytekit 1.16.31) over native gRPC with `insecure: true`: register with fast registration,
// re-register, a changed task under the same version, run --remote of a workflow and of single tasks,
// and package + flytectl register files.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, cpSync } from "node:fs";
import { join } from "node:path";
import { ResourceType } from "../../src/gen/flyteidl/core/identifier_pb";
import { LaunchPlanState } from "../../src/gen/flyteidl/admin/launch_plan_pb";
import { WorkflowExecution_Phase as Phase } from "../../src/gen/flyteidl/core/execution_pb";
import { ExecutionMetadata_ExecutionMode as Mode } from "../../src/gen/flyteidl/admin/execution_pb";
import { domain, ok, project, projectDir, startClientEnv, type ClientEnv } from "./harness";
import { FakePropeller, projectTasks, lit } from "./propeller";

let env: ClientEnv;
let propeller: FakePropeller;
/** The workflow run the --wait test completes, for the CLI tests that read a finished execution. */
let finished = "";
const scope = { project, domain };

beforeAll(async () => {
  env = await startClientEnv();
  propeller = new FakePropeller(env.ts, env.kube, projectTasks);
});
afterAll(async () => {
  await env?.close();
});

const pyflyte = (args: string[], opts: { cwd?: string } = {}) => env.run([env.tools.pyflyte, "--config", env.config, ...args], { timeoutMs: 180_000, ...opts });

/** The registered project in a scratch copy, so a test can change a task without touching the source. */
function scratchProject(): string {
  const dir = mkdtempSync(join(env.ts.dir, "proj-"));
  cpSync(projectDir, dir, { recursive: true, filter: (p) => !p.includes("__pycache__") });
  return dir;
}

describe("pyflyte register", () => {
  test("registers tasks, workflows and launch plans with fast registration and activates the launch plans", async () => {
    const r = ok(await pyflyte(["register", "--project", project, "--domain", domain, "--version", "v1", "--activate-launchplans", "app"]), "pyflyte register");
    expect(r.output).toContain("Successfully registered 18 entities");
    const admin = env.ts.admin();

    // The code archive went through CreateUploadLocation and a PUT to our signed URL.
    const archives = findFiles(join(env.ts.dir, "blobs", "flyteadmin", project, domain)).filter((f) => f.endsWith(".tar.gz"));
    expect(archives.length).toBe(1);
    const task = await admin.getTask({ id: { resourceType: ResourceType.TASK, ...scope, name: "app.flows.add", version: "v1" } });
    const args = task.closure?.compiledTask?.template?.target.case === "container" ? task.closure.compiledTask.template.target.value.args : [];
    expect(args).toContain("pyflyte-fast-execute");
    expect(args.some((a) => a.startsWith("file://") && a.endsWith(".tar.gz"))).toBe(true);
    expect(task.closure?.compiledTask?.template?.interface?.inputs?.variables.b).toBeDefined();

    const names = async (rt: ResourceType) =>
      (await admin.listNamedEntities({ resourceType: rt, ...scope, limit: 100 })).entities.map((e) => e.id?.name).sort();
    const tasks = await names(ResourceType.TASK);
    expect(tasks.filter((t) => !t?.includes("map_square"))).toEqual([
      "app.flows.add",
      "app.flows.fan",
      "app.flows.greet",
      "app.flows.norm",
      "app.flows.size_of",
      "app.flows.square",
      "app.flows.total",
    ]);
    expect(tasks.filter((t) => t?.includes("map_square")).length).toBe(1);
    expect(await names(ResourceType.WORKFLOW)).toEqual(["app.flows.chain", "app.flows.inner", "app.flows.main", "app.flows.scheduled"]);
    expect(await names(ResourceType.LAUNCH_PLAN)).toEqual([
      "app.flows.chain",
      "app.flows.inner",
      "app.flows.main",
      "app.flows.scheduled",
      "main_fixed",
      "scheduled_cron",
    ]);

    const lp = (name: string) => admin.getLaunchPlan({ id: { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name, version: "v1" } });
    const cron = await lp("scheduled_cron");
    expect(cron.closure?.state).toBe(LaunchPlanState.ACTIVE);
    expect(cron.spec?.entityMetadata?.schedule?.kickoffTimeInputArg).toBe("kickoff");
    expect(cron.spec?.entityMetadata?.schedule?.ScheduleExpression.case).toBe("cronSchedule");
    const fixed = await lp("main_fixed");
    expect(Object.keys(fixed.spec?.fixedInputs?.literals ?? {})).toEqual(["a"]);
    expect(Object.keys(fixed.spec?.defaultInputs?.parameters ?? {}).sort()).toEqual(["p", "xs"]);
    // The compiled main workflow holds the sub-workflow, the branch, the array node and the dynamic task.
    const main = await admin.getWorkflow({ id: { resourceType: ResourceType.WORKFLOW, ...scope, name: "app.flows.main", version: "v1" } });
    const kinds = main.closure?.compiledWorkflow?.primary?.template?.nodes.map((n) => n.target.case ?? n.id).sort();
    expect(kinds).toEqual(["arrayNode", "branchNode", "end-node", "start-node", "taskNode", "taskNode", "taskNode", "workflowNode"]);
    expect(main.closure?.compiledWorkflow?.subWorkflows.map((w) => w.template?.id?.name)).toEqual(["app.flows.inner"]);
  });

  test("registering the same version again succeeds", async () => {
    const r = ok(
      await pyflyte(["register", "--project", project, "--domain", domain, "--version", "v1", "--activate-launchplans", "app"]),
      "second pyflyte register",
    );
    expect(r.output).toContain("Successfully registered 18 entities");
  });

  test("a changed task under the same version fails with upstream's message", async () => {
    const dir = scratchProject();
    const flows = join(dir, "app", "flows.py");
    writeFileSync(flows, readFileSync(flows, "utf8").replace("return a + b\n", "return b + a\n"));
    const r = await pyflyte(["register", "--project", project, "--domain", domain, "--version", "v1", "--copy", "none", "app"], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("INVALID_ARGUMENT");
    expect(r.output).toContain("task with different structure already exists");
  });
});

describe("pyflyte run --remote", () => {
  test("a workflow, waited on while propeller runs it: the outputs come back", async () => {
    const before = new Set(propeller.names());
    const run = pyflyte(["run", "--remote", "--wait", "--project", project, "--domain", domain, "app/flows.py", "chain", "--a", "5", "--name", "world"]);
    const name = await propeller.newExecution(before);
    const outputs = await propeller.complete(name);
    finished = name;
    expect(lit.asInt(outputs.literals.o0)).toBe(12n);
    const r = ok(await run, "pyflyte run --remote --wait");
    expect(r.output).toContain(`executions/${name}`);
    const e = await env.ts.admin().getExecution({ id: { ...scope, name } });
    expect(e.closure?.phase).toBe(Phase.SUCCEEDED);
    expect(e.spec?.launchPlan?.name).toBe("app.flows.chain");
  });

  test("a single task, with --name and without", async () => {
    const named = ok(
      await pyflyte(["run", "--remote", "--project", project, "--domain", domain, "--name", "pyflyte-task-1", "app/flows.py", "add", "--a", "40"]),
      "pyflyte run task --name",
    );
    expect(named.output).toContain("executions/pyflyte-task-1");
    const e = await env.ts.admin().getExecution({ id: { ...scope, name: "pyflyte-task-1" } });
    expect(e.spec?.launchPlan?.resourceType).toBe(ResourceType.TASK);
    expect(e.spec?.launchPlan?.name).toBe("app.flows.add");
    const data = await env.ts.admin().getExecutionData({ id: { ...scope, name: "pyflyte-task-1" } });
    expect(lit.asInt(data.fullInputs?.literals.a)).toBe(40n);
    expect(lit.asInt(data.fullInputs?.literals.b)).toBe(2n);

    const before = new Set(propeller.names());
    const unnamed = ok(await pyflyte(["run", "--remote", "--project", project, "--domain", domain, "app/flows.py", "greet"]), "pyflyte run task");
    const name = await propeller.newExecution(before);
    expect(unnamed.output).toContain(`executions/${name}`);
    await propeller.complete(name);
    const out = await env.ts.admin().getExecutionData({ id: { ...scope, name } });
    expect(lit.asStr(out.fullOutputs?.literals.o0)).toBe("hello world");
  });

  test("a local FlyteFile input is uploaded through the data proxy; a dataclass and a list arrive typed", async () => {
    const local = join(env.ts.dir, "in.txt");
    writeFileSync(local, "hello file");
    ok(
      await pyflyte(["run", "--remote", "--project", project, "--domain", domain, "--name", "file-run-1", "app/flows.py", "size_of", "--f", local]),
      "pyflyte run with a file",
    );
    const admin = env.ts.admin();
    const data = await admin.getExecutionData({ id: { ...scope, name: "file-run-1" } });
    const f = data.fullInputs?.literals.f?.value;
    const uri = f?.case === "scalar" && f.value.value.case === "blob" ? f.value.value.value.uri : "";
    expect(uri.startsWith(`file://${join(env.ts.dir, "blobs", "flyteadmin", project, domain)}/`)).toBe(true);
    expect(readFileSync(new URL(uri).pathname, "utf8")).toBe("hello file");

    ok(
      await pyflyte([
        "run",
        "--remote",
        "--project",
        project,
        "--domain",
        domain,
        "--name",
        "dc-run-1",
        "app/flows.py",
        "main",
        "--a",
        "2",
        "--xs",
        "[4, 5]",
        "--p",
        '{"x": 1, "y": 2}',
      ]),
      "pyflyte run with a dataclass",
    );
    const main = await admin.getExecutionData({ id: { ...scope, name: "dc-run-1" } });
    const xs = main.fullInputs?.literals.xs?.value;
    expect(xs?.case === "collection" ? xs.value.literals.map((l) => lit.asInt(l)) : []).toEqual([4n, 5n]);
    // flytekit 1.16 sends dataclasses as MessagePack binary literals.
    const p = main.fullInputs?.literals.p?.value;
    expect(p?.case === "scalar" ? p.value.value.case : undefined).toBe("binary");
    const wf = await propeller.resource("dc-run-1");
    // The branch's then and else nodes sit beside the others in the resource, as propeller reads them.
    expect(Object.keys(wf.spec.nodes).length).toBe(10);
    expect(Object.values(wf.spec.nodes).filter((n) => n.kind === "branch").length).toBe(1);
  });

  test("a second run under a name already taken gets the existing execution, as flytekit does on AlreadyExists", async () => {
    const before = env.kube.requests.length;
    const r = ok(
      await pyflyte(["run", "--remote", "--project", project, "--domain", domain, "--name", "pyflyte-task-1", "app/flows.py", "add", "--a", "1"]),
      "pyflyte run, name taken",
    );
    expect(r.output).toContain("executions/pyflyte-task-1");
    expect(env.kube.requests.slice(before).filter((q) => q.method === "POST").length).toBe(0);
    const data = await env.ts.admin().getExecutionData({ id: { ...scope, name: "pyflyte-task-1" } });
    expect(lit.asInt(data.fullInputs?.literals.a)).toBe(40n);
  });
});

describe("pyflyte's other everyday commands", () => {
  test("info shows the backend version we serve", async () => {
    const r = ok(await pyflyte(["info"]), "pyflyte info");
    const v = await env.ts.admin().getVersion({});
    expect(r.output).toContain(`Flyte Backend Version: ${v.controlPlaneVersion?.Version}`);
    expect(r.output).toContain(`Flyte Backend Endpoint: 127.0.0.1:${new URL(env.ts.grpcUrl).port}`);
  });

  test("get launchplan lists versions with their state; launchplan --deactivate/--activate switches it", async () => {
    const list = ok(await pyflyte(["get", "launchplan", "-p", project, "-d", domain]), "pyflyte get launchplan");
    expect(list.output).toMatch(/main_fixed\s*│\s*v1\s*│\s*ACTIVE/);
    const state = async () =>
      (await env.ts.admin().getLaunchPlan({ id: { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name: "main_fixed", version: "v1" } })).closure?.state;
    ok(await pyflyte(["launchplan", "-p", project, "-d", domain, "--deactivate", "main_fixed", "v1"]), "pyflyte launchplan --deactivate");
    expect(await state()).toBe(LaunchPlanState.INACTIVE);
    const on = ok(await pyflyte(["launchplan", "-p", project, "-d", domain, "--activate", "main_fixed"]), "pyflyte launchplan --activate");
    expect(on.output).toContain("main_fixed:v1");
    expect(await state()).toBe(LaunchPlanState.ACTIVE);
  });

  test("fetch of a finished node's inputs and outputs", async () => {
    expect(finished).not.toBe("");
    const inputs = ok(await pyflyte(["fetch", `flyte://v1/${project}/${domain}/${finished}/n0/i`]), "pyflyte fetch inputs");
    // It prints the Python values: a dict of the node's inputs, the default included.
    expect(inputs.output).toContain("'a': 5");
    expect(inputs.output).toContain("'b': 2");
    const outputs = ok(await pyflyte(["fetch", `flyte://v1/${project}/${domain}/${finished}/n1/o`]), "pyflyte fetch outputs");
    expect(outputs.output).toContain("{'o0': 12}");
  });

  test("metrics explain prints the spans of a finished run", async () => {
    const r = ok(await pyflyte(["metrics", "-p", project, "-d", domain, "explain", finished]), "pyflyte metrics explain");
    expect(r.output).toContain("WORKFLOW_SETUP");
    expect(r.output).toContain(`workflow/${finished}`);
    expect(r.output).toContain("NODE_SETUP");
  });

  test("execution relaunch and recover launch new executions that point back at the original", async () => {
    const admin = env.ts.admin();
    for (const verb of ["relaunch", "recover"]) {
      const r = ok(await pyflyte(["execution", "-p", project, "-d", domain, "--execution-id", finished, verb]), `pyflyte execution ${verb}`);
      const name = /ex:flytesnacks:development:([a-z0-9]+)/.exec(r.output)?.[1] ?? "";
      const e = await admin.getExecution({ id: { ...scope, name } });
      expect(e.spec?.metadata?.referenceExecution?.name).toBe(finished);
      expect(e.spec?.metadata?.mode).toBe(verb === "relaunch" ? Mode.RELAUNCH : Mode.RECOVERED);
    }
  });
});

describe("pyflyte package + flytectl register files", () => {
  test("the package registers through flytectl, archive uploaded to our signed URL", async () => {
    const out = join(env.ts.dir, "flyte-package.tgz");
    ok(await pyflyte(["--pkgs", "app", "package", "--image", "cr.flyte.org/flyteorg/flytekit:py3.11-1.16.31", "--fast", "--output", out]), "pyflyte package");
    expect(existsSync(out)).toBe(true);
    const r = ok(
      await env.run([
        env.tools.flytectl,
        "--config",
        env.config,
        "register",
        "files",
        out,
        "--project",
        project,
        "--domain",
        domain,
        "--version",
        "pkg-v1",
        "--archive",
      ]),
      "flytectl register files",
    );
    expect(r.output).toContain("app.flows.chain");
    const admin = env.ts.admin();
    const task = await admin.getTask({ id: { resourceType: ResourceType.TASK, ...scope, name: "app.flows.add", version: "pkg-v1" } });
    const args = task.closure?.compiledTask?.template?.target.case === "container" ? task.closure.compiledTask.template.target.value.args : [];
    // flytectl filled the fast-registration placeholders with the archive it uploaded.
    const archive = args.find((a) => a.endsWith(".tar.gz")) ?? "";
    expect(archive.startsWith("file://")).toBe(true);
    expect(existsSync(new URL(archive).pathname)).toBe(true);
    const wf = await admin.getWorkflow({ id: { resourceType: ResourceType.WORKFLOW, ...scope, name: "app.flows.main", version: "pkg-v1" } });
    expect(wf.closure?.compiledWorkflow?.primary?.template?.nodes.map((n) => n.id).sort()).toEqual([
      "end-node",
      "n0",
      "n1",
      "n2",
      "n3",
      "n4",
      "n5",
      "start-node",
    ]);
  });
});

function findFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}
