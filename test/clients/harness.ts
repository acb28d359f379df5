// One real server per client test file: fresh database, ephemeral ports, a stand-in Kubernetes API
// receiving the FlyteWorkflows, the flytesnacks project, and a Flyte config file both pyflyte and
// flytectl read. Client commands run as subprocesses with a private HOME so nothing outside leaks in.
// With `auth`, the server is startAuthServer's (useAuth on, Self mode, beside an in-process OIDC provider).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type AuthTestServer, startAuthServer } from "../helpers/auth-server";
import { startFakeKube, type FakeKube } from "../helpers/fake-k8s";
import { startTestServer, type TestServer } from "../helpers/server";
import { ensureTools, repoRoot, tools } from "./tools";

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

export interface RunOptions {
  cwd?: string;
  timeoutMs?: number;
  env?: Record<string, string>;
  stdin?: string;
}

/** A command still running: what it printed so far, and its result once it ends. */
export interface Running {
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
  /** Resolves when the command ends; rejects on a timeout (after killing it), not on a non-zero exit. */
  done: Promise<RunResult>;
  /** Ends it now (SIGKILL). */
  kill(): void;
}

export interface ClientEnv {
  ts: TestServer;
  /** Set when started with `auth`: the same server as `ts`, with its OIDC provider and token helper. */
  auth: AuthTestServer | undefined;
  kube: FakeKube;
  tools: typeof tools;
  /** The Flyte config file (admin.endpoint on our gRPC port, insecure). */
  config: string;
  home: string;
  /** The environment commands run with (PATH, HOME, FLYTECTL_CONFIG, …); `env` options are laid over it. */
  baseEnv: Readonly<Record<string, string>>;
  /** Runs a command with the suite's environment; fails the test on a timeout, not on a non-zero exit. */
  run(cmd: string[], opts?: RunOptions): Promise<RunResult>;
  /** Starts a command as `run` does and returns at once, so a test can read its output while it runs. */
  start(cmd: string[], opts?: RunOptions): Running;
  close(): Promise<void>;
}

export interface ClientEnvOptions {
  /** Auth on (startAuthServer); the flags are laid over its own. */
  auth?: boolean;
}

export async function startClientEnv(flags: Record<string, string> = {}, opts: ClientEnvOptions = {}): Promise<ClientEnv> {
  const installed = ensureTools();
  const kube = await startFakeKube();
  const serverFlags = { "server.kube-config": kube.writeKubeconfig(), ...flags };
  let auth: AuthTestServer | undefined;
  let ts: TestServer;
  try {
    ts = opts.auth ? (auth = await startAuthServer({ flags: serverFlags })) : await startTestServer(serverFlags);
  } catch (e) {
    await kube.close();
    throw e;
  }
  const as = auth ? { headers: { authorization: `Bearer ${await auth.token()}` } } : undefined;
  await ts.admin().registerProject({ project: { id: project, name: project, description: "client suite" } }, as);
  const home = join(ts.dir, "home");
  const config = writeFlyteConfig(home, new URL(ts.grpcUrl).port);

  const baseEnv = clientBaseEnv(home, config, projectDir);
  const { start, run } = commandRunner(baseEnv);
  return {
    ts,
    auth,
    kube,
    tools: installed,
    config,
    home,
    baseEnv,
    start,
    run,
    async close() {
      await ts.close();
      await kube.close();
    },
  };
}

/** Writes the Flyte config file pyflyte and flytectl read under `home`: our gRPC port, insecure. */
export function writeFlyteConfig(home: string, grpcPort: string | number): string {
  mkdirSync(join(home, ".flyte"), { recursive: true });
  const config = join(home, ".flyte", "config.yaml");
  writeFileSync(config, `admin:\n  endpoint: dns:///127.0.0.1:${grpcPort}\n  insecure: true\nlogger:\n  level: 0\n`);
  return config;
}

/** The environment client commands run with: the venv first on PATH, a private HOME, plain output. */
export function clientBaseEnv(home: string, config: string, pythonPath: string): Record<string, string> {
  return {
    PATH: `${join(tools.python, "..")}:${process.env.PATH ?? ""}`,
    HOME: home,
    FLYTECTL_CONFIG: config,
    // flytekit prints with rich; no colours or terminal widths in what tests read.
    NO_COLOR: "1",
    TERM: "dumb",
    COLUMNS: "200",
    PYTHONUNBUFFERED: "1",
    PYTHONPATH: pythonPath,
  };
}

/** Runs commands with `baseEnv` (options' env laid over it) in `projectDir` unless told another cwd. */
export function commandRunner(baseEnv: Readonly<Record<string, string>>, cwd = projectDir): Pick<ClientEnv, "start" | "run"> {
  const start = (cmd: string[], opts: RunOptions = {}): Running => {
    const proc = Bun.spawn(cmd, {
      cwd: opts.cwd ?? cwd,
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
    let both = "";
    const read = async (stream: ReadableStream<Uint8Array>): Promise<string> => {
      const decoder = new TextDecoder();
      let text = "";
      for await (const chunk of stream) {
        const part = decoder.decode(chunk, { stream: true });
        text += part;
        both += part;
      }
      return text;
    };
    const done = (async () => {
      const [stdout, stderr] = await Promise.all([read(proc.stdout), read(proc.stderr)]);
      const code = await proc.exited;
      clearTimeout(timer);
      if (timedOut) throw new Error(`\`${cmd.join(" ")}\` did not finish in ${timeoutMs} ms:\n${stdout}\n${stderr}`);
      return { code, stdout, stderr, output: `${stdout}\n${stderr}` };
    })();
    return { output: () => both, done, kill: () => proc.kill("SIGKILL") };
  };
  return { start, run: (cmd, opts) => start(cmd, opts).done };
}

/** Throws with the command's output unless it exited 0. */
export function ok(r: RunResult, what: string): RunResult {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.output.slice(-4000)}`);
  return r;
}

export { repoRoot };
