// Side-by-side benchmark of two server binaries (not a test): unary GetVersion over native gRPC (h2c)
// and Connect JSON (HTTP/1.1), 64 calls in flight, in slices that alternate between the two so drift in
// the host's speed hits both alike. The first three slices of each are warm-up and not counted.
//   bun scripts/bench-ab.ts OLD_BINARY NEW_BINARY        (e.g. a dist/flyteadmin built from another commit)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { waitForServing } from "../test/helpers/serving";

const [oldArg, newArg] = process.argv.slice(2);
if (!oldArg || !newArg) {
  console.error("usage: bun scripts/bench-ab.ts OLD_BINARY NEW_BINARY");
  process.exit(2);
}
const [oldBin, newBin] = [resolve(oldArg), resolve(newArg)];
const slices = Number(process.env.BENCH_SLICES ?? 8);
const sliceMs = Number(process.env.BENCH_SLICE_MS ?? 1500);
const warmup = 3;

async function start(bin: string) {
  const cwd = mkdtempSync(join(tmpdir(), "flyteadmin-ab-"));
  const proc = Bun.spawn([bin, "serve", "--server.httpPort", "0", "--server.grpc.port", "0", "--server.host", "127.0.0.1", "--logger.accessLog", "false"], {
    cwd,
    stdout: "pipe",
    stderr: "inherit",
  });
  return { proc, cwd, port: (await waitForServing(proc)).ports[1] };
}

async function callsPerSecond(port: number, protocol: "grpc" | "connect"): Promise<number> {
  const baseUrl = `http://127.0.0.1:${port}`;
  const transport = protocol === "grpc" ? createGrpcTransport({ baseUrl }) : createConnectTransport({ baseUrl, httpVersion: "1.1" });
  const client = createClient(AdminService, transport);
  let calls = 0;
  const end = Date.now() + sliceMs;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (Date.now() < end) {
        await client.getVersion({});
        calls++;
      }
    }),
  );
  return calls / (sliceMs / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const started: Array<Awaited<ReturnType<typeof start>>> = [];
try {
  for (const bin of [oldBin, newBin]) started.push(await start(bin));
  const servers = { old: started[0], new: started[1] };
  console.log("| call | old calls/s | new calls/s | new/old |\n|---|---|---|---|");
  for (const protocol of ["grpc", "connect"] as const) {
    const seen = { old: [] as number[], new: [] as number[] };
    for (let i = 0; i < slices; i++) {
      for (const side of i % 2 ? (["old", "new"] as const) : (["new", "old"] as const)) seen[side].push(await callsPerSecond(servers[side].port, protocol));
    }
    const [o, n] = [median(seen.old.slice(warmup)), median(seen.new.slice(warmup))];
    const label = protocol === "grpc" ? "GetVersion, gRPC h2c" : "GetVersion, Connect JSON HTTP/1.1";
    console.log(`| ${label} | ${Math.round(o).toLocaleString("en")} | ${Math.round(n).toLocaleString("en")} | ${Math.round((n / o) * 100)} % |`);
  }
} finally {
  for (const s of started) {
    s.proc.kill("SIGTERM");
    await s.proc.exited;
    rmSync(s.cwd, { recursive: true, force: true });
  }
}
