// flytectl (github.com/flyteorg/flyte/flytectl v0.9.4) over native gRPC with `insecure: true`: config
// init, projects, get of tasks/workflows/launch plans with exec files, executions from exec files,
// execution details with node executions, launch-plan activation and archive, matchable attributes,
// terminate, version, and its own list filters.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { LaunchPlanState } from "../../src/gen/flyteidl/admin/launch_plan_pb";
import { MatchableResource } from "../../src/gen/flyteidl/admin/matchable_resource_pb";
import { Project_ProjectState as ProjectState } from "../../src/gen/flyteidl/admin/project_pb";
import { WorkflowExecution_Phase as Phase } from "../../src/gen/flyteidl/core/execution_pb";
import { ResourceType } from "../../src/gen/flyteidl/core/identifier_pb";
import { domain, ok, project, startClientEnv, type ClientEnv, type RunResult } from "./harness";
import { FakePropeller, lit } from "./propeller";

let env: ClientEnv;
let propeller: FakePropeller;
const scope = { project, domain };
const pd = ["-p", project, "-d", domain];

beforeAll(async () => {
  env = await startClientEnv();
  propeller = new FakePropeller(env.ts, env.kube, {
    "app.flows.add": (i) => ({ o0: lit.int(lit.asInt(i.a) + lit.asInt(i.b)) }),
    "app.flows.greet": (i) => ({ o0: lit.str(`hello ${lit.asStr(i.name)}`) }),
  });
  for (const version of ["v1", "v2"]) {
    ok(
      await env.run([env.tools.pyflyte, "--config", env.config, "register", "--project", project, "--domain", domain, "--version", version, "app"], { timeoutMs: 180_000 }),
      `pyflyte register ${version}`,
    );
  }
}, 400_000);
afterAll(async () => {
  await env?.close();
});

