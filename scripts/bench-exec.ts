// Execution benchmark (not a test): CreateExecution calls/s with 32 concurrent clients; propeller-style
// event ingestion (1 workflow : 10 node : 10 task events per execution, 32 concurrent streams);
// ListExecutions p50/p99 with a phase filter at 100,000 executions; server RSS after the load.
// Each setup runs in turn, in one run so the figures sit side by side: the embedded database, one
// replica on PostgreSQL, two replicas on one PostgreSQL (the load split between them). Servers run from
// source in their own processes and submit to a stand-in Kubernetes API on loopback; the load generator
// (and PostgreSQL) share this machine's cores, so the measured loops use a lean native gRPC client
// (lean-grpc.ts, ~30 µs of CPU per call against Connect's ~150) and the table reports the servers' own CPU
// per call too.
//   bun scripts/bench-exec.ts   (BENCH_SECONDS=10, BENCH_EXECUTIONS=100000, BENCH_CLIENT=lean|connect,
//                                BENCH_SETUPS=embedded,postgres,postgres-2)
import { cpus } from "node:os";
import { join } from "node:path";
import { createClient as createLibsql } from "@libsql/client";
import { SQL } from "bun";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { NodeExecution_Phase as NodePhase, TaskExecution_Phase as TaskPhase, WorkflowExecution_Phase as WfPhase } from "../src/gen/flyteidl/core/execution_pb";
import { launchPlanFor, pythonTask, twoNodeWorkflow } from "../test/fixtures/pyflyte";
import { startBenchServer, type BenchServer } from "./bench-server";
import { startFakeKube } from "../test/helpers/fake-k8s";
import { startPostgres, type RunningPostgres } from "../test/helpers/postgres";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const totalExecutions = Number(process.env.BENCH_EXECUTIONS ?? 100_000);
const clients = 32;
const scope = { project: "flytesnacks", domain: "development" };
const lp = { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name: "workflows.example.wf", version: "v1" };
const task = { resourceType: ResourceType.TASK, ...scope, name: "workflows.example.t1", version: "v1" };
const name = {
  name: {
    value: { case: "scalar" as const, value: { value: { case: "primitive" as const, value: { value: { case: "stringValue" as const, value: "bench" } } } } },
  },
};

