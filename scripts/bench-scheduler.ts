// Schedule runner benchmark (not a test): 1,000 active every-minute cron schedules on the embedded
// database, the runner creating their executions through the real ExecutionManager (executions stay
// queued: no executor). Reports the lag between each tick and its create (p50, p99, max) over the ticks
// of BENCH_MINUTES minute boundaries, in real time. One run per adminRateLimit.tps in BENCH_TPS, one
// after the other on fresh databases: 0 (no limit) and upstream's default 100/s (burst 10).
//   bun scripts/bench-scheduler.ts        (BENCH_SCHEDULES=1000, BENCH_MINUTES=1, BENCH_TPS=0,100)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { LaunchPlanState, LaunchPlanUpdateRequestSchema } from "../src/gen/flyteidl/admin/launch_plan_pb";
import { ProjectSchema } from "../src/gen/flyteidl/admin/project_pb";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { loadConfig } from "../src/config/load";
import { buildStores } from "../src/compose/stores";
import { buildManagers } from "../src/compose/managers";
import { openDatabase } from "../src/stores/db/client";
import { migrateUp } from "../src/stores/db/migrate";
import { scheduleStore } from "../src/stores/db/schedules";
import { MemBlobStore } from "../src/stores/blob/mem";
import { silentLogger } from "../src/kernel/log";
import { startScheduler } from "../src/scheduler";
import { launchPlanFor, pythonTask, twoNodeWorkflow } from "../test/fixtures/pyflyte";

const schedules = Number(process.env.BENCH_SCHEDULES ?? 1000);
const minutes = Number(process.env.BENCH_MINUTES ?? 1);
const rates = (process.env.BENCH_TPS ?? "0,100").split(",").map(Number);
async function run(tps: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-scheduler-"));
  const database = await openDatabase({ url: `file:${join(dir, "admin.db")}` });
  await migrateUp(database.db);
  const config = loadConfig({ flags: { "scheduler.workflowExecutor.local.adminRateLimit.tps": String(tps) } });
  const m = buildManagers(config, buildStores(database, { store: new MemBlobStore("bench") }), {
    launcher: { clusterFor: () => "", launch: async () => ({ cluster: "" }), abort: async () => {} },
  });
  await m.projects.register(create(ProjectSchema, { id: "flytesnacks", name: "flytesnacks" }));
  await m.tasks.create(pythonTask({ name: "workflows.example.t1" }));
  await m.tasks.create(pythonTask({ name: "workflows.example.t2" }));
  await m.workflows.create(twoNodeWorkflow());
  for (let i = 0; i < schedules; i++) {
    const name = `bench.lp${i}`;
    await m.launchPlans.create(launchPlanFor({}, { name, cron: "* * * * *", defaults: { name: "bench" } }));
    const id = { resourceType: ResourceType.LAUNCH_PLAN, project: "flytesnacks", domain: "development", name, version: "v1" };
    await m.launchPlans.update(create(LaunchPlanUpdateRequestSchema, { id, state: LaunchPlanState.ACTIVE }));
  }
  console.log(`tps ${tps}: ${schedules} schedules active; waiting for ${minutes} minute boundar${minutes === 1 ? "y" : "ies"}`);
  const scheduler = startScheduler({
    config: config.scheduler,
    store: scheduleStore(database.db),
    createExecution: (r) => m.executions.create(r),
    log: silentLogger,
  });
  const firstBoundary = Math.ceil(Date.now() / 60_000) * 60_000;
  await Bun.sleep(firstBoundary + (minutes - 1) * 60_000 + 15_000 - Date.now());
  await scheduler.stop();
  const metrics = scheduler.runner.metrics;
  console.log(
    `tps ${tps}: ticks ${metrics.ticksFired} created ${metrics.created} failures ${metrics.failures}; lag p50 ${metrics.lag(0.5)} ms, p99 ${metrics.lag(0.99)} ms, max ${metrics.lag(1)} ms`,
  );
  database.close();
  rmSync(dir, { recursive: true, force: true });
}

for (const tps of rates) await run(tps);
