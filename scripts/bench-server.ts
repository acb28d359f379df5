// The server the benchmarks load: run from source in its own process on a fresh embedded database,
// access log off, with a gRPC admin client pointed at it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { waitForServing } from "../test/helpers/serving";

export interface BenchServer {
  dir: string;
  pid: number;
  ports: number[];
  admin: Client<typeof AdminService>;
  stop(): Promise<void>;
}

export async function startBenchServer(name: string, flags: string[] = []): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), `flyteadmin-bench-${name}-`));
  const main = join(import.meta.dir, "..", "src/main.ts");
  const proc = Bun.spawn(
    [process.execPath, main, "serve", "--server.httpPort", "0", "--server.grpc.port", "0", "--server.host", "127.0.0.1", "--logger.accessLog", "false", ...flags],
    { cwd: dir, stdout: "pipe", stderr: "inherit" },
  );
  const { ports } = await waitForServing(proc);
  return {
    dir,
    pid: proc.pid,
    ports,
    admin: createClient(AdminService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${ports[1]}` })),
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
