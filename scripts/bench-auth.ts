// Auth benchmark (not a test): GetVersion and CreateWorkflowEvent on a server with auth off (without and
// with a token sent along, which it ignores) and on a server with auth on (Self mode, a valid Bearer token
// on every call), measured side by side in alternating slices so this shared machine's drift falls on all
// alike; the ratios are what count (target ≥ 90 %). Both servers run from source in their own processes; the test OIDC provider that auth
// needs at start-up runs in this one. Load: the lean native gRPC client, 32 calls in flight.
//   bun scripts/bench-auth.ts        (BENCH_SECONDS=8 per call kind and server, BENCH_SLICES=4)
import { mkdtempSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { WorkflowExecution_Phase as WfPhase } from "../src/gen/flyteidl/core/execution_pb";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { initSecrets } from "../src/cli/secrets";
import { launchPlanFor, pythonTask, twoNodeWorkflow } from "../test/fixtures/pyflyte";
import { startFakeKube } from "../test/helpers/fake-k8s";
import { startOidcProvider } from "../test/helpers/oidc-idp";
import { type BenchServer, startBenchServer } from "./bench-server";
import { leanGrpcClient } from "./lean-grpc";

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const slices = Number(process.env.BENCH_SLICES ?? 4);
const concurrency = 32;
const scope = { project: "flytesnacks", domain: "development" };
const lp = { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name: "workflows.example.wf", version: "v1" };
const secret = "bench-secret";

interface Side {
  name: string;
  server: BenchServer;
  lean: ReturnType<typeof leanGrpcClient<typeof AdminService>>["client"];
  headers: Record<string, string>;
  executions: string[];
  calls: number;
  latencies: number[];
  /** Server CPU seconds spent during this side's slices. */
  cpu: number;
  errors: number;
}

/** CPU seconds (user + system) a process has used so far. */
async function cpuSeconds(pid: number): Promise<number> {
  const f = (await Bun.file(`/proc/${pid}/stat`).text()).split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

/** `call` gives undefined when it has nothing left to do (no execution left for an event). */
async function load(side: Side, ms: number, call: () => Promise<unknown> | undefined): Promise<void> {
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        const pending = call();
        if (!pending) break;
        try {
          await pending;
        } catch (e) {
          // Counted and shown, not fatal: one dropped stream should not lose the run.
          side.errors++;
          if (side.errors === 1) console.error(`  ${side.name}: ${(e as Error).message}`);
          continue;
        }
        side.latencies.push(performance.now() - t);
        side.calls++;
      }
    }),
  );
}

async function register(side: Side): Promise<void> {
  const { admin } = side.server;
  const o = { headers: side.headers };
  await admin.registerProject({ project: { id: "flytesnacks", name: "flytesnacks" } }, o);
  await admin.createTask(pythonTask({ name: "workflows.example.t1" }), o);
  await admin.createTask(pythonTask({ name: "workflows.example.t2" }), o);
  await admin.createWorkflow(twoNodeWorkflow(), o);
  await admin.createLaunchPlan(launchPlanFor({}, { defaults: { name: "bench" } }), o);
}

async function prepare(side: Side, count: number): Promise<void> {
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (side.executions.length < count) {
        const r = await side.lean.createExecution({ ...scope, spec: { launchPlan: lp } });
        side.executions.push(r.id?.name ?? "");
      }
    }),
  );
}