const quantile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** CPU seconds (user + system) the process has used so far. */
async function cpuSeconds(pid: number): Promise<number> {
  const f = (await Bun.file(`/proc/${pid}/stat`).text()).split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function rssMb(pid: number): Promise<number> {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

interface Setup {
  label: string;
  engine: "embedded" | "postgres";
  replicas: number;
}

const setupsByName: Record<string, Setup> = {
  embedded: { label: "embedded (libSQL file)", engine: "embedded", replicas: 1 },
  postgres: { label: "PostgreSQL, 1 replica", engine: "postgres", replicas: 1 },
  "postgres-2": { label: "PostgreSQL, 2 replicas", engine: "postgres", replicas: 2 },
};

interface Result {
  create: string;
  events: string;
  fill: string;
  list: string;
  rss: string;
}

const fillColumns = `execution_project, execution_domain, execution_name, launch_plan_id, workflow_id, task_id, phase, spec, closure,
  started_at, execution_created_at, execution_updated_at, duration, abort_cause, mode, cluster, inputs_uri, user_inputs_uri, "user", state,
  launch_entity, created_at, updated_at`;
const fillPhase = "CASE c.x % 5 WHEN 0 THEN 'RUNNING' WHEN 1 THEN 'FAILED' ELSE 'SUCCEEDED' END";
const fillRest = `e.started_at, EXPR_CREATED, e.execution_updated_at, e.duration, e.abort_cause, e.mode, e.cluster,
  e.inputs_uri, e.user_inputs_uri, e."user", e.state, e.launch_entity, e.created_at, e.updated_at`;

/** Fills to `total` executions by copying a real execution row in SQL, with phases spread as a busy deployment's would be. */
async function fill(setup: Setup, dir: string, pgUrl: string | undefined, toAdd: number, model: string): Promise<number> {
  const start = performance.now();
  if (setup.engine === "embedded") {
    const db = createLibsql({ url: `file:${join(dir, ".flyteadmin", "flyteadmin.db")}` });
    await db.execute("PRAGMA busy_timeout = 30000");
    const created = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || c.x || ' seconds')";
    for (let done = 0; done < toAdd; done += 10_000) {
      const n = Math.min(10_000, toAdd - done);
      await db.execute({
        sql: `INSERT INTO executions (${fillColumns}) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)
              SELECT e.execution_project, e.execution_domain, 'fill' || (? + c.x), e.launch_plan_id, e.workflow_id, e.task_id, ${fillPhase}, e.spec, e.closure,
              ${fillRest.replace("EXPR_CREATED", created)} FROM executions e, c WHERE e.execution_name = ?`,
        args: [n, done, model],
      });
    }
    db.close();
  } else {
    const db = new SQL({ url: pgUrl, max: 1 });
    const created = `to_char((now() AT TIME ZONE 'utc') - c.x * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    for (let done = 0; done < toAdd; done += 10_000) {
      const n = Math.min(10_000, toAdd - done);
      await db.unsafe(
        `INSERT INTO executions (${fillColumns})
         SELECT e.execution_project, e.execution_domain, 'fill' || ($2::bigint + c.x), e.launch_plan_id, e.workflow_id, e.task_id, ${fillPhase}, e.spec, e.closure,
         ${fillRest.replace("EXPR_CREATED", created)} FROM executions e, generate_series(1, $1::bigint) AS c(x) WHERE e.execution_name = $3`,
        [n, done, model],
      );
    }
    await db.unsafe("ANALYZE executions");
    await db.close();
  }
  return (performance.now() - start) / 1000;
}

async function runSetup(setup: Setup, kubeconfig: string, connectLoad: boolean): Promise<Result> {
  let pg: RunningPostgres | undefined;
  const servers: BenchServer[] = [];
  try {
    const dbFlags: string[] = [];
    if (setup.engine === "postgres") {
      // PostgreSQL's own durability defaults: every commit flushed, as a deployment runs it.
      pg = await startPostgres({ durable: true });
      // Replicas share the blob store as well as the database (on S3 in a real deployment; here one folder).
      dbFlags.push("--database.url", pg.url, "--storage.local.path", join(pg.dir, "blobs"));
    }
    // Upstream's client-side throttle (kubeClientConfig qps 100, burst 25) would cap creation at ~100/s; a busy
    // deployment raises it, as the benchmark does, so it measures admin rather than the throttle.
    const flags = ["--server.kube-config", kubeconfig, "--server.kubeClientConfig.qps", "100000", "--server.kubeClientConfig.burst", "1000", ...dbFlags];
    for (let i = 0; i < setup.replicas; i++) servers.push(await startBenchServer(`exec-${setup.engine}-${i}`, flags));
    const { admin } = servers[0];
    // Client i talks to replica i mod N, as a load balancer spreading connections would.
    const lean = (i: number) => (connectLoad ? servers[i % servers.length].admin : servers[i % servers.length].lean);
    const cpu = async () => (await Promise.all(servers.map((s) => cpuSeconds(s.pid)))).reduce((a, b) => a + b, 0);
    const rss = async () => (await Promise.all(servers.map((s) => rssMb(s.pid)))).reduce((a, b) => a + b, 0);
    await admin.registerProject({ project: { id: "flytesnacks", name: "flytesnacks" } });
    await admin.createTask(pythonTask({ name: "workflows.example.t1" }));
    await admin.createTask(pythonTask({ name: "workflows.example.t2" }));
    await admin.createWorkflow(twoNodeWorkflow());
    await admin.createLaunchPlan(launchPlanFor({}));
    const rssIdle = await rss();

    // CreateExecution: 32 clients for `seconds`.
    let created = 0;
    const createLatencies: number[] = [];
    const names: string[] = [];
    let cpu0 = await cpu();
    let end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async (_, i) => {
        while (performance.now() < end) {
          const t = performance.now();
          const r = await lean(i).createExecution({ ...scope, spec: { launchPlan: lp }, inputs: { literals: name } });
          createLatencies.push(performance.now() - t);
          names.push(r.id?.name ?? "");
          created++;
        }
      }),
    );
    createLatencies.sort((a, b) => a - b);
    const createCpuUs = (((await cpu()) - cpu0) * 1e6) / created;

    // Events: each stream takes executions from the pool and reports 1 workflow, 10 node and 10 task events.
    let events = 0;
    const eventLatencies: number[] = [];
    let nextExecution = 0;
    let clock = Date.now();
    const ts = () => timestampFromDate(new Date(clock++));
    const timed = async (call: Promise<unknown>) => {
      const t = performance.now();
      await call;
      eventLatencies.push(performance.now() - t);
      events++;
    };
    cpu0 = await cpu();
    end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async (_, i) => {
        const client = lean(i);
        while (performance.now() < end && nextExecution < names.length) {
          const executionId = { ...scope, name: names[nextExecution++] };
          await timed(client.createWorkflowEvent({ event: { executionId, phase: WfPhase.RUNNING, occurredAt: ts(), producerId: "propeller" } }));
          for (let n = 0; n < 5; n++) {
            const nodeId = `n${n}`;
            const node = (phase: NodePhase) =>
              client.createNodeEvent({
                event: {
                  id: { executionId, nodeId },
                  phase,
                  occurredAt: ts(),
                  producerId: "propeller",
                  inputValue: { case: "inputUri", value: "s3://b/in.pb" },
                },
              });
            const taskEvent = (phase: TaskPhase) =>
              client.createTaskEvent({
                event: {
                  taskId: task,
                  parentNodeExecutionId: { executionId, nodeId },
                  phase,
                  occurredAt: ts(),
                  producerId: "propeller",
                  logs: [{ name: "k8s", uri: "http://logs" }],
                },
              });
            await timed(node(NodePhase.RUNNING));
            await timed(taskEvent(TaskPhase.RUNNING));
            await timed(taskEvent(TaskPhase.SUCCEEDED));
            await timed(node(NodePhase.SUCCEEDED));
          }
        }
      }),
    );
    eventLatencies.sort((a, b) => a - b);
    const eventCpuUs = (((await cpu()) - cpu0) * 1e6) / events;
    const eventSeconds = Math.min(seconds, (performance.now() - (end - seconds * 1000)) / 1000);

    const fillSeconds = await fill(setup, servers[0].dir, pg?.url, Math.max(0, totalExecutions - created), names[0]);

    // One client per replica lists in turn, so two replicas serve twice the lists but each list's latency is its own.
    const listLatencies: number[] = [];
    let listed = 0;
    end = performance.now() + seconds * 1000;
    await Promise.all(
      servers.map(async (s) => {
        while (performance.now() < end) {
          const t = performance.now();
          const page = await s.admin.listExecutions({
            id: scope,
            limit: 100,
            filters: "eq(phase,FAILED)",
            sortBy: { key: "execution_created_at", direction: 0 },
          });
          listLatencies.push(performance.now() - t);
          listed = page.executions.length;
        }
      }),
    );
    listLatencies.sort((a, b) => a - b);
    const rssAfter = await rss();
    const ms = (sorted: number[]) => `p50 ${quantile(sorted, 0.5).toFixed(1)} ms, p99 ${quantile(sorted, 0.99).toFixed(1)} ms`;
    return {
      create: `${fmt(created / seconds)} calls/s (${ms(createLatencies)}; server CPU ${fmt(createCpuUs)} µs/call)`,
      events: `${fmt(events / eventSeconds)} events/s (${ms(eventLatencies)}; server CPU ${fmt(eventCpuUs)} µs/event)`,
      fill: `${fillSeconds.toFixed(1)} s`,
      list: `${ms(listLatencies)} (${listed} per page)`,
      rss: `${rssIdle.toFixed(0)} MB / ${rssAfter.toFixed(0)} MB`,
    };
  } finally {
    for (const s of servers) await s.stop();
    await pg?.stop();
  }
}

async function main(): Promise<void> {
  const setups = (process.env.BENCH_SETUPS ?? "embedded,postgres,postgres-2").split(",").map((n) => {
    const s = setupsByName[n.trim()];
    if (!s) throw new Error(`BENCH_SETUPS: unknown setup ${n} (known: ${Object.keys(setupsByName).join(", ")})`);
    return s;
  });
  // A stand-in Kubernetes API on loopback receives the FlyteWorkflow resources.
  const kube = await startFakeKube();
  const kubeconfig = kube.writeKubeconfig();
  // BENCH_CLIENT=connect drives the loops with Connect's gRPC client instead (it costs the shared cores more).
  const connectLoad = process.env.BENCH_CLIENT === "connect";
  try {
    const results: Result[] = [];
    for (const setup of setups) results.push(await runSetup(setup, kubeconfig, connectLoad));
    console.log(
      `\nCommand: bun scripts/bench-exec.ts (BENCH_SECONDS=${seconds}, BENCH_EXECUTIONS=${totalExecutions}; servers from source, FlyteWorkflows posted to a stand-in Kubernetes API on loopback, ${connectLoad ? "Connect" : "lean"} gRPC load generator and PostgreSQL on the same ${cpus().length} cores)\n`,
    );
    const row = (measure: string, pick: (r: Result) => string) => console.log(`| ${measure} | ${results.map(pick).join(" | ")} |`);
    console.log(`| measure | ${setups.map((s) => s.label).join(" | ")} |\n|---|${setups.map(() => "---|").join("")}`);
    row(`CreateExecution over gRPC, ${clients} concurrent clients`, (r) => r.create);
    row(`events (1 workflow : 10 node : 10 task), ${clients} concurrent streams`, (r) => r.events);
    row(`filling to ${fmt(totalExecutions)} executions (SQL copies of a real row)`, (r) => r.fill);
    row(`ListExecutions, phase filter, 100 newest, at ${fmt(totalExecutions)} executions (one client per replica)`, (r) => r.list);
    row("server RSS (all replicas): idle / after the load", (r) => r.rss);
  } finally {
    await kube.close();
  }
}

await main();
