// One real server per client test file: fresh database, ephemeral ports, a stand-in Kubernetes API
// receiving the FlyteWorkflows, the flytesnacks project, and a Flyte config file both pyflyte and
// flytectl read. Client commands run as subprocesses with a private HOME so nothing outside leaks in.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeKube, type FakeKube } from "../helpers/fake-k8s";
import { startTestServer, type TestServer } from "../helpers/server";
import { ensureTools, repoRoot, type tools } from "./tools";

export const project = "flytesnacks";
export const domain = "development";
export const projectDir = join(import.meta.dir, "project");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for messages. */
  output: string;
}

export interface ClientEnv {
  ts: TestServer;
  kube: FakeKube;
  tools: typeof tools;
  /** The Flyte config file (admin.endpoint on our gRPC port, insecure). */
  config: string;
  home: string;
  /** Runs a command with the suite's environment; fails the test on a timeout, not on a non-zero exit. */
  run(cmd: string[], opts?: { cwd?: string; timeoutMs?: number; env?: Record<string, string>; stdin?: string }): Promise<RunResult>;
  close(): Promise<void>;
}

export async function startClientEnv(flags: Record<string, string> = {}): Promise<ClientEnv> {
  const installed = ensureTools();
  const kube = await startFakeKube();
  const ts = await startTestServer({ "server.kube-config": kube.writeKubeconfig(), ...flags });
  await ts.admin().registerProject({ project: { id: project, name: project, description: "client suite" } });
  const home = join(ts.dir, "home");
  mkdirSync(join(home, ".flyte"), { recursive: true });
  const config = join(home, ".flyte", "config.yaml");
  const grpcPort = new URL(ts.grpcUrl).port;
  writeFileSync(config, `admin:\n  endpoint: dns:///127.0.0.1:${grpcPort}\n  insecure: true\nlogger:\n  level: 0\n`);

  const baseEnv: Record<string, string> = {
    PATH: `${join(installed.python, "..")}:${process.env.PATH ?? ""}`,
    HOME: home,
    FLYTECTL_CONFIG: config,
    // flytekit prints with rich; no colours or terminal widths in what tests read.
    NO_COLOR: "1",
    TERM: "dumb",
    COLUMNS: "200",
    PYTHONUNBUFFERED: "1",
    PYTHONPATH: projectDir,
  };
  return {
    ts,
    kube,
    tools: installed,
    config,
    home,
    async run(cmd, opts = {}) {
      const proc = Bun.spawn(cmd, {
        cwd: opts.cwd ?? projectDir,
        env: { ...baseEnv, ...opts.env },
        stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
        stdout: "pipe",
        stderr: "pipe",
      });
      const timeoutMs = opts.timeoutMs ?? 120_000;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        proc.kill("SIGKILL");
      }, timeoutMs);
      const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
      const code = await proc.exited;
      clearTimeout(timer);
      if (timedOut) throw new Error(`\`${cmd.join(" ")}\` did not finish in ${timeoutMs} ms:\n${stdout}\n${stderr}`);
      return { code, stdout, stderr, output: `${stdout}\n${stderr}` };
    },
    async close() {
      await ts.close();
      await kube.close();
    },
  };
}

/** Throws with the command's output unless it exited 0. */
export function ok(r: RunResult, what: string): RunResult {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.output.slice(-4000)}`);
  return r;
}

export { repoRoot };
