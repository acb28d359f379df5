// Registration benchmark (not a test): workflow compile scaling (scripts/bench-compile.ts), CreateTask
// calls/s over gRPC with 32 concurrent clients, and ListTasks p50/p99 with 100,000 registered tasks
// (embedded database). The server runs from source in
// its own process; the load generator shares this machine's cores.
//   bun scripts/bench-register.ts     (BENCH_SECONDS=10, BENCH_TASKS=100000)
import { cpus } from "node:os";
import { Sort_Direction } from "../src/gen/flyteidl/admin/common_pb";
import { pythonTask } from "../test/fixtures/pyflyte";
import { startBenchServer } from "./bench-server";
import { printCompileScaling } from "./bench-compile";

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const totalTasks = Number(process.env.BENCH_TASKS ?? 100_000);

const quantile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

async function main(): Promise<void> {
  const server = await startBenchServer("reg");
  const { admin } = server;
  try {
    await admin.registerProject({ project: { id: "flytesnacks", name: "flytesnacks" } });

    // CreateTask: 32 clients registering distinct versions for `seconds`.
    let created = 0;
    const latencies: number[] = [];
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: 32 }, async (_, client) => {
        for (let i = 0; performance.now() < end; i++) {
          const t = performance.now();
          await admin.createTask(pythonTask({ name: `bench.c${client}`, version: `v${i}` }));
          latencies.push(performance.now() - t);
          created++;
        }
      }),
    );
    latencies.sort((a, b) => a - b);
    const createRate = created / seconds;

    // Fill up to totalTasks, then time ListTasks pages (newest first, as flytectl asks).
    const fillStart = performance.now();
    let next = created;
    await Promise.all(
      Array.from({ length: 32 }, async (_, client) => {
        for (let i = 0; next < totalTasks; i++) {
          next++;
          await admin.createTask(pythonTask({ name: `fill.n${i % 500}`, version: `c${client}-${i}` }));
        }
      }),
    );
    const fillSeconds = (performance.now() - fillStart) / 1000;
    const listLatencies: number[] = [];
    const listEnd = performance.now() + seconds * 1000;
    for (let i = 0; performance.now() < listEnd; i++) {
      const t = performance.now();
      await admin.listTasks({
        id: { project: "flytesnacks", domain: "development", name: `fill.n${i % 500}` },
        limit: 100,
        sortBy: { key: "created_at", direction: Sort_Direction.DESCENDING },
      });
      listLatencies.push(performance.now() - t);
    }
    listLatencies.sort((a, b) => a - b);
    const all = await admin.listTasks({ id: { project: "flytesnacks", domain: "development" }, limit: 100, filters: "contains(name,fill.)" });

    console.log(
      `\nCommand: bun scripts/bench-register.ts (BENCH_SECONDS=${seconds}, BENCH_TASKS=${totalTasks}; server from source, load generator on the same ${cpus().length} cores)\n`,
    );
    console.log("| measure | value |\n|---|---|");
    console.log(
      `| CreateTask over gRPC, 32 concurrent clients | ${Math.round(createRate).toLocaleString("en-US")} calls/s (p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms) |`,
    );
    console.log(
      `| filling to ${totalTasks.toLocaleString("en-US")} tasks | ${fillSeconds.toFixed(0)} s (${Math.round((totalTasks - created) / fillSeconds).toLocaleString("en-US")} tasks/s) |`,
    );
    console.log(
      `| ListTasks, one name, 100 newest, at ${totalTasks.toLocaleString("en-US")} tasks | p50 ${quantile(listLatencies, 0.5).toFixed(1)} ms, p99 ${quantile(listLatencies, 0.99).toFixed(1)} ms |`,
    );
    console.log(`| (sanity) a filtered page | ${all.tasks.length} tasks |`);
    console.log("");
    printCompileScaling();
  } finally {
    await server.stop();
  }
}

await main();
process.exit(0);
