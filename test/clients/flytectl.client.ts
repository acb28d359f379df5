// flytectl (github.com/flyteorg/flyte/flytectl v0.9.4) over native gRPC with `insecure: true`: config
// init, projects, reads of tasks/workflows/launch plans with exec-spec files, executions created from
// those files, execution reads with node and task executions, launch plan and project state, matchable
// attributes from attribute files, termination, version and execution list filters.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ResourceType } from "../../src/gen/flyteidl/core/identifier_pb";
import { ExecutionMetadata_ExecutionMode, ExecutionState } from "../../src/gen/flyteidl/admin/execution_pb";
import { LaunchPlanState } from "../../src/gen/flyteidl/admin/launch_plan_pb";
import { NamedEntityState } from "../../src/gen/flyteidl/admin/common_pb";
import { MatchableResource } from "../../src/gen/flyteidl/admin/matchable_resource_pb";
import { Project_ProjectState as ProjectState } from "../../src/gen/flyteidl/admin/project_pb";
import { WorkflowExecution_Phase as Phase } from "../../src/gen/flyteidl/core/execution_pb";
import { versionInfo } from "../../src/kernel/version";
import { domain, ok, project, startClientEnv, type ClientEnv, type RunResult } from "./harness";
import { FakePropeller, projectTasks, lit } from "./propeller";

let env: ClientEnv;
let propeller: FakePropeller;
const scope = { project, domain };
const pd = ["-p", project, "-d", domain];

beforeAll(async () => {
  env = await startClientEnv();
  propeller = new FakePropeller(env.ts, env.kube, projectTasks);
  ok(
    await env.run([env.tools.pyflyte, "--config", env.config, "register", "--project", project, "--domain", domain, "--version", "v1", "app"], {
      timeoutMs: 180_000,
    }),
    "pyflyte register v1",
  );
  // A second version of everything, so --latest and --version have something to choose between.
  ok(
    await env.run([env.tools.pyflyte, "--config", env.config, "register", "--project", project, "--domain", domain, "--version", "v2", "app"], {
      timeoutMs: 180_000,
    }),
    "pyflyte register v2",
  );
});
afterAll(async () => {
  await env?.close();
});

/** flytectl against our server; every call names the config file and has a timeout. */
const flytectl = (args: string[], opts: { timeoutMs?: number; stdin?: string } = {}): Promise<RunResult> =>
  env.run([env.tools.flytectl, "--config", env.config, ...args], { timeoutMs: 60_000, ...opts });
