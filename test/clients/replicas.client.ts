// The real clients against two replicas of `flyteadmin serve` on one PostgreSQL, sharing one blob folder,
// as behind a load balancer: pyflyte registers (fast registration, code uploaded through a signed URL)
// through one replica and runs through the other, flytectl reads what they made through either.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { freshDatabase } from "../helpers/postgres";
import { serveCommand, waitForServing } from "../helpers/serving";
import { clientBaseEnv, commandRunner, domain, ok, project, projectDir, writeFlyteConfig } from "./harness";
import { ensureTools } from "./tools";

interface Replica {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  run: ReturnType<typeof commandRunner>["run"];
  config: string;
}

let dir: string;
let a: Replica;
let b: Replica;
let tools: ReturnType<typeof ensureTools>;

async function startReplica(name: string, url: string): Promise<Replica> {
  const proc = Bun.spawn(serveCommand(dir, "--database.url", url), { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const { ports } = await waitForServing(proc);
  // Keep draining its log so a full pipe never stalls it.
  void (async () => {
    for await (const _ of proc.stdout);
  })();
  const home = join(dir, `home-${name}`);
  const config = writeFlyteConfig(home, ports[1]);
  return { proc, run: commandRunner(clientBaseEnv(home, config, projectDir)).run, config };
}

beforeAll(async () => {
  tools = ensureTools();
  dir = mkdtempSync(join(tmpdir(), "flyteadmin-replica-clients-"));
  const url = await freshDatabase();
  [a, b] = await Promise.all([startReplica("a", url), startReplica("b", url)]);
  ok(await a.run([tools.flytectl, "--config", a.config, "create", "project", "--id", project, "--name", project]), "flytectl create project (a)");
}, 120_000);

afterAll(async () => {
  for (const r of [a, b]) {
    r?.proc.kill("SIGTERM");
    await r?.proc.exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("pyflyte registers through one replica; flytectl on the other sees it all", async () => {
  ok(
    await a.run(
      [tools.pyflyte, "--config", a.config, "register", "--project", project, "--domain", domain, "--version", "v1", "--activate-launchplans", "app"],
      {
        timeoutMs: 180_000,
      },
    ),
    "pyflyte register through a",
  );
  const listed = ok(
    await b.run([tools.flytectl, "--config", b.config, "get", "workflow", "-p", project, "-d", domain, "-o", "json"]),
    "flytectl get workflow (b)",
  );
  const names = (JSON.parse(listed.stdout) as Array<{ id: { name: string } }>).map((w) => w.id.name);
  expect(names).toContain("app.flows.chain");
  const projects = ok(await b.run([tools.flytectl, "--config", b.config, "get", "project", "-o", "json"]), "flytectl get project (b)");
  expect(projects.stdout).toContain(project);
}, 240_000);

test("pyflyte run --remote through the other replica, its upload and its execution read back through the first", async () => {
  const run = ok(
    await b.run(
      [
        tools.pyflyte,
        "--config",
        b.config,
        "run",
        "--remote",
        "--project",
        project,
        "--domain",
        domain,
        "--name",
        "across-replicas",
        "app/flows.py",
        "add",
        "--a",
        "40",
      ],
      {
        timeoutMs: 180_000,
      },
    ),
    "pyflyte run --remote through b",
  );
  expect(run.output).toContain("across-replicas");
  const got = ok(
    await a.run([tools.flytectl, "--config", a.config, "get", "execution", "-p", project, "-d", domain, "across-replicas", "-o", "json"]),
    "flytectl get execution (a)",
  );
  expect((JSON.parse(got.stdout) as { id: { name: string } }).id.name).toBe("across-replicas");
}, 240_000);
