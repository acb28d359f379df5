// Running out of file descriptors: with more idle connections than the open-file limit allows, the
// server must not spin (Bun's accept loop retries a failing accept at once, a core at 100%), and it
// must answer again once the connections are gone. Measured as the server process's CPU time from
// /proc/PID/stat, under `prlimit --nofile=128:128`.
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listen } from "../src/edge/listen";
import { createLogger } from "../src/kernel/log";
import { waitForServing, serveCommand } from "./helpers/serving";

const limit = 128;
const idleConnections = 200;
const measureMs = 2000;

/** Runs argv under an open-file limit of `limit`, with prlimit where installed, else the shell's ulimit. */
function spawnLimited(argv: string[]) {
  const cmd = Bun.which("prlimit") ? ["prlimit", `--nofile=${limit}:${limit}`, ...argv] : ["bash", "-c", `ulimit -n ${limit} && exec "$@"`, "bash", ...argv];
  return Bun.spawn(cmd, { stdout: "pipe", stderr: "inherit" });
}

/** User plus system CPU seconds of a process so far. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens `n` connections that send nothing; returns them and a count of those the server closed. */
function idle(port: number, n: number): { socks: net.Socket[]; closedByServer: () => number } {
  let closed = 0;
  const socks = Array.from({ length: n }, () => {
    const s = net.connect(port, "127.0.0.1");
    s.on("error", () => {});
    s.on("close", () => closed++);
    return s;
  });
  return { socks, closedByServer: () => closed };
}

/** Reads a child's output to the end so a full pipe never blocks it. */
async function drain(stream: ReadableStream<Uint8Array>): Promise<void> {
  for await (const _ of stream);
}

/** The status of GET url, retried while the port refuses (a paused listener takes up to a second to return). */
async function answered(url: string): Promise<number> {
  const deadline = performance.now() + 5000;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return res.status;
    } catch (e) {
      if (performance.now() > deadline) throw e;
      await sleep(100);
    }
  }
}

/** Holds `n` idle connections to a limited process, measures its CPU, closes them, checks it answers. */
async function exerciseUnderLimit(argv: string[], path: string): Promise<{ cpu: number; wall: number; status: number; log: string }> {
  const proc = spawnLimited(argv);
  try {
    const { ports, log } = await waitForServing(proc);
    void drain(proc.stdout);
    const conns = idle(ports[0], idleConnections);
    await sleep(300);
    const cpu0 = cpuSeconds(proc.pid);
    const t0 = performance.now();
    await sleep(measureMs);
    const cpu = cpuSeconds(proc.pid) - cpu0;
    const wall = (performance.now() - t0) / 1000;
    for (const s of conns.socks) s.destroy();
    return { cpu, wall, status: await answered(`http://127.0.0.1:${ports[0]}${path}`), log };
  } finally {
    proc.kill();
    await proc.exited;
  }
}

describe.skipIf(process.platform !== "linux" || !existsSync("/proc/self/stat"))("out of file descriptors", () => {
  test(`serve under nofile=${limit} with ${idleConnections} idle connections does not spin, and answers afterwards`, async () => {
    const dir = mkdtempSync(join(tmpdir(), "flyteadmin-fds-"));
    try {
      const r = await exerciseUnderLimit(serveCommand(dir, "--logger.accessLog", "false"), "/healthcheck");
      expect(r.cpu).toBeLessThan(0.3 * r.wall);
      expect(r.status).toBe(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a listener whose accepts really hit EMFILE pauses instead of spinning, and resumes", async () => {
    // The child lifts the connection budget, so only the descriptor probe stands between it and the spin.
    const r = await exerciseUnderLimit([process.execPath, "test/edge-fds-child.ts"], "/");
    expect(r.cpu).toBeLessThan(0.3 * r.wall);
    expect(r.status).toBe(200);
  });
});

describe("descriptor probe", () => {
  test("while no descriptor can be opened the port refuses connections; the pause is logged once; then it accepts again", async () => {
    let descriptors = true;
    const lines: string[] = [];
    const listeners = await listen({
      host: "127.0.0.1",
      ports: [0],
      handler: (_req, res) => res.end("ok"),
      log: createLogger("info", (l) => lines.push(l)),
      admission: { probe: () => descriptors, probeEveryMs: 20 },
    });
    const port = listeners.ports[0];
    const connect = () =>
      new Promise<string>((resolve) => {
        const s = net.connect(port, "127.0.0.1", () => {
          s.destroy();
          resolve("connected");
        });
        s.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
      });
    try {
      expect(await connect()).toBe("connected");
      descriptors = false;
      await sleep(300);
      expect(await connect()).toBe("ECONNREFUSED");
      descriptors = true;
      await sleep(1200);
      expect(await connect()).toBe("connected");
      const res = await fetch(`http://127.0.0.1:${port}/`);
      expect(await res.text()).toBe("ok");
      const pauses = lines.filter((l) => l.includes("out of file descriptors"));
      expect(pauses.length).toBe(1);
    } finally {
      await listeners.close(100);
    }
  });
});
