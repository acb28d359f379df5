// Edge benchmark (not a test): cold start and idle RSS of dist/flyteadmin, then unary GetVersion and
// ListProjects over native gRPC (h2c) and Connect JSON (HTTP/1.1) with 64 calls in flight, beside a
// no-op handler on the same listener. Load generator and server share this machine's cores.
//   bun scripts/bench-edge.ts            (BENCH_SECONDS=10 by default)
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { waitForServing } from "../test/helpers/serving";

const root = join(import.meta.dir, "..");
const bin = join(root, "dist/flyteadmin");
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const concurrency = 64;

interface Server {
  proc: ReturnType<typeof Bun.spawn>;
  ports: number[];
}

async function start(cmd: string[], cwd: string): Promise<Server> {
  const proc = Bun.spawn(cmd, { cwd, stdout: "pipe", stderr: "inherit" });
  try {
    return { proc, ports: (await waitForServing(proc)).ports };
  } catch (e) {
    proc.kill();
    throw e;
  }
}

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
};

const serveArgs = ["serve", "--server.httpPort", "0", "--server.grpc.port", "0", "--server.host", "127.0.0.1", "--logger.accessLog", "false"];

/** Exec to the first answered gRPC call, on a fresh database (migrations included). */
async function coldStart(): Promise<number> {
  const cwd = mkdtempSync(join(tmpdir(), "flyteadmin-cold-"));
  const t0 = performance.now();
  const proc = Bun.spawn([bin, "serve", "--server.httpPort", "0", "--server.grpc.port", "18999", "--server.host", "127.0.0.1", "--logger.accessLog", "false"], {
    cwd,
    stdout: "ignore",
    stderr: "ignore",
  });
  const admin = createClient(AdminService, createGrpcTransport({ baseUrl: "http://127.0.0.1:18999" }));
  let ms = NaN;
  while (performance.now() - t0 < 10_000) {
    try {
      await admin.getVersion({}, { timeoutMs: 200 });
      ms = performance.now() - t0;
      break;
    } catch {
      await Bun.sleep(2);
    }
  }
  proc.kill("SIGTERM");
  await proc.exited;
  rmSync(cwd, { recursive: true, force: true });
  return ms;
}

interface Result {
  calls: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** Latencies of the calls that finished in `ms` with `concurrency` in flight. */
async function load(call: () => Promise<unknown>, ms: number): Promise<number[]> {
  const latencies: number[] = [];
  const end = performance.now() + ms;
  let errors = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await call();
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  if (errors > 0) console.error(`  ${errors} calls failed`);
  return latencies;
}

function summary(latencies: number[], seconds: number): Result {
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { calls: latencies.length, perSecond: latencies.length / seconds, p50: q(0.5), p99: q(0.99) };
}

const clients = (ports: number[]) => ({
  grpc: createClient(AdminService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${ports[1]}` })),
  connect: createClient(AdminService, createConnectTransport({ baseUrl: `http://127.0.0.1:${ports[0]}`, httpVersion: "1.1" })),
});

const fmt = (r: Result) => `${Math.round(r.perSecond).toLocaleString("en-US")} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)}`;

async function main(): Promise<void> {
  if (!existsSync(bin)) {
    const b = Bun.spawnSync([process.execPath, join(root, "scripts/build.ts")], { stdout: "inherit", stderr: "inherit" });
    if (b.exitCode !== 0) throw new Error("build failed");
  }
  const colds: number[] = [];
  for (let i = 0; i < 5; i++) {
    colds.push(await coldStart());
    console.error(`  cold start ${i + 1}: ${colds[i].toFixed(0)} ms`);
  }
  colds.sort((a, b) => a - b);

  const cwd = mkdtempSync(join(tmpdir(), "flyteadmin-bench-"));
  const ours = await start([bin, ...serveArgs], cwd);
  const noop = await start([process.execPath, join(root, "scripts/bench-noop-server.ts")], cwd);
  try {
    await Bun.sleep(300);
    const idle = rssMb(ours.proc.pid);
    const c = clients(ours.ports);
    for (let i = 0; i < 20; i++) await c.grpc.registerProject({ project: { id: `bench-${i}`, name: `Bench ${i}` } });
    const n = clients(noop.ports);
    const rows: Array<[string, Result]> = [];
    const run = async (name: string, call: () => Promise<unknown>) => {
      await load(call, seconds * 500); // warm-up, not reported
      const r = summary(await load(call, seconds * 1000), seconds);
      rows.push([name, r]);
      console.error(`  ${name}: ${fmt(r)}`);
      return r;
    };
    // A call and its no-op baseline are measured in alternating slices, so drift in this shared machine's
    // speed falls on both alike and their ratio stays meaningful.
    const paired = async (name: string, call: () => Promise<unknown>, baseline: () => Promise<unknown>) => {
      await load(call, seconds * 500);
      await load(baseline, seconds * 500);
      const ours: number[] = [];
      const noop: number[] = [];
      const slices = 5;
      for (let i = 0; i < slices; i++) {
        for (const l of await load(call, (seconds * 1000) / slices)) ours.push(l);
        for (const l of await load(baseline, (seconds * 1000) / slices)) noop.push(l);
      }
      const r = summary(ours, seconds);
      const b = summary(noop, seconds);
      rows.push([name, r], [`no-op ${name}`, b]);
      console.error(`  ${name}: ${fmt(r)} (no-op ${fmt(b)})`);
      return r.perSecond / b.perSecond;
    };
    const grpcRatio = await paired(
      "GetVersion, gRPC h2c",
      () => c.grpc.getVersion({}),
      () => n.grpc.getVersion({}),
    );
    await run("ListProjects (20), gRPC h2c", () => c.grpc.listProjects({ limit: 20 }));
    const connectRatio = await paired(
      "GetVersion, Connect JSON HTTP/1.1",
      () => c.connect.getVersion({}),
      () => n.connect.getVersion({}),
    );
    await run("ListProjects (20), Connect JSON HTTP/1.1", () => c.connect.listProjects({ limit: 20 }));
    const after = rssMb(ours.proc.pid);

    console.log(
      `\nCommand: bun scripts/bench-edge.ts (BENCH_SECONDS=${seconds}, ${concurrency} calls in flight, load generator on the same ${cpus().length} cores)\n`,
    );
    console.log("| call | calls/s | p50 ms | p99 ms |\n|---|---|---|---|");
    for (const [name, r] of rows) console.log(`| ${name} | ${fmt(r)} |`);
    console.log("");
    console.log(`| measure | value | target |\n|---|---|---|`);
    console.log(`| cold start, exec → first gRPC answer, fresh database (median of 5) | ${colds[2].toFixed(0)} ms | ≤ 150 ms |`);
    console.log(`| idle RSS | ${idle.toFixed(0)} MB | ≤ 100 MB |`);
    console.log(`| RSS after the load | ${after.toFixed(0)} MB | |`);
    console.log(`| GetVersion vs no-op handler, gRPC | ${(grpcRatio * 100).toFixed(0)} % | ≥ 80 % |`);
    console.log(`| GetVersion vs no-op handler, Connect JSON | ${(connectRatio * 100).toFixed(0)} % | ≥ 80 % |`);
  } finally {
    ours.proc.kill("SIGTERM");
    noop.proc.kill("SIGTERM");
    await Promise.all([ours.proc.exited, noop.proc.exited]);
    rmSync(cwd, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
