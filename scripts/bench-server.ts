// The server the benchmarks load: run from source in its own process on a fresh embedded database,
// access log off, with a gRPC admin client pointed at it. BENCH_BUN_FLAGS passes flags to the server's bun,
// e.g. BENCH_BUN_FLAGS="--cpu-prof-md --cpu-prof-dir=/tmp/prof" for a profile written at stop.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { waitForServing } from "../test/helpers/serving";
import { leanGrpcClient, type LeanClient } from "./lean-grpc";

export interface BenchServer {
  dir: string;
  pid: number;
  ports: number[];
  admin: Client<typeof AdminService>;
  /** The same service over the lean load-generation client (lean-grpc.ts): for the measured loops. */
  lean: LeanClient<typeof AdminService>["client"];
  stop(): Promise<void>;
}

/** The server's error lines go to stderr, so a benchmark that meets an Internal answer shows its cause. */
async function forwardErrors(stdout: ReadableStream<Uint8Array>): Promise<void> {
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of stdout) {
    const lines = (pending + decoder.decode(chunk, { stream: true })).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (line.includes('"level":"error"')) process.stderr.write(`[server] ${line}\n`);
  }
}

export async function startBenchServer(name: string, flags: string[] = []): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), `flyteadmin-bench-${name}-`));
  const main = join(import.meta.dir, "..", "src/main.ts");
  const proc = Bun.spawn(
    [
      process.execPath,
      ...(process.env.BENCH_BUN_FLAGS?.split(" ").filter(Boolean) ?? []),
      main,
      "serve",
      "--server.httpPort",
      "0",
      "--server.grpc.port",
      "0",
      "--server.host",
      "127.0.0.1",
      "--logger.accessLog",
      "false",
      ...flags,
    ],
    { cwd: dir, stdout: "pipe", stderr: "inherit" },
  );
  const { ports } = await waitForServing(proc);
  void forwardErrors(proc.stdout);
  const lean = leanGrpcClient(AdminService, `http://127.0.0.1:${ports[1]}`);
  return {
    dir,
    pid: proc.pid,
    ports,
    admin: createClient(AdminService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${ports[1]}` })),
    lean: lean.client,
    async stop() {
      lean.close();
      proc.kill("SIGTERM");
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
