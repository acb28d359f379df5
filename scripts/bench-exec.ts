// Execution benchmark (not a test): CreateExecution calls/s with 32 concurrent clients; propeller-style
// event ingestion (1 workflow : 10 node : 10 task events per execution, 32 concurrent streams);
// ListExecutions p50/p99 with a phase filter at 100,000 executions; server RSS after the load.
// The server runs from source in its own process on the embedded database and submits to a stand-in
// Kubernetes API on loopback; the load generator shares this machine's cores, so the measured loops use a
// lean native gRPC client (lean-grpc.ts, ~30 µs of CPU per call against Connect's ~150) and the table
// reports the server's own CPU per call too.
//   bun scripts/bench-exec.ts        (BENCH_SECONDS=10, BENCH_EXECUTIONS=100000, BENCH_CLIENT=lean|connect)
import { cpus } from "node:os";
import { join } from "node:path";
import { createClient as createLibsql } from "@libsql/client";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { NodeExecution_Phase as NodePhase, TaskExecution_Phase as TaskPhase, WorkflowExecution_Phase as WfPhase } from "../src/gen/flyteidl/core/execution_pb";
import { launchPlanFor, pythonTask, twoNodeWorkflow } from "../test/fixtures/pyflyte";
import { startBenchServer } from "./bench-server";
import { startFakeKube } from "../test/helpers/fake-k8s";

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

