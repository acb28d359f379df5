// A real PostgreSQL for tests: the server binaries of Debian's `postgresql` package (installed with apt when
// missing), a fresh cluster in a temporary directory, and one free loopback port. Settings trade durability for
// speed; nothing here is meant to outlive the test process.
import { SQL } from "bun";
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

export interface RunningPostgres {
  /** URL of the database created at start, `postgres://postgres@127.0.0.1:<port>/test`. */
  url: string;
  port: number;
  /** The temporary directory: data directory, unix socket and server log. */
  dir: string;
  /** Creates a database (a unique name when none is given) and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Immediate shutdown, then removes the directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** The shared server: no `stop`, since other test files in the process use it; it dies when the process exits. */
export type SharedPostgres = Omit<RunningPostgres, "stop">;

const SUPERUSER = "postgres";
const START_TIMEOUT_MS = 30_000;
const DEBIAN_ROOT = "/usr/lib/postgresql";

/** initdb and postgres from the highest /usr/lib/postgresql/<major>/bin, else from PATH; undefined when absent. */
export function findPostgresBinaries(): PostgresBinaries | undefined {
  const majors = existsSync(DEBIAN_ROOT)
    ? readdirSync(DEBIAN_ROOT)
        .filter((name) => /^\d+$/.test(name))
        .map(Number)
        .sort((a, b) => b - a)
    : [];
  for (const major of majors) {
    const bin = join(DEBIAN_ROOT, String(major), "bin");
    const found = { initdb: join(bin, "initdb"), postgres: join(bin, "postgres") };
    if (existsSync(found.initdb) && existsSync(found.postgres)) return found;
  }
  // Debian's /usr/bin wrappers cover clients only, so PATH matters for other layouts (Homebrew, source builds).
  const initdb = Bun.which("initdb");
  const postgres = Bun.which("postgres");
  return initdb && postgres ? { initdb, postgres } : undefined;
}

let binaries: Promise<PostgresBinaries> | undefined;

/** The binaries, installing Debian's `postgresql` package first when they are missing. Fails loudly, never skips. */
export function ensurePostgresBinaries(): Promise<PostgresBinaries> {
  // Memoized so that concurrent callers don't run apt twice (the second would fail on apt's lock).
  binaries ??= installIfMissing();
  return binaries;
}

async function installIfMissing(): Promise<PostgresBinaries> {
  const found = findPostgresBinaries();
  if (found) return found;
  const hint = "install Debian's `postgresql` package (apt-get install postgresql) or put initdb and postgres on PATH";
  if (process.getuid?.() !== 0) throw new Error(`PostgreSQL server binaries not found, and not root to install them: ${hint}`);
  if (!Bun.which("apt-get")) throw new Error(`PostgreSQL server binaries not found and there is no apt-get: ${hint}`);
  const install = ["apt-get", "install", "-y", "--no-install-recommends", "postgresql"];
  let result = await run(install);
  // A clean image often has no package lists yet; refresh them only when needed, it is the slow part.
  if (result.code !== 0) {
    const update = await run(["apt-get", "update"]);
    if (update.code !== 0) throw new Error(`apt-get update failed (${update.code}); ${hint}:\n${tail(update.output)}`);
    result = await run(install);
  }
  if (result.code !== 0) throw new Error(`apt-get install postgresql failed (${result.code}); ${hint}:\n${tail(result.output)}`);
  const installed = findPostgresBinaries();
  if (!installed) throw new Error(`apt-get installed postgresql but initdb/postgres are still not found under ${DEBIAN_ROOT} or on PATH`);
  return installed;
}

interface Identity {
  uid: number;
  gid: number;
}

/** Postgres refuses to run as root, so as root the server runs as the `postgres` user (or `nobody` without one). */
function serverIdentity(): Identity | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of [SUPERUSER, "nobody"]) {
    const uid = Bun.spawnSync(["id", "-u", user]);
    const gid = Bun.spawnSync(["id", "-g", user]);
    if (uid.exitCode === 0 && gid.exitCode === 0) return { uid: Number(uid.stdout.toString()), gid: Number(gid.stdout.toString()) };
  }
  throw new Error("running as root, but there is neither a `postgres` nor a `nobody` user to run PostgreSQL as");
}

