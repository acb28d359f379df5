// A schedule as a new user makes one, in real time through `flyteadmin serve` run as a process: pyflyte
// registers a launch plan with a one-minute FixedRate and --activate-launchplans; it runs a minute later;
// the server is stopped (SIGTERM) and started again on the same database; the next run comes on the same
// minute grid and nothing runs twice. Then `pyflyte launchplan --deactivate`. Bounded: about 2.5 minutes.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AdminService } from "../../src/gen/flyteidl/service/admin_pb";
import { ExecutionMetadata_ExecutionMode as Mode } from "../../src/gen/flyteidl/admin/execution_pb";
import { LaunchPlanState } from "../../src/gen/flyteidl/admin/launch_plan_pb";
import { ResourceType } from "../../src/gen/flyteidl/core/identifier_pb";
import { freePort } from "../helpers/auth-server";
import { startFakeKube, type FakeKube } from "../helpers/fake-k8s";
import { serveCommand, waitForServing } from "../helpers/serving";
import { clientBaseEnv, commandRunner, domain, ok, project, writeFlyteConfig } from "./harness";
import { ensureTools } from "./tools";

const scope = { project, domain };
const lpId = { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name: "every_minute", version: "v1" };
let dir: string;
let kube: FakeKube;
let serve: string[];
let server: { proc: Subprocess<"ignore", "pipe", "pipe">; log: string } | undefined;
let admin: Client<typeof AdminService>;
let runner: ReturnType<typeof commandRunner>;
let pyflyte: string;
/** The Flyte config file pyflyte reads. */
let config: string;

/** Starts `serve` and keeps reading its log, so a full pipe never stalls it and a failure can show it. */
async function startServe(): Promise<void> {
  const proc = Bun.spawn(serve, { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const { log } = await waitForServing(proc);
  const running = { proc, log };
  server = running;
  void (async () => {
    for await (const chunk of proc.stdout) running.log += new TextDecoder().decode(chunk);
  })();
}

async function stopServe(): Promise<void> {
  if (!server) return;
  server.proc.kill("SIGTERM");
  await server.proc.exited;
  server = undefined;
}

beforeAll(async () => {
  const tools = ensureTools();
  pyflyte = tools.pyflyte;
  dir = mkdtempSync(join(tmpdir(), "flyteadmin-schedule-"));
  kube = await startFakeKube();
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  // The same ports on every start, as a user's restart keeps them; later flags win over serveCommand's zeros.
  serve = serveCommand(dir, "--server.kube-config", kube.writeKubeconfig(), "--server.httpPort", `${httpPort}`, "--server.grpc.port", `${grpcPort}`);
  await startServe();
  admin = createClient(AdminService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${grpcPort}` }));
  await admin.registerProject({ project: { id: project, name: project, description: "schedule client test" } });
  const home = join(dir, "home");
  const projectDir = join(import.meta.dir, "schedule");
  config = writeFlyteConfig(home, grpcPort);
  runner = commandRunner(clientBaseEnv(home, config, projectDir), projectDir);
});

afterAll(async () => {
  await stopServe();
  await kube?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The scheduled executions so far, oldest first, with their scheduled_at in ms. */
async function scheduledRuns(): Promise<{ name: string; at: number }[]> {
  const list = await admin.listExecutions({ id: scope, limit: 50 });
  return list.executions
    .filter((e) => e.spec?.metadata?.mode === Mode.SCHEDULED)
    .map((e) => ({ name: e.id?.name ?? "", at: Number(e.spec?.metadata?.scheduledAt?.seconds ?? 0n) * 1000 }))
    .sort((a, b) => a.at - b.at);
}

async function waitForRuns(count: number, untilMs: number): Promise<{ name: string; at: number }[]> {
  let runs = await scheduledRuns();
  while (runs.length < count && Date.now() < untilMs) {
    await Bun.sleep(1000);
    runs = await scheduledRuns();
  }
  return runs;
}

test("a pyflyte FixedRate launch plan runs every minute and keeps its rhythm across a restart", async () => {
  const register = ok(
    await runner.run([pyflyte, "--config", config, "register", "--project", project, "--domain", domain, "--version", "v1", "--activate-launchplans", "app"], {
      timeoutMs: 180_000,
    }),
    "pyflyte register",
  );
  const activatedAt = Date.now();
  expect(register.output).toContain("Successfully registered");
  const lp = await admin.getLaunchPlan({ id: lpId });
  expect(lp.closure?.state).toBe(LaunchPlanState.ACTIVE);
  expect(lp.spec?.entityMetadata?.schedule?.ScheduleExpression.case).toBe("rate");

  const first = await waitForRuns(1, activatedAt + 80_000);
  expect(first).toHaveLength(1);
  expect(first[0].name).toMatch(/^f[0-9a-f]{16}000$/);
  // Registration activates before pyflyte returns, so the first tick is at most a minute after we saw it.
  expect(first[0].at).toBeGreaterThan(activatedAt + 40_000);
  expect(first[0].at).toBeLessThan(activatedAt + 62_000);

  // A user's restart, right after the first run: stop, start again on the same database and ports.
  await stopServe();
  await startServe();

  const both = await waitForRuns(2, first[0].at + 75_000);
  expect(both).toHaveLength(2);
  expect(both[0]).toEqual(first[0]);
  expect(both[1].at - both[0].at).toBe(60_000);
  expect(both[1].name).not.toBe(both[0].name);
  // Nothing else fired: no catch-up of the first tick, no tick at the restart.
  await Bun.sleep(3_000);
  expect(await scheduledRuns()).toEqual(both);
  const exec = await admin.getExecution({ id: { ...scope, name: both[1].name } });
  expect(exec.spec?.launchPlan?.name).toBe("every_minute");
  expect(exec.closure?.workflowId?.name).toBe("app.rate.tick");

  const off = ok(
    await runner.run([pyflyte, "--config", config, "launchplan", "--project", project, "--domain", domain, "--deactivate", "every_minute", "v1"]),
    "pyflyte launchplan --deactivate",
  );
  expect(off.output).not.toContain("Error");
  expect((await admin.getLaunchPlan({ id: lpId })).closure?.state).toBe(LaunchPlanState.INACTIVE);
}, 240_000);