async function main(): Promise<void> {
  // A stand-in Kubernetes API on loopback receives the FlyteWorkflow resources.
  const kube = await startFakeKube();
  const kubeconfig = kube.writeKubeconfig();
  // Upstream's client-side throttle (kubeClientConfig qps 100, burst 25) would cap creation at ~100/s; a busy
  // deployment raises it, as the benchmark does, so it measures admin rather than the throttle.
  const server = await startBenchServer("exec", [
    "--server.kube-config",
    kubeconfig,
    "--server.kubeClientConfig.qps",
    "100000",
    "--server.kubeClientConfig.burst",
    "1000",
  ]);
  const { admin, dir } = server;
  // BENCH_CLIENT=connect drives the loops with Connect's gRPC client instead (it costs the shared cores more).
  const connectLoad = process.env.BENCH_CLIENT === "connect";
  const lean = connectLoad ? admin : server.lean;
  try {
    await admin.registerProject({ project: { id: "flytesnacks", name: "flytesnacks" } });
    await admin.createTask(pythonTask({ name: "workflows.example.t1" }));
    await admin.createTask(pythonTask({ name: "workflows.example.t2" }));
    await admin.createWorkflow(twoNodeWorkflow());
    await admin.createLaunchPlan(launchPlanFor({}));
    const rssIdle = await rssMb(server.pid);

    // CreateExecution: 32 clients for `seconds`.
    let created = 0;
    const createLatencies: number[] = [];
    const names: string[] = [];
    let cpu0 = await cpuSeconds(server.pid);
    let end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < end) {
          const t = performance.now();
          const r = await lean.createExecution({ ...scope, spec: { launchPlan: lp }, inputs: { literals: name } });
          createLatencies.push(performance.now() - t);
          names.push(r.id?.name ?? "");
          created++;
        }
      }),
    );
    createLatencies.sort((a, b) => a - b);
    const createCpuUs = (((await cpuSeconds(server.pid)) - cpu0) * 1e6) / created;

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
    cpu0 = await cpuSeconds(server.pid);
    end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < end && nextExecution < names.length) {
          const executionId = { ...scope, name: names[nextExecution++] };
          await timed(lean.createWorkflowEvent({ event: { executionId, phase: WfPhase.RUNNING, occurredAt: ts(), producerId: "propeller" } }));
          for (let n = 0; n < 5; n++) {
            const nodeId = `n${n}`;
            const node = (phase: NodePhase) =>
              lean.createNodeEvent({
                event: {
                  id: { executionId, nodeId },
                  phase,
                  occurredAt: ts(),
                  producerId: "propeller",
                  inputValue: { case: "inputUri", value: "s3://b/in.pb" },
                },
              });
            const taskEvent = (phase: TaskPhase) =>
              lean.createTaskEvent({
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
    const eventCpuUs = (((await cpuSeconds(server.pid)) - cpu0) * 1e6) / events;
    const eventSeconds = Math.min(seconds, (performance.now() - (end - seconds * 1000)) / 1000);

    // Fill to `totalExecutions` by copying a real execution row in SQL (the API path was measured above),
    // with phases spread as a busy deployment's would be.
    const db = createLibsql({ url: `file:${join(dir, ".flyteadmin", "flyteadmin.db")}` });
    await db.execute("PRAGMA busy_timeout = 30000");
    const toAdd = Math.max(0, totalExecutions - created);
    const fillStart = performance.now();
    for (let done = 0; done < toAdd; done += 10_000) {
      const n = Math.min(10_000, toAdd - done);
      await db.execute({
        sql: `INSERT INTO executions (execution_project, execution_domain, execution_name, launch_plan_id, workflow_id, task_id, phase, spec, closure,
                started_at, execution_created_at, execution_updated_at, duration, abort_cause, mode, cluster, inputs_uri, user_inputs_uri, user, state,
                launch_entity, created_at, updated_at)
              WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)
              SELECT e.execution_project, e.execution_domain, 'fill' || (? + c.x), e.launch_plan_id, e.workflow_id, e.task_id,
                CASE c.x % 5 WHEN 0 THEN 'RUNNING' WHEN 1 THEN 'FAILED' ELSE 'SUCCEEDED' END, e.spec, e.closure, e.started_at,
                strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || c.x || ' seconds'), e.execution_updated_at, e.duration, e.abort_cause, e.mode, e.cluster,
                e.inputs_uri, e.user_inputs_uri, e.user, e.state, e.launch_entity, e.created_at, e.updated_at
              FROM executions e, c WHERE e.execution_name = ?`,
        args: [n, done, names[0]],
      });
    }
    const fillSeconds = (performance.now() - fillStart) / 1000;
    db.close();

    const listLatencies: number[] = [];
    let listed = 0;
    end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      const t = performance.now();
      const page = await admin.listExecutions({ id: scope, limit: 100, filters: "eq(phase,FAILED)", sortBy: { key: "execution_created_at", direction: 0 } });
      listLatencies.push(performance.now() - t);
      listed = page.executions.length;
    }
    listLatencies.sort((a, b) => a - b);
    const rssAfter = await rssMb(server.pid);

    console.log(
      `\nCommand: bun scripts/bench-exec.ts (BENCH_SECONDS=${seconds}, BENCH_EXECUTIONS=${totalExecutions}; server from source, FlyteWorkflows posted to a stand-in Kubernetes API on loopback, ${connectLoad ? "Connect" : "lean"} gRPC load generator on the same ${cpus().length} cores)\n`,
    );
    console.log("| measure | value |\n|---|---|");
    console.log(
      `| CreateExecution over gRPC, ${clients} concurrent clients | ${fmt(created / seconds)} calls/s (p50 ${quantile(createLatencies, 0.5).toFixed(1)} ms, p99 ${quantile(createLatencies, 0.99).toFixed(1)} ms; server CPU ${fmt(createCpuUs)} µs/call) |`,
    );
    console.log(
      `| events (1 workflow : 10 node : 10 task), ${clients} concurrent streams | ${fmt(events / eventSeconds)} events/s (p50 ${quantile(eventLatencies, 0.5).toFixed(1)} ms, p99 ${quantile(eventLatencies, 0.99).toFixed(1)} ms; server CPU ${fmt(eventCpuUs)} µs/event) |`,
    );
    console.log(`| filling to ${fmt(totalExecutions)} executions (SQL copies of a real row) | ${fillSeconds.toFixed(1)} s |`);
    console.log(
      `| ListExecutions, phase filter, 100 newest, at ${fmt(totalExecutions)} executions | p50 ${quantile(listLatencies, 0.5).toFixed(1)} ms, p99 ${quantile(listLatencies, 0.99).toFixed(1)} ms (${listed} per page) |`,
    );
    console.log(`| server RSS: idle / after the load | ${rssIdle.toFixed(0)} MB / ${rssAfter.toFixed(0)} MB |`);
  } finally {
    await server.stop();
    await kube.close();
  }
}

await main();