async function main(): Promise<void> {
  const kube = await startFakeKube();
  const kubeconfig = kube.writeKubeconfig();
  const idp = await startOidcProvider({ flyteadminRedirects: ["http://127.0.0.1/callback"] });
  const secrets = mkdtempSync(join(tmpdir(), "bench-auth-secrets-"));
  initSecrets(secrets);
  await Bun.write(join(secrets, "oidc_client_secret"), idp.clients.flyteadmin.secret);
  const common = ["--server.kube-config", kubeconfig, "--server.kubeClientConfig.qps", "100000", "--server.kubeClientConfig.burst", "1000"];
  const client = { client_secret: await Bun.password.hash(secret, { algorithm: "bcrypt", cost: 4 }), grant_types: ["client_credentials"], scopes: ["all"] };
  const authFlags = [
    "--server.security.useAuth",
    "true",
    "--secrets.secrets-prefix",
    secrets,
    "--auth.userAuth.openId.baseUrl",
    idp.issuer,
    "--auth.userAuth.openId.clientId",
    idp.clients.flyteadmin.id,
    "--auth.appAuth.selfAuthServer.staticClients",
    JSON.stringify({ bench: client }),
  ];
  const off = await startBenchServer("auth-off", common);
  const on = await startBenchServer("auth-on", [...common, ...authFlags]);
  try {
    // The token is asked for on the gRPC port, so its audience is the public URL gRPC calls reach.
    const grpcBase = `http://127.0.0.1:${on.ports[1]}`;
    const res = await fetch(`${grpcBase}/oauth2/token`, {
      method: "POST",
      headers: { authorization: `Basic ${btoa(`bench:${secret}`)}`, "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&scope=all",
    });
    const token = ((await res.json()) as { access_token: string }).access_token;
    const side = (name: string, server: BenchServer, headers: Record<string, string>): Side => ({
      name,
      server,
      headers,
      lean: leanGrpcClient(AdminService, `http://127.0.0.1:${server.ports[1]}`, headers).client,
      executions: [],
      calls: 0,
      latencies: [],
      cpu: 0,
      errors: 0,
    });
    const bearer = { authorization: `Bearer ${token}` };
    // The middle side sends the token to the auth-off server, which ignores it: the cost of carrying its
    // bytes on every call (Node's HTTP/2 client never indexes authorization in HPACK), apart from checking it.
    const sides = [side("auth off", off, {}), side("auth off, token sent", off, bearer), side("auth on", on, bearer)];

    const report: string[] = [];
    const measure = async (label: string, call: (side: Side) => () => Promise<unknown> | undefined) => {
      for (const side of sides) {
        side.calls = 0;
        side.latencies = [];
        await load(side, 500, call(side)); // warm-up
        side.calls = 0;
        side.latencies = [];
        side.cpu = 0;
      }
      for (let i = 0; i < slices; i++) {
        for (const side of sides) {
          const before = await cpuSeconds(side.server.pid);
          await load(side, (seconds * 1000) / slices, call(side));
          side.cpu += (await cpuSeconds(side.server.pid)) - before;
        }
      }
      const rate = sides.map((s) => s.calls / seconds);
      const p99 = sides.map((s) => s.latencies.sort((a, b) => a - b)[Math.floor(0.99 * s.latencies.length)] ?? NaN);
      const cpuUs = (i: number) => Math.round((sides[i].cpu * 1e6) / sides[i].calls);
      const cell = (i: number) => `${Math.round(rate[i]).toLocaleString("en-US")} calls/s, p99 ${p99[i].toFixed(1)} ms, ${cpuUs(i)} µs CPU/call`;
      const pct = (a: number, b: number) => `${((100 * rate[a]) / rate[b]).toFixed(0)} %`;
      const line = `| ${label} | ${cell(0)} | ${cell(1)} | ${cell(2)} | ${pct(2, 0)} | ${pct(2, 1)} |`;
      report.push(line);
      for (const s of sides) if (s.errors > 0) console.error(`  ${s.name}: ${s.errors} calls failed`);
      console.error(line);
    };
    await measure("GetVersion", (side) => () => side.lean.getVersion({}));

    // Each execution takes one RUNNING event: enough executions for the whole run, made beforehand.
    const perSide = Number(process.env.BENCH_EVENT_EXECUTIONS ?? 16_000);
    await register(sides[0]);
    await register(sides[2]);
    for (const side of sides) await prepare(side, perSide);
    let clock = Date.now();
    await measure("CreateWorkflowEvent (RUNNING)", (side) => () => {
      const name = side.executions.pop();
      if (!name) return undefined;
      return side.lean.createWorkflowEvent({
        event: { executionId: { ...scope, name }, phase: WfPhase.RUNNING, occurredAt: timestampFromDate(new Date(clock++)), producerId: "propeller" },
      });
    });
    const left = sides.map((s) => s.executions.length);
    if (left.some((n) => n === 0)) console.error("  warning: a side ran out of executions; raise BENCH_EVENT_EXECUTIONS");

    console.log(
      `\nhost: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${seconds} s per call kind and side in ${slices} alternating slices, ${concurrency} in flight\n`,
    );
    console.log("| call | auth off | auth off, token sent | auth on (Bearer token) | on / off | on / off with the token sent |");
    console.log("|---|---|---|---|---|---|");
    for (const line of report) console.log(line);
  } finally {
    await off.stop();
    await on.stop();
    await idp.close();
    await kube.close();
  }
}

await main();
process.exit(0);