const flytectl = (args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<RunResult> =>
  env.run([env.tools.flytectl, "--config", env.config, ...args], { timeoutMs: 60_000, cwd: env.home, ...opts });
const json = <T>(r: RunResult): T => JSON.parse(r.stdout) as T;
/** flytectl prints a list of one as that one object. */
const list = <T>(r: RunResult): T[] => [json<T | T[]>(r)].flat() as T[];
const file = (name: string, text: string): string => {
  const path = join(env.home, name);
  writeFileSync(path, text);
  return path;
};

describe("flytectl config and projects", () => {
  test("config init --host --insecure writes a config the next command uses", async () => {
    const home = join(env.ts.dir, "fresh-home");
    mkdirSync(home, { recursive: true });
    const port = new URL(env.ts.grpcUrl).port;
    const init = await env.run([env.tools.flytectl, "config", "init", "--host", `127.0.0.1:${port}`, "--insecure"], { env: { HOME: home, FLYTECTL_CONFIG: "" }, cwd: home });
    ok(init, "flytectl config init");
    const written = parseYaml(readFileSync(join(home, ".flyte", "config.yaml"), "utf8")) as { admin: { endpoint: string; insecure: boolean } };
    expect(written.admin).toMatchObject({ endpoint: `dns:///127.0.0.1:${port}`, insecure: true });
    const get = ok(await env.run([env.tools.flytectl, "get", "project", "-o", "json"], { env: { HOME: home, FLYTECTL_CONFIG: "" }, cwd: home }), "flytectl get project");
    expect(list<{ id: string }>(get).map((p) => p.id)).toContain(project);
  });

  test("create project from flags and from a file; get project plain, json and yaml", async () => {
    ok(await flytectl(["create", "project", "--id", "ctl-one", "--name", "Ctl One", "--description", "made by flytectl", "--labels", "team=flyte"]), "create project");
    const spec = file("project.yaml", "id: ctl-two\nname: Ctl Two\ndescription: from a file\nlabels:\n  values:\n    owner: ci\n");
    ok(await flytectl(["create", "project", "--file", spec]), "create project --file");
    const again = await flytectl(["create", "project", "--id", "ctl-one", "--name", "Ctl One"]);
    expect(again.code).not.toBe(0);
    expect(again.output).toContain("AlreadyExists");

    const plain = ok(await flytectl(["get", "project"]), "get project");
    expect(plain.output).toMatch(/ctl-one\s*\|\s*Ctl One\s*\|\s*made by flytectl/);
    const asJson = json<{ id: string; name: string; description: string; labels?: { values: Record<string, string> } }[]>(ok(await flytectl(["get", "project", "-o", "json"]), "get project -o json"));
    expect(asJson.find((p) => p.id === "ctl-two")).toMatchObject({ name: "Ctl Two", description: "from a file", labels: { values: { owner: "ci" } } });
    const one = parseYaml(ok(await flytectl(["get", "project", "ctl-one", "-o", "yaml"]), "get project ctl-one -o yaml").stdout) as { id: string; labels: { values: Record<string, string> } };
    expect(one).toMatchObject({ id: "ctl-one", labels: { values: { team: "flyte" } } });
  });

  test("update project --archive hides it from the list, --activate brings it back", async () => {
    ok(await flytectl(["update", "project", "-p", "ctl-one", "--archive", "--force"]), "update project --archive");
    const p = await env.ts.admin().getProject({ id: "ctl-one" });
    expect(p.state).toBe(ProjectState.ARCHIVED);
    const listed = json<{ id: string }[]>(ok(await flytectl(["get", "project", "-o", "json"]), "get project"));
    expect(listed.map((x) => x.id)).not.toContain("ctl-one");
    ok(await flytectl(["update", "project", "-p", "ctl-one", "--activate", "--force"]), "update project --activate");
    expect((await env.ts.admin().getProject({ id: "ctl-one" })).state).toBe(ProjectState.ACTIVE);
  });
});

describe("flytectl get of registered entities", () => {
  test("get task: every version, --latest, --version, -o yaml", async () => {
    const all = ok(await flytectl(["get", "task", ...pd, "app.flows.add"]), "get task");
    expect(all.output).toMatch(/v2\s*\|\s*app\.flows\.add\s*\|\s*python-task/);
    expect(all.output).toContain("2 rows");
    const latest = json<{ id: { version: string } }>(ok(await flytectl(["get", "task", ...pd, "app.flows.add", "--latest", "-o", "json"]), "get task --latest"));
    expect(latest.id.version).toBe("v2");
    const v1 = parseYaml(ok(await flytectl(["get", "task", ...pd, "app.flows.add", "--version", "v1", "-o", "yaml"]), "get task --version -o yaml").stdout) as {
      id: { version: string };
      closure: { compiledTask: { template: { interface: { inputs: { variables: Record<string, unknown> } } } } };
    };
    expect(v1.id.version).toBe("v1");
    expect(Object.keys(v1.closure.compiledTask.template.interface.inputs.variables).sort()).toEqual(["a", "b"]);
  });

  test("get workflow and get launchplan: list, --latest, --version", async () => {
    const wfs = ok(await flytectl(["get", "workflow", ...pd]), "get workflow");
    expect(wfs.output).toContain("app.flows.chain");
    const wf = json<{ id: { version: string }; closure: { compiledWorkflow: { primary: { template: { nodes: { id: string }[] } } } } }>(
      ok(await flytectl(["get", "workflow", ...pd, "app.flows.chain", "--version", "v1", "-o", "json"]), "get workflow --version"),
    );
    expect(wf.id.version).toBe("v1");
    expect(wf.closure.compiledWorkflow.primary.template.nodes.map((n) => n.id).sort()).toEqual(["end-node", "n0", "n1", "n2", "start-node"]);
    const lp = json<{ id: { version: string }; spec: { defaultInputs: { parameters: Record<string, unknown> } } }>(
      ok(await flytectl(["get", "launchplan", ...pd, "app.flows.chain", "--latest", "-o", "json"]), "get launchplan --latest"),
    );
    expect(lp.id.version).toBe("v2");
    expect(Object.keys(lp.spec.defaultInputs.parameters).sort()).toEqual(["a", "name"]);
  });
});

describe("flytectl executions", () => {
  test("create execution --execFile from a launch plan's exec file; get execution --details and --nodeID once it ran", async () => {
    const execFile = join(env.home, "lp-exec.yaml");
    ok(await flytectl(["get", "launchplan", ...pd, "app.flows.chain", "--version", "v1", "--execFile", execFile]), "get launchplan --execFile");
    const spec = parseYaml(readFileSync(execFile, "utf8")) as { inputs: Record<string, unknown>; workflow: string; version: string };
    expect(spec).toMatchObject({ workflow: "app.flows.chain", version: "v1", inputs: { a: 0, name: "flyte" } });
    writeFileSync(execFile, readFileSync(execFile, "utf8").replace("a: 0", "a: 6"));
    const created = ok(await flytectl(["create", "execution", ...pd, "--execFile", execFile]), "create execution");
    const name = /name:"([a-z0-9]+)"/.exec(created.output)?.[1] ?? "";
    expect(name).not.toBe("");
    await propeller.complete(name);
    const data = await env.ts.admin().getExecutionData({ id: { ...scope, name } });
    expect(lit.asInt(data.fullOutputs?.literals.o0)).toBe(14n);

    const plain = ok(await flytectl(["get", "execution", ...pd, name]), "get execution");
    expect(plain.output).toMatch(new RegExp(`${name}\\s*\\|\\s*app\\.flows\\.chain\\s*\\|\\s*v1\\s*\\|\\s*LAUNCH_PLAN\\s*\\|\\s*SUCCEEDED`));
    const details = json<{ node_exec: { id: { nodeId: string }; closure: { phase: string } }; task_execs?: { closure: { phase: string } }[] }[]>(
      ok(await flytectl(["get", "execution", ...pd, name, "--details", "-o", "json"]), "get execution --details"),
    );
    const byNode = Object.fromEntries(details.map((d) => [d.node_exec.id.nodeId, d]));
    expect(Object.keys(byNode).sort()).toEqual(["end-node", "n0", "n1", "n2", "start-node"]);
    expect(byNode.n0.node_exec.closure.phase).toBe("SUCCEEDED");
    expect(byNode.n0.task_execs?.[0].closure.phase).toBe("SUCCEEDED");
    const node = json<{ task_execs: { closure: { phase: string } }[]; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[]>(
      ok(await flytectl(["get", "execution", ...pd, name, "--nodeID", "n1", "-o", "json"]), "get execution --nodeID"),
    );
    // flytectl reads the node's data too (GetNodeExecutionData): n1 = add(a=n0.o0, b=a).
    expect(node.length).toBe(1);
    expect(node[0]).toMatchObject({ inputs: { a: 8, b: 6 }, outputs: { o0: 14 } });
    expect(node[0].task_execs.map((t) => t.closure.phase)).toEqual(["SUCCEEDED"]);
  });

  test("create execution --execFile from a task's exec file", async () => {
    const execFile = join(env.home, "task-exec.yaml");
    ok(await flytectl(["get", "task", ...pd, "app.flows.add", "--version", "v2", "--execFile", execFile]), "get task --execFile");
    const spec = parseYaml(readFileSync(execFile, "utf8")) as { task: string; version: string; inputs: Record<string, unknown> };
    expect(spec).toMatchObject({ task: "app.flows.add", version: "v2", inputs: { a: 0, b: 0 } });
    writeFileSync(execFile, readFileSync(execFile, "utf8").replace("a: 0", "a: 30").replace("b: 0", "b: 12"));
    const created = ok(await flytectl(["create", "execution", ...pd, "--execFile", execFile]), "create execution (task)");
    const name = /name:"([a-z0-9]+)"/.exec(created.output)?.[1] ?? "";
    const e = await env.ts.admin().getExecution({ id: { ...scope, name } });
    expect(e.spec?.launchPlan).toMatchObject({ resourceType: ResourceType.TASK, name: "app.flows.add", version: "v2" });
    await propeller.complete(name);
    const data = await env.ts.admin().getExecutionData({ id: { ...scope, name } });
    expect(lit.asInt(data.fullOutputs?.literals.o0)).toBe(42n);
  });

  test("get execution -o json with flytectl's filters: field selector, sort, limit and page", async () => {
    const all = json<{ id: { name: string }; closure: { phase: string } }[]>(ok(await flytectl(["get", "execution", ...pd, "-o", "json"]), "get execution"));
    const succeeded = all.filter((e) => e.closure.phase === "SUCCEEDED").map((e) => e.id.name);
    expect(succeeded.length).toBe(2);
    const selected = json<{ id: { name: string } }[]>(
      ok(await flytectl(["get", "execution", ...pd, "-o", "json", "--filter.fieldSelector", "execution.phase=SUCCEEDED"]), "fieldSelector"),
    );
    expect(selected.map((e) => e.id.name).sort()).toEqual(succeeded.sort());
    const asc = json<{ id: { name: string }; closure: { createdAt: string } }[]>(
      ok(await flytectl(["get", "execution", ...pd, "-o", "json", "--filter.sortBy", "created_at", "--filter.asc"]), "sortBy asc"),
    );
    const times = asc.map((e) => e.closure.createdAt);
    expect(times).toEqual([...times].sort());
    const page = (n: number) =>
      flytectl(["get", "execution", ...pd, "-o", "json", "--filter.sortBy", "created_at", "--filter.asc", "--filter.limit", "1", "--filter.page", String(n)]);
    const first = json<{ id: { name: string } }>(ok(await page(1), "page 1"));
    const second = json<{ id: { name: string } }>(ok(await page(2), "page 2"));
    // One execution a page comes back as a single object.
    expect([first.id.name, second.id.name]).toEqual([asc[0].id.name, asc[1].id.name]);
  });

  test("delete execution terminates it: ABORTING, then propeller's ABORTED", async () => {
    const e = await env.ts.admin().createExecution({ ...scope, name: "ctl-doomed", spec: { launchPlan: { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name: "app.flows.chain", version: "v2" } }, inputs: { literals: { a: lit.int(1) } } });
    expect(e.id?.name).toBe("ctl-doomed");
    ok(await flytectl(["delete", "execution", ...pd, "ctl-doomed"]), "delete execution");
    expect((await env.ts.admin().getExecution({ id: { ...scope, name: "ctl-doomed" } })).closure?.phase).toBe(Phase.ABORTING);
    await propeller.abortWhenDeleted("ctl-doomed");
    expect((await env.ts.admin().getExecution({ id: { ...scope, name: "ctl-doomed" } })).closure?.phase).toBe(Phase.ABORTED);
    const again = await flytectl(["delete", "execution", ...pd, "ctl-doomed"]);
    expect(again.output).toContain("FailedPrecondition");
  });
});

describe("flytectl updates", () => {
  test("update launchplan --activate and --archive", async () => {
    const state = async (version: string) =>
      (await env.ts.admin().getLaunchPlan({ id: { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name: "main_fixed", version } })).closure?.state;
    ok(await flytectl(["update", "launchplan", ...pd, "main_fixed", "--version", "v1", "--activate", "--force"]), "update launchplan --activate");
    expect(await state("v1")).toBe(LaunchPlanState.ACTIVE);
    ok(await flytectl(["update", "launchplan", ...pd, "main_fixed", "--version", "v2", "--activate", "--force"]), "activate v2");
    expect([await state("v1"), await state("v2")]).toEqual([LaunchPlanState.INACTIVE, LaunchPlanState.ACTIVE]);
    ok(await flytectl(["update", "launchplan", ...pd, "main_fixed", "--version", "v2", "--archive", "--force"]), "update launchplan --archive");
    expect(await state("v2")).toBe(LaunchPlanState.INACTIVE);
  });

  test("task-resource-attribute: update from a file, get (and to a file), delete", async () => {
    const attrs = file("tra.yaml", `domain: ${domain}\nproject: ${project}\ndefaults:\n  cpu: "1"\n  memory: "150Mi"\nlimits:\n  cpu: "2"\n  memory: "450Mi"\n`);
    ok(await flytectl(["update", "task-resource-attribute", "--attrFile", attrs, "--force"]), "update task-resource-attribute");
    const got = ok(await flytectl(["get", "task-resource-attribute", ...pd]), "get task-resource-attribute");
    expect(JSON.parse(got.stdout)).toEqual({ project, domain, defaults: { cpu: "1", memory: "150Mi" }, limits: { cpu: "2", memory: "450Mi" } });
    const out = join(env.home, "tra-out.yaml");
    ok(await flytectl(["get", "task-resource-attribute", ...pd, "--attrFile", out]), "get task-resource-attribute --attrFile");
    expect(parseYaml(readFileSync(out, "utf8"))).toEqual({ project, domain, defaults: { cpu: "1", memory: "150Mi" }, limits: { cpu: "2", memory: "450Mi" } });
    const stored = await env.ts.admin().getProjectDomainAttributes({ ...scope, resourceType: MatchableResource.TASK_RESOURCE });
    expect(stored.attributes?.matchingAttributes?.target.case).toBe("taskResourceAttributes");
    ok(await flytectl(["delete", "task-resource-attribute", ...pd]), "delete task-resource-attribute");
    const gone = await flytectl(["get", "task-resource-attribute", ...pd]);
    expect(gone.code).not.toBe(0);
    expect(gone.output).toContain("attribute not found");
  });

  test("execution-queue-attribute for a workflow: update, get, delete", async () => {
    const attrs = file("eqa.yaml", `domain: ${domain}\nproject: ${project}\nworkflow: app.flows.main\ntags:\n  - critical\n  - gpu\n`);
    ok(await flytectl(["update", "execution-queue-attribute", "--attrFile", attrs, "--force"]), "update execution-queue-attribute");
    const got = ok(await flytectl(["get", "execution-queue-attribute", ...pd, "app.flows.main"]), "get execution-queue-attribute");
    expect(JSON.parse(got.stdout)).toEqual({ project, domain, workflow: "app.flows.main", tags: ["critical", "gpu"] });
    ok(await flytectl(["delete", "execution-queue-attribute", ...pd, "app.flows.main"]), "delete execution-queue-attribute");
    expect((await flytectl(["get", "execution-queue-attribute", ...pd, "app.flows.main"])).output).toContain("attribute not found");
  });

  test("version reports the control plane's version", async () => {
    const r = ok(await flytectl(["version"]), "flytectl version");
    const v = await env.ts.admin().getVersion({});
    // Two JSON documents: flytectl's own, then the server's.
    const server = JSON.parse(r.stdout.slice(r.stdout.indexOf('{\n  "App": "controlPlane"'))) as { App: string; Version: string; Build: string };
    expect(server).toMatchObject({ App: "controlPlane", Version: v.controlPlaneVersion?.Version, Build: v.controlPlaneVersion?.Build });
  });
});