const run = async (args: string[]): Promise<RunResult> => ok(await flytectl(args), `flytectl ${args.join(" ")}`);
const json = async <T = Record<string, unknown>>(args: string[]): Promise<T> => JSON.parse((await run([...args, "-o", "json"])).stdout) as T;
const file = (name: string, text?: string): string => {
  const path = join(env.ts.dir, name);
  if (text !== undefined) writeFileSync(path, text);
  return path;
};
const admin = () => env.ts.admin();
// flytectl colours table headers even without a terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the colour codes stripped here.
const stripAnsi = (s: string): string => s.replace(/\u001b\[[0-9;]*m/g, "");

describe("flytectl config", () => {
  test("config init writes a config for our host into the private HOME", async () => {
    const grpcPort = new URL(env.ts.grpcUrl).port;
    // Without --config: init writes $HOME/.flyte/config.yaml; --force overwrites the harness's copy.
    const r = ok(
      await env.run([env.tools.flytectl, "config", "init", "--host", `127.0.0.1:${grpcPort}`, "--insecure", "--force"], {
        timeoutMs: 30_000,
        env: { FLYTECTL_CONFIG: "" },
      }),
      "flytectl config init",
    );
    const written = join(env.home, ".flyte", "config.yaml");
    const text = readFileSync(written, "utf8");
    expect(text).toContain(`endpoint: dns:///127.0.0.1:${grpcPort}`);
    expect(text).toMatch(/insecure: true/);
    expect(r.output).toContain(written);
    // The written config reaches our server.
    const p = ok(
      await env.run([env.tools.flytectl, "--config", written, "get", "project", project, "-o", "json"], { timeoutMs: 30_000 }),
      "get project with init config",
    );
    expect(JSON.parse(p.stdout).id).toBe(project);
  });
});

describe("flytectl projects", () => {
  test("create project from flags and from a file", async () => {
    const r = await run(["create", "project", "--id", "ctl-one", "--name", "Ctl One", "--description", "made by flytectl"]);
    expect(r.stdout).toContain("project created successfully.");
    const f = file("project.yaml", "id: ctl-two\nname: Ctl Two\ndescription: from a file\nlabels:\n  values:\n    team: infra\n");
    ok(await flytectl(["create", "project", "--file", f]), "create project --file");
    const { projects } = await admin().listProjects({ limit: 100 });
    const one = projects.find((p) => p.id === "ctl-one");
    expect(one?.name).toBe("Ctl One");
    expect(one?.description).toBe("made by flytectl");
    const two = projects.find((p) => p.id === "ctl-two");
    expect(two?.description).toBe("from a file");
    expect(two?.labels?.values).toEqual({ team: "infra" });
    expect(two?.domains.map((d) => d.id)).toEqual(["development", "staging", "production"]);
  });

  test("creating a project that exists fails", async () => {
    const r = await flytectl(["create", "project", "--id", "ctl-one", "--name", "Ctl One"]);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("AlreadyExists");
  });

  test("get project, plain, json and yaml", async () => {
    const plain = stripAnsi((await run(["get", "project"])).stdout);
    expect(plain).toMatch(/\| ctl-one\s+\| Ctl One\s+\| made by flytectl\s+\|/);
    expect(plain).toMatch(/\| ID\s+\| NAME\s+\| DESCRIPTION\s+\|/);
    expect(plain).toContain("3 rows");
    const all = JSON.parse((await run(["get", "project", "-o", "json"])).stdout) as Array<{ id: string }>;
    expect(all.map((p) => p.id).sort()).toEqual(["ctl-one", "ctl-two", project].sort());
    const one = await json<{ id: string; name: string; domains: Array<{ id: string; name: string }> }>(["get", "project", "ctl-one"]);
    expect(one.id).toBe("ctl-one");
    expect(one.domains.map((d) => d.id)).toEqual(["development", "staging", "production"]);
    const yaml = await run(["get", "project", "ctl-two", "-o", "yaml"]);
    expect(yaml.stdout).toContain("id: ctl-two");
    expect(yaml.stdout).toContain("description: from a file");
  });

  test("update project --archive then --activate", async () => {
    const arch = await run(["update", "project", "-p", "ctl-one", "--archive", "--force"]);
    expect(arch.stdout).toContain("project ctl-one updated");
    const state = async () => (await admin().getProject({ id: "ctl-one" })).state;
    expect(await state()).toBe(ProjectState.ARCHIVED);
    // An archived project is left out of the default list, as upstream does.
    const active = JSON.parse((await run(["get", "project", "-o", "json"])).stdout) as Array<{ id: string }>;
    expect(active.map((p) => p.id)).not.toContain("ctl-one");
    ok(await flytectl(["update", "project", "-p", "ctl-one", "--activate", "--force"]), "update project --activate");
    expect(await state()).toBe(ProjectState.ACTIVE);
  });

  test("update project --file replaces name, description and labels", async () => {
    const f = file("project-update.yaml", "id: ctl-two\nname: Ctl Two Renamed\ndescription: changed\nlabels:\n  values:\n    team: ml\n");
    const r = await run(["update", "project", "--file", f, "--force"]);
    expect(r.stdout).toContain("project ctl-two updated");
    const p = await admin().getProject({ id: "ctl-two" });
    expect([p.name, p.description, p.labels?.values]).toEqual(["Ctl Two Renamed", "changed", { team: "ml" }]);
    const missing = await flytectl(["update", "project", "-p", "nope", "--archive", "--force"]);
    expect(missing.output).toContain("project nope not found");
  });
});

describe("flytectl get task/workflow/launchplan", () => {
  test("get task: plain, --latest, --version, yaml", async () => {
    const plain = await run(["get", "task", ...pd, "app.flows.add"]);
    expect(plain.stdout).toContain("app.flows.add");
    expect(plain.stdout).toContain("v1");
    expect(plain.stdout).toContain("v2");
    const latest = await json<{ id: { version: string; name: string } }>(["get", "task", ...pd, "app.flows.add", "--latest"]);
    expect(latest.id.version).toBe("v2");
    const v1 = await json<{ id: { version: string } }>(["get", "task", ...pd, "app.flows.add", "--version", "v1"]);
    expect(v1.id.version).toBe("v1");
    const yaml = await run(["get", "task", ...pd, "app.flows.add", "--version", "v1", "-o", "yaml"]);
    expect(yaml.stdout).toContain("name: app.flows.add");
    expect(yaml.stdout).toContain("version: v1");
    const list = await run(["get", "task", ...pd]);
    expect(list.stdout).toContain("app.flows.greet");
  });

  test("get workflow: plain, --latest, --version, yaml", async () => {
    const plain = await run(["get", "workflow", ...pd, "app.flows.chain"]);
    expect(plain.stdout).toContain("app.flows.chain");
    expect(plain.stdout).toContain("v2");
    const latest = await json<{ id: { version: string } }>(["get", "workflow", ...pd, "app.flows.chain", "--latest"]);
    expect(latest.id.version).toBe("v2");
    const v1 = await run(["get", "workflow", ...pd, "app.flows.chain", "--version", "v1", "-o", "yaml"]);
    expect(v1.stdout).toContain("version: v1");
    expect(v1.stdout).toContain("name: app.flows.chain");
    const list = await run(["get", "workflow", ...pd]);
    expect(list.stdout).toContain("app.flows.main");
  });

  test("get launchplan: plain, --latest, --version, yaml", async () => {
    const plain = await run(["get", "launchplan", ...pd, "app.flows.chain"]);
    expect(plain.stdout).toContain("app.flows.chain");
    const latest = await json<{ id: { version: string } }>(["get", "launchplan", ...pd, "app.flows.chain", "--latest"]);
    expect(latest.id.version).toBe("v2");
    const yaml = await run(["get", "launchplan", ...pd, "app.flows.chain", "--version", "v1", "-o", "yaml"]);
    expect(yaml.stdout).toContain("version: v1");
    const list = await run(["get", "launchplan", ...pd]);
    expect(list.stdout).toContain("main_fixed");
  });

  test("--execFile writes exec specs for a launch plan and a task", async () => {
    const lpFile = file("chain.exec.yaml");
    await run(["get", "launchplan", ...pd, "app.flows.chain", "--version", "v1", "--execFile", lpFile]);
    const lpSpec = readFileSync(lpFile, "utf8");
    expect(lpSpec).toContain("workflow: app.flows.chain");
    expect(lpSpec).toContain("version: v1");
    expect(lpSpec).toMatch(/name: flyte/);
    const taskFile = file("add.exec.yaml");
    await run(["get", "task", ...pd, "app.flows.add", "--version", "v1", "--execFile", taskFile]);
    const taskSpec = readFileSync(taskFile, "utf8");
    expect(taskSpec).toContain("task: app.flows.add");
    // A task interface carries no defaults, so every input is written with its type's zero value.
    expect(taskSpec).toMatch(/\n\s+a: 0\n\s+b: 0\n/);
  });
});

let lpExec = "";
let taskExec = "";

describe("flytectl executions", () => {
  test("create execution --execFile for a launch plan", async () => {
    const spec = readFileSync(file("chain.exec.yaml"), "utf8")
      .replace(/(\n\s+a:) .*/, "$1 5")
      .replace(/name: flyte/, "name: ctl");
    const f = file("chain.run.yaml", spec);
    const r = await run(["create", "execution", ...pd, "--execFile", f]);
    const m = r.stdout.match(/execution identifier project:"flytesnacks"\s+domain:"development"\s+name:"([a-z0-9]+)"/);
    expect(m).not.toBeNull();
    lpExec = m?.[1] ?? "";
    const e = await admin().getExecution({ id: { ...scope, name: lpExec } });
    expect(e.spec?.launchPlan?.name).toBe("app.flows.chain");
    expect(e.spec?.launchPlan?.version).toBe("v1");
    const data = await admin().getExecutionData({ id: { ...scope, name: lpExec } });
    expect(lit.asInt(data.fullInputs?.literals.a)).toBe(5n);
    expect(lit.asStr(data.fullInputs?.literals.name)).toBe("ctl");
    const outputs = await propeller.complete(lpExec);
    expect(lit.asInt(outputs.literals.o0)).toBe(12n);
  });

  test("create execution --execFile for a task, with a name", async () => {
    const spec = readFileSync(file("add.exec.yaml"), "utf8")
      .replace(/(\n\s+a:) .*/, "$1 40")
      .replace(/(\n\s+b:) .*/, "$1 3");
    const f = file("add.run.yaml", spec);
    const r = await run(["create", "execution", ...pd, "--execFile", f, "ctl-task-1"]);
    expect(r.stdout).toContain('name:"ctl-task-1"');
    taskExec = "ctl-task-1";
    const e = await admin().getExecution({ id: { ...scope, name: taskExec } });
    expect(e.spec?.launchPlan?.resourceType).toBe(ResourceType.TASK);
    expect(e.spec?.launchPlan?.name).toBe("app.flows.add");
    const data = await admin().getExecutionData({ id: { ...scope, name: taskExec } });
    expect(lit.asInt(data.fullInputs?.literals.a)).toBe(40n);
    expect(lit.asInt(data.fullInputs?.literals.b)).toBe(3n);
    // A taken name: flytectl prints the server's AlreadyExists as it comes.
    const dup = await flytectl(["create", "execution", ...pd, "--execFile", f, "ctl-task-1"]);
    expect(dup.code).not.toBe(0);
    expect(dup.output).toContain(
      'code = AlreadyExists desc = value with matching already exists (duplicate key value violates unique constraint "executions_pkey")',
    );
  });

  test("create execution refuses a missing required input and an unknown version", async () => {
    const spec = readFileSync(file("chain.exec.yaml"), "utf8");
    const missing = await flytectl(["create", "execution", ...pd, "--execFile", file("chain.missing.yaml", spec.replace(/\n\s+a: .*/, ""))]);
    expect(missing.code).not.toBe(0);
    expect(missing.output).toContain("code = InvalidArgument desc = expected_inputs a missing");
    const version = await flytectl(["create", "execution", ...pd, "--execFile", file("chain.nover.yaml", spec.replace("version: v1", "version: nope"))]);
    expect(version.output).toContain(
      'code = NotFound desc = missing entity of type LAUNCH_PLAN with identifier project:"flytesnacks" domain:"development" name:"app.flows.chain" version:"nope"',
    );
  });

  test("get execution: plain, json, --details, --nodeID", async () => {
    const plain = await run(["get", "execution", ...pd, lpExec]);
    expect(plain.stdout).toContain(lpExec);
    expect(plain.stdout).toContain("SUCCEEDED");
    expect(plain.stdout).toContain("app.flows.chain");
    const one = await json<{ id: { name: string }; closure: { phase: string } }>(["get", "execution", ...pd, lpExec]);
    expect(one.id.name).toBe(lpExec);
    expect(one.closure.phase).toBe("SUCCEEDED");

    const details = await run(["get", "execution", ...pd, lpExec, "--details"]);
    for (const n of ["n0", "n1", "n2"]) expect(details.stdout).toContain(n);
    expect(details.stdout).toContain("SUCCEEDED");
    const detailsYaml = await run(["get", "execution", ...pd, lpExec, "--details", "-o", "yaml"]);
    expect(detailsYaml.stdout).toContain("nodeId: n0");

    // n0 is add(a=5) with b defaulted: its task attempt, log link and output 7.
    const node = await run(["get", "execution", ...pd, lpExec, "--nodeID", "n0"]);
    expect(node.stdout).toMatch(/n0 - SUCCEEDED/);
    expect(node.stdout).toMatch(/Task - SUCCEEDED/);
    expect(node.stdout).toContain("Task Type - python-task");
    expect(node.stdout).toContain(`URI :http://logs.local/${lpExec}/n0`);
    expect(node.stdout).toMatch(/o0: 7\n/);
    const nodeYaml = await run(["get", "execution", ...pd, lpExec, "--nodeID", "n0", "-o", "yaml"]);
    expect(nodeYaml.stdout).toContain("Kubernetes Logs");
  });

  test("get execution -o json with field selector, sort, limit and page", async () => {
    type Exec = { id: { name: string }; closure: { phase: string } };
    const list = async (extra: string[]): Promise<Exec[]> => {
      const out = JSON.parse((await run(["get", "execution", ...pd, "-o", "json", ...extra])).stdout) as Exec | Exec[];
      return Array.isArray(out) ? out : [out];
    };
    const succeeded = await list(["--filter.fieldSelector", "execution.phase in (SUCCEEDED)"]);
    expect(succeeded.map((e) => e.id.name)).toEqual([lpExec]);
    // Upstream checks fields against the table's columns: the key column is execution_name.
    const bad = await flytectl(["get", "execution", ...pd, "-o", "json", "--filter.fieldSelector", `execution.name=${taskExec}`]);
    expect(bad.code).not.toBe(0);
    expect(bad.output).toContain("'execution.name' is invalid filter");
    const queued = await list(["--filter.fieldSelector", `execution.execution_name=${taskExec}`]);
    expect(queued.map((e) => e.id.name)).toEqual([taskExec]);
    // Durations compare in seconds; the played execution took a few dozen seconds of event time.
    const short = await list(["--filter.fieldSelector", "execution.phase in (FAILED;SUCCEEDED),execution.duration<200"]);
    expect(short.map((e) => e.id.name)).toEqual([lpExec]);
    const long = await flytectl(["get", "execution", ...pd, "-o", "json", "--filter.fieldSelector", "execution.duration>200"]);
    expect(ok(long, "duration>200").stdout.trim()).toBe("[]");
    const badSort = await flytectl(["get", "execution", ...pd, "--filter.sortBy", "bogus"]);
    expect(badSort.output).toContain("code = InvalidArgument desc = invalid sort key 'bogus'");
    const desc = await list(["--filter.sortBy", "created_at"]);
    expect(desc.map((e) => e.id.name)).toEqual([taskExec, lpExec]);
    const asc = await list(["--filter.sortBy", "created_at", "--filter.asc"]);
    expect(asc.map((e) => e.id.name)).toEqual([lpExec, taskExec]);
    const page1 = await list(["--filter.sortBy", "created_at", "--filter.limit", "1", "--filter.page", "1"]);
    expect(page1.map((e) => e.id.name)).toEqual([taskExec]);
    const page2 = await list(["--filter.sortBy", "created_at", "--filter.limit", "1", "--filter.page", "2"]);
    expect(page2.map((e) => e.id.name)).toEqual([lpExec]);
  });

  test("delete execution terminates it", async () => {
    ok(await flytectl(["delete", "execution", ...pd, taskExec]), "delete execution");
    await propeller.abortWhenDeleted(taskExec);
    const e = await admin().getExecution({ id: { ...scope, name: taskExec } });
    expect(e.closure?.phase).toBe(Phase.ABORTED);
    // flytectl sends no cause.
    expect(e.closure?.outputResult.case).toBe("abortMetadata");
    expect(e.closure?.outputResult.case === "abortMetadata" ? e.closure.outputResult.value.cause : "?").toBe("");
    const shown = await json<{ closure: { phase: string; abortMetadata?: unknown } }>(["get", "execution", ...pd, taskExec]);
    expect(shown.closure.phase).toBe("ABORTED");
  });
});

describe("flytectl relaunch, recover, archive", () => {
  test("create execution --relaunch and --recover copy the execution they name", async () => {
    const relaunch = await run(["create", "execution", ...pd, "--relaunch", lpExec, "ctl-relaunch"]);
    expect(relaunch.stdout).toContain('name:"ctl-relaunch"');
    const r = await admin().getExecution({ id: { ...scope, name: "ctl-relaunch" } });
    expect(r.spec?.metadata?.mode).toBe(ExecutionMetadata_ExecutionMode.RELAUNCH);
    expect(r.spec?.metadata?.referenceExecution?.name).toBe(lpExec);
    const data = await admin().getExecutionData({ id: { ...scope, name: "ctl-relaunch" } });
    expect(lit.asInt(data.fullInputs?.literals.a)).toBe(5n);
    const recover = await run(["create", "execution", ...pd, "--recover", lpExec, "ctl-recover"]);
    expect(recover.stdout).toContain('name:"ctl-recover"');
    const c = await admin().getExecution({ id: { ...scope, name: "ctl-recover" } });
    expect(c.spec?.metadata?.mode).toBe(ExecutionMetadata_ExecutionMode.RECOVERED);
    expect(c.spec?.metadata?.referenceExecution?.name).toBe(lpExec);
  });

  test("update execution --archive hides it from the list, --activate brings it back", async () => {
    const r = await run(["update", "execution", ...pd, "ctl-recover", "--archive", "--force"]);
    expect(r.stdout).toContain("updated execution ctl-recover successfully to state EXECUTION_ARCHIVED");
    expect((await admin().getExecution({ id: { ...scope, name: "ctl-recover" } })).closure?.stateChangeDetails?.state).toBe(ExecutionState.EXECUTION_ARCHIVED);
    const names = async () =>
      (JSON.parse((await run(["get", "execution", ...pd, "-o", "json"])).stdout) as Array<{ id: { name: string } }>).map((e) => e.id.name);
    expect(await names()).not.toContain("ctl-recover");
    await run(["update", "execution", ...pd, "ctl-recover", "--activate", "--force"]);
    expect(await names()).toContain("ctl-recover");
  });
});

describe("flytectl named entity metadata", () => {
  test("update workflow-meta --archive and task-meta --description", async () => {
    const r = await run(["update", "workflow-meta", ...pd, "app.flows.inner", "--archive", "--description", "inner wf", "--force"]);
    expect(r.stdout).toContain("updated metadata successfully on app.flows.inner");
    const e = await admin().getNamedEntity({ resourceType: ResourceType.WORKFLOW, id: { ...scope, name: "app.flows.inner" } });
    expect(e.metadata?.description).toBe("inner wf");
    expect(e.metadata?.state).toBe(NamedEntityState.NAMED_ENTITY_ARCHIVED);
    // Archived names stay in the plain list and are what a state filter picks out.
    const archived = stripAnsi((await run(["get", "workflow", ...pd, "--filter.fieldSelector", "entities.state=1"])).stdout);
    expect(archived).toMatch(/\| app\.flows\.inner\s+\| inner wf\s+\| NAMED_ENTITY_ARCHIVED\s+\|/);
    expect(archived).toContain("1 rows");
    await run(["update", "task-meta", ...pd, "app.flows.add", "--description", "adds", "--force"]);
    const t = await admin().getNamedEntity({ resourceType: ResourceType.TASK, id: { ...scope, name: "app.flows.add" } });
    expect(t.metadata?.description).toBe("adds");
    const missing = await flytectl(["update", "launchplan-meta", ...pd, "nope", "--description", "x", "--force"]);
    expect(missing.output).toContain("code = NotFound desc = entry not found");
  });
});

describe("flytectl update launchplan", () => {
  test("--activate then --archive", async () => {
    const id = { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name: "app.flows.chain", version: "v1" };
    const r = await run(["update", "launchplan", ...pd, "app.flows.chain", "--version", "v1", "--activate", "--force"]);
    expect(r.stdout).toContain("updated launch plan successfully on app.flows.chain");
    expect((await admin().getLaunchPlan({ id })).closure?.state).toBe(LaunchPlanState.ACTIVE);
    expect((await admin().getActiveLaunchPlan({ id: { ...scope, name: "app.flows.chain" } })).id?.version).toBe("v1");
    // Activating another version retires the one that was active.
    await run(["update", "launchplan", ...pd, "app.flows.chain", "--version", "v2", "--activate", "--force"]);
    expect((await admin().getLaunchPlan({ id })).closure?.state).toBe(LaunchPlanState.INACTIVE);
    expect((await admin().getActiveLaunchPlan({ id: { ...scope, name: "app.flows.chain" } })).id?.version).toBe("v2");
    const active = stripAnsi((await run(["get", "launchplan", ...pd, "--filter.fieldSelector", "launch_plan.state=1"])).stdout);
    expect(active).toMatch(/\| v2\s+\| app\.flows\.chain\s+\| LAUNCH_PLAN/);
    expect(active).toContain("1 rows");
    ok(await flytectl(["update", "launchplan", ...pd, "app.flows.chain", "--version", "v2", "--archive", "--force"]), "update launchplan --archive");
    expect((await admin().getLaunchPlan({ id: { ...id, version: "v2" } })).closure?.state).toBe(LaunchPlanState.INACTIVE);
    const none = await flytectl(["get", "launchplan", ...pd, "--filter.fieldSelector", "launch_plan.state=1"]);
    expect(none.output).toContain("no launchplans retrieved");
  });
});

describe("flytectl matchable attributes", () => {
  test("task-resource-attribute: update, get, delete", async () => {
    const f = file("tra.yaml", `domain: ${domain}\nproject: ${project}\ndefaults:\n  cpu: "1"\n  memory: 150Mi\nlimits:\n  cpu: "2"\n  memory: 450Mi\n`);
    const up = await run(["update", "task-resource-attribute", "--attrFile", f, "--force"]);
    expect(up.stdout).toContain(`Updated attributes from ${project} project and domain ${domain}`);
    const got = await admin().getProjectDomainAttributes({ ...scope, resourceType: MatchableResource.TASK_RESOURCE });
    const target = got.attributes?.matchingAttributes?.target;
    expect(target?.case).toBe("taskResourceAttributes");
    if (target?.case === "taskResourceAttributes") {
      expect(target.value.defaults?.cpu).toBe("1");
      expect(target.value.limits?.memory).toBe("450Mi");
    }
    const read = await json<{ defaults: { cpu: string }; limits: { memory: string } }>(["get", "task-resource-attribute", ...pd]);
    expect(read.defaults.cpu).toBe("1");
    expect(read.limits.memory).toBe("450Mi");
    // --attrFile on get writes the attributes back out in the update file's shape.
    const out = file("tra.out.yaml");
    await run(["get", "task-resource-attribute", ...pd, "--attrFile", out]);
    expect(readFileSync(out, "utf8")).toContain("memory: 450Mi");
    const again = await run(["update", "task-resource-attribute", "--attrFile", f, "--force"]);
    expect(again.stdout).toContain("No changes detected");

    const del = await run(["delete", "task-resource-attribute", "--attrFile", f]);
    expect(del.stdout).toContain(`Deleted matchable resources from ${project} project and domain ${domain}`);
    const gone = await admin()
      .getProjectDomainAttributes({ ...scope, resourceType: MatchableResource.TASK_RESOURCE })
      .catch((e: Error) => e);
    expect(gone).toBeInstanceOf(Error);
    const r = await flytectl(["get", "task-resource-attribute", ...pd]);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain("Error: attribute not found");
  });

  test("a project-level attribute answers project-domain reads until one is set there", async () => {
    const f = file("tra-project.yaml", `project: ${project}\ndefaults:\n  cpu: "3"\n`);
    const up = await run(["update", "task-resource-attribute", "--attrFile", f, "--force"]);
    expect(up.stdout).toContain(`Updated attributes from ${project} project\n`);
    const read = await json<{ project: string; domain: string; defaults: { cpu: string } }>(["get", "task-resource-attribute", ...pd]);
    expect(read).toEqual({ project, domain, defaults: { cpu: "3" } });
    const del = await run(["delete", "task-resource-attribute", "--attrFile", f]);
    expect(del.stdout).toContain(`Deleted matchable resources from ${project} project`);
    expect((await flytectl(["get", "task-resource-attribute", ...pd])).output).toContain("attribute not found");
  });

  test("the other attribute kinds round-trip through their files", async () => {
    const kinds: Array<[string, string, Record<string, unknown>]> = [
      ["cluster-resource-attribute", "attributes:\n  foo: bar\n", { attributes: { foo: "bar" } }],
      ["execution-cluster-label", "value: blue\n", { value: "blue" }],
      [
        "plugin-override",
        "overrides:\n  - task_type: python_task\n    plugin_id:\n      - p1\n    missing_plugin_behavior: 1\n",
        { overrides: [{ task_type: "python_task", plugin_id: ["p1"], missing_plugin_behavior: 1 }] },
      ],
      [
        "workflow-execution-config",
        "max_parallelism: 5\nraw_output_data_config:\n  output_location_prefix: s3://bucket/raw\ninterruptible:\n  value: true\noverwrite_cache: true\nenvs:\n  values:\n    - key: K\n      value: V\n",
        {
          max_parallelism: 5,
          raw_output_data_config: { output_location_prefix: "s3://bucket/raw" },
          interruptible: { value: true },
          overwrite_cache: true,
          envs: { values: [{ key: "K", value: "V" }] },
        },
      ],
    ];
    for (const [kind, body, want] of kinds) {
      const f = file(`${kind}.yaml`, `project: ${project}\ndomain: ${domain}\n${body}`);
      await run(["update", kind, "--attrFile", f, "--force"]);
      expect(await json([`get`, kind, ...pd])).toEqual({ project, domain, ...want });
      await run(["delete", kind, "--attrFile", f]);
      expect((await flytectl(["get", kind, ...pd])).output).toContain("attribute not found");
    }
  });

  test("execution-queue-attribute at workflow level: update, get, delete", async () => {
    const wf = "app.flows.chain";
    const f = file("era.yaml", `domain: ${domain}\nproject: ${project}\nworkflow: ${wf}\ntags:\n  - foo\n  - bar\n`);
    const up = await run(["update", "execution-queue-attribute", "--attrFile", f, "--force"]);
    expect(up.stdout).toContain(`and workflow ${wf}`);
    const got = await admin().getWorkflowAttributes({ ...scope, workflow: wf, resourceType: MatchableResource.EXECUTION_QUEUE });
    const target = got.attributes?.matchingAttributes?.target;
    expect(target?.case === "executionQueueAttributes" ? target.value.tags : []).toEqual(["foo", "bar"]);
    const read = await json<{ tags: string[]; workflow: string }>(["get", "execution-queue-attribute", ...pd, wf]);
    expect(read.tags).toEqual(["foo", "bar"]);
    expect(read.workflow).toBe(wf);
    const out = file("era.out.yaml");
    await run(["get", "execution-queue-attribute", ...pd, wf, "--attrFile", out]);
    expect(readFileSync(out, "utf8")).toContain("- foo");
    const del = await run(["delete", "execution-queue-attribute", "--attrFile", f]);
    expect(del.stdout).toContain(`and workflow ${wf}`);
    const r = await flytectl(["get", "execution-queue-attribute", ...pd, wf]);
    expect(r.code).not.toBe(0);
  });
});

describe("flytectl version", () => {
  test("prints the server's version", async () => {
    // It also asks api.github.com for the latest release, which fails here without failing the command.
    const r = ok(await flytectl(["version"]), "flytectl version");
    const printed = r.stdout
      .trim()
      .split(/(?<=\})(?=\{)/)
      .map((j) => JSON.parse(j) as Record<string, string>);
    expect(printed.map((v) => v.App)).toEqual(["flytectl", "controlPlane"]);
    const server = printed[1];
    expect(server).toEqual({ App: "controlPlane", Build: versionInfo.build, Version: versionInfo.version, BuildTime: versionInfo.buildTime });
  });
});