/** A port the kernel just handed out on loopback; a small race with other processes, retried at start. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no port from the kernel"))));
    });
  });
}

// The postmaster runs under a small sh supervisor whose stdin is a pipe from this process. The pipe closes when
// stop() ends it, and also when this process dies in any way (bun test fires no "exit" event, and SIGKILL fires
// nothing): the supervisor then shuts the server down immediately and removes the directory. When the server
// exits on its own (a failed start), the directory stays for its log and the supervisor exits with its code.
const SUPERVISOR = `
dir=$1; shift
exec 3<&0
"$@" </dev/null 3<&- &
pg=$!
{ cat <&3 >/dev/null; : >"$dir/.stop"; kill -QUIT "$pg" 2>/dev/null; } </dev/null &
watcher=$!
wait "$pg"
code=$?
if [ -e "$dir/.stop" ]; then rm -rf "$dir"; else kill "$watcher" 2>/dev/null; fi
exit "$code"
`;

export interface PostgresOptions {
  /** PostgreSQL's own durability defaults (fsync, synchronous commit) instead of the tests' faster settings: for benchmarks. */
  durable?: boolean;
}

/** initdb a fresh cluster under the OS temp dir, start it on a free loopback port, create database `test`. */
export async function startPostgres(opts: PostgresOptions = {}): Promise<RunningPostgres> {
  const bin = await ensurePostgresBinaries();
  const identity = serverIdentity();
  const dir = mkdtempSync(join(tmpdir(), "flyteadmin-pg-"));
  const dataDir = join(dir, "data");
  const logFile = join(dir, "server.log");
  if (identity) chownSync(dir, identity.uid, identity.gid);
  try {
    // C locale: no dependence on which locales the image generated, and the cheapest collation.
    const init = await run([bin.initdb, "-D", dataDir, "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], { cwd: dir, identity });
    if (init.code !== 0) {
      const access = identity ? ` (the server runs as uid ${identity.uid}; it needs to reach ${dir})` : "";
      throw new Error(`initdb failed (${init.code})${access}:\n${tail(init.output)}`);
    }
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const started = await launch(bin, dir, dataDir, logFile, port, identity, opts.durable === true);
      if (started.ok) return await running(started.proc, started.postmaster, dir, port);
      // Someone took the port between our probe and the server's bind: pick another one.
      if (attempt < 3 && /already in use/i.test(started.log)) continue;
      throw new Error(`PostgreSQL did not start: ${started.reason}; server log (${logFile}):\n${tail(started.log)}`);
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

type Supervised = Bun.Subprocess<"pipe", number, number>;
type Launch = { ok: true; proc: Supervised; postmaster: number } | { ok: false; reason: string; log: string };

async function launch(
  bin: PostgresBinaries,
  dir: string,
  dataDir: string,
  logFile: string,
  port: number,
  identity: Identity | undefined,
  durable: boolean,
): Promise<Launch> {
  // Unix socket paths are limited to 107 bytes; with a long TMPDIR do without the socket, tests use TCP anyway.
  const socketDir = join(dir, `.s.PGSQL.${port}`).length < 100 ? dir : "";
  const settings: Record<string, string> = {
    listen_addresses: "127.0.0.1",
    unix_socket_directories: socketDir,
    ...(durable ? {} : { fsync: "off", synchronous_commit: "off", full_page_writes: "off" }),
    max_connections: "200",
    TimeZone: "UTC",
  };
  const args = [bin.postgres, "-D", dataDir, "-p", String(port), ...Object.entries(settings).flatMap(([key, value]) => ["-c", `${key}=${value}`])];
  const log = openSync(logFile, "a");
  let proc: Supervised;
  try {
    // Own session (detached): a Ctrl-C at the terminal reaches this process, not the server; our exit stops it.
    proc = Bun.spawn(["/bin/sh", "-c", SUPERVISOR, "sh", dir, ...args], {
      cwd: dir,
      env: childEnv(),
      stdin: "pipe",
      stdout: log,
      stderr: log,
      detached: true,
      uid: identity?.uid,
      gid: identity?.gid,
    });
  } finally {
    closeSync(log);
  }
  // A running test server must not keep the test process alive.
  proc.unref();
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    // postmaster.pid's 8th line turns to "ready" once connections are accepted; it is what pg_ctl -w waits for.
    const pidFile = readPidFile(dataDir);
    if (pidFile?.[7]?.trim() === "ready") return { ok: true, proc, postmaster: Number(pidFile[0]) };
    if (exited) {
      // Lets the supervisor's leftover `cat` see EOF and go.
      proc.stdin.end();
      return { ok: false, reason: `the server exited with code ${proc.exitCode}`, log: readLog(logFile) };
    }
    await Bun.sleep(10);
  }
  const logText = readLog(logFile);
  await shutdown(proc, readPidFile(dataDir)?.[0]);
  return { ok: false, reason: `not ready after ${START_TIMEOUT_MS / 1000} s`, log: logText };
}

/** Ends the supervisor's stdin (immediate shutdown); SIGKILL both if that takes more than 5 s. */
async function shutdown(proc: Supervised, postmaster: string | number | undefined): Promise<void> {
  proc.stdin.end();
  const timer = setTimeout(() => {
    if (postmaster) killQuietly(Number(postmaster), "SIGKILL");
    proc.kill("SIGKILL");
  }, 5_000);
  await proc.exited;
  clearTimeout(timer);
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {}
}

function readPidFile(dataDir: string): string[] | undefined {
  try {
    return readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n");
  } catch {
    return undefined;
  }
}

async function running(proc: Supervised, postmaster: number, dir: string, port: number): Promise<RunningPostgres> {
  const urlOf = (db: string) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${db}`;
  let counter = 0;
  const createDatabase = async (name = `t${++counter}_${Date.now().toString(36)}`): Promise<string> => {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`database name ${JSON.stringify(name)}: use [a-z0-9_], up to 63 characters`);
    // One short-lived connection to the maintenance database: nothing idles to keep the process alive.
    const admin = new SQL({ url: urlOf("postgres"), max: 1 });
    try {
      await admin.unsafe(`create database "${name}"`);
    } finally {
      await admin.close();
    }
    return urlOf(name);
  };
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      await shutdown(proc, postmaster);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  try {
    return { url: await createDatabase("test"), port, dir, createDatabase, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

let shared: Promise<SharedPostgres> | undefined;

/**
 * One server for every test file of a `bun test` process, since initdb and start cost about half a second each
 * time. Each file takes its own database with `(await sharedPostgres()).createDatabase()`.
 */
export function sharedPostgres(): Promise<SharedPostgres> {
  if (shared) return shared;
  const starting = startPostgres().then(({ stop: _stop, ...rest }): SharedPostgres => rest);
  // A failed start is not cached, so a later file retries and reports its own error.
  starting.catch(() => {
    if (shared === starting) shared = undefined;
  });
  shared = starting;
  return starting;
}

/** A fresh database on the shared server: the usual one-liner for a test file. */
export async function freshDatabase(name?: string): Promise<string> {
  return (await sharedPostgres()).createDatabase(name);
}

function childEnv(): Record<string, string | undefined> {
  // English messages (the port retry matches one), and no PG* variables from the caller's shell steering initdb.
  const env: Record<string, string | undefined> = { ...process.env, LC_ALL: "C", LANG: "C" };
  for (const key of Object.keys(env)) if (key.startsWith("PG")) delete env[key];
  return env;
}

async function run(cmd: string[], opts: { cwd?: string; identity?: Identity } = {}): Promise<{ code: number; output: string }> {
  const env = { ...childEnv(), DEBIAN_FRONTEND: "noninteractive" };
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env, stdin: "ignore", stdout: "pipe", stderr: "pipe", uid: opts.identity?.uid, gid: opts.identity?.gid });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, output: stdout + stderr };
}

function readLog(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "(no server log)";
  }
}

function tail(text: string, lines = 30): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}
