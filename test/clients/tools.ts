// The real clients the conformance suite drives, installed pinned into a git-ignored cache folder:
// flytekit (pyflyte, FlyteRemote) and schemathesis in Python venvs from PyPI, flytectl built from the
// Go module proxy; and Debian's Chromium (system-wide, by apt) for the browser test. A missing
// toolchain is an error that says what is missing, never a skip.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dir, "../..");
export const cacheDir = process.env.FLYTEADMIN_CLIENT_CACHE ?? join(repoRoot, ".cache", "clients");

/** What is installed, exactly. flytectl: the standalone github.com/flyteorg/flytectl module is not served
 * by the module proxy here (403 for every version); the monorepo module github.com/flyteorg/flyte/flytectl
 * v0.9.4 is, and builds once its relative `replace` directives point at served v1.16.8 modules
 * (test/clients/flytectl/go.mod). */
export const pins = {
  flytekit: "1.16.31",
  schemathesis: "4.32.5",
  flytectl: "github.com/flyteorg/flyte/flytectl@v0.9.4",
} as const;

export const tools = {
  python: join(cacheDir, "flytekit", "bin", "python"),
  pyflyte: join(cacheDir, "flytekit", "bin", "pyflyte"),
  schemathesis: join(cacheDir, "schemathesis", "bin", "schemathesis"),
  flytectl: join(cacheDir, "bin", "flytectl"),
  /** Debian's package, driven by playwright-core (never `playwright install`: no browser downloads here). */
  chromium: "/usr/bin/chromium",
};

function run(cmd: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): void {
  const p = Bun.spawnSync(cmd, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) {
    const out = `${p.stdout.toString()}\n${p.stderr.toString()}`.trim().split("\n").slice(-20).join("\n");
    throw new Error(`\`${cmd.join(" ")}\` failed (exit ${p.exitCode}):\n${out}`);
  }
}

function need(tool: string, why: string): string {
  const path = Bun.which(tool);
  if (!path) throw new Error(`the client suite needs \`${tool}\` on PATH (${why}); install it and run again`);
  return path;
}

/** A venv at `dir` with exactly `requirement` installed; a stamp file skips the work next time. */
function ensureVenv(name: string, requirement: string): void {
  const dir = join(cacheDir, name);
  const stamp = join(dir, ".installed");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === requirement) return;
  const python = need("python3", "for the flytekit and schemathesis venvs");
  console.error(`[clients] installing ${requirement} into ${dir}`);
  run([python, "-m", "venv", "--clear", dir]);
  run([join(dir, "bin", "pip"), "install", "--quiet", "--disable-pip-version-check", requirement]);
  writeFileSync(stamp, requirement);
}

function ensureFlytectl(): void {
  const stamp = join(cacheDir, "bin", ".flytectl");
  const mod = join(import.meta.dir, "flytectl");
  const want = pins.flytectl + readFileSync(join(mod, "go.sum"), "utf8").length;
  if (existsSync(tools.flytectl) && existsSync(stamp) && readFileSync(stamp, "utf8") === want) return;
  const go = need("go", "flytectl is built from the Go module proxy");
  console.error(`[clients] building ${pins.flytectl} into ${tools.flytectl} (a few minutes the first time)`);
  mkdirSync(join(cacheDir, "bin"), { recursive: true });
  // The checksum database has no entries for these modules; go.sum (committed) still pins every hash.
  run([go, "build", "-trimpath", "-o", tools.flytectl, "github.com/flyteorg/flyte/flytectl"], {
    cwd: mod,
    env: { GONOSUMDB: "github.com/flyteorg", GOFLAGS: "-mod=readonly", GOTOOLCHAIN: "local" },
  });
  writeFileSync(stamp, want);
}

/** Debian's chromium package, by apt (CI runs as root on a fresh machine); any version serves. */
function ensureChromium(): void {
  if (existsSync(tools.chromium)) return;
  const apt = need("apt-get", "Chromium for the browser test comes from Debian's chromium package");
  console.error(`[clients] installing Debian's chromium into ${tools.chromium}`);
  run([apt, "update", "-qq"]);
  run([apt, "install", "-y", "-qq", "--no-install-recommends", "chromium"], { env: { DEBIAN_FRONTEND: "noninteractive" } });
  if (!existsSync(tools.chromium)) throw new Error(`apt-get installed chromium but ${tools.chromium} is missing`);
}

/** Installs whatever is missing; returns the tool paths. */
export function ensureTools(): typeof tools {
  mkdirSync(cacheDir, { recursive: true });
  ensureVenv("flytekit", `flytekit==${pins.flytekit}`);
  ensureVenv("schemathesis", `schemathesis==${pins.schemathesis}`);
  ensureFlytectl();
  ensureChromium();
  return tools;
}
