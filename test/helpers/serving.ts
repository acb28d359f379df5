// Waits for a spawned `flyteadmin serve` to log that it is serving and returns its bound ports.
import { join } from "node:path";
import type { Subprocess } from "bun";

export async function waitForServing(
  proc: Subprocess<"ignore" | "pipe" | "inherit", "pipe", "ignore" | "pipe" | "inherit">,
  timeoutMs = 20_000,
): Promise<{ ports: number[]; log: string }> {
  const reader = proc.stdout.getReader();
  let log = "";
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      log += new TextDecoder().decode(value);
      const line = log.split("\n").find((l) => l.includes('"msg":"serving"'));
      if (line) return { ports: (JSON.parse(line) as { ports: number[] }).ports, log };
    }
  } finally {
    reader.releaseLock();
  }
  throw new Error(`server did not report serving within ${timeoutMs} ms:\n${log}`);
}

const main = join(import.meta.dir, "../../src/main.ts");

/** The command line of `flyteadmin serve` from source, on ephemeral loopback ports, with its data in `dir`. */
export function serveCommand(dir: string, ...flags: string[]): string[] {
  return [
    process.execPath,
    main,
    "serve",
    ...["--server.httpPort", "0", "--server.grpc.port", "0", "--server.host", "127.0.0.1"],
    ...["--database.url", `file:${join(dir, "admin.db")}`, "--storage.local.path", join(dir, "blobs")],
    ...flags,
  ];
}
