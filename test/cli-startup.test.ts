// Issue 9 C: `serve` logs, before it serves, its version, the config file it read, the database and where
// blobs go, so a log alone tells which build ran against what.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitForServing } from "./helpers/serving";

const main = join(import.meta.dir, "../src/main.ts");

interface StartLine {
  msg: string;
  version: string;
  build: string;
  config: string | null;
  database: string;
  databaseFile?: string;
  storage: Record<string, string>;
}

/** Runs serve until it serves, then stops it; returns the "starting" line and the log before serving. */
async function startLine(args: string[], cwd: string): Promise<{ start: StartLine; log: string }> {
  const proc = Bun.spawn([process.execPath, main, "serve", "--server.httpPort", "0", "--server.grpc.port", "0", "--server.host", "127.0.0.1", ...args], {
    cwd,
    stdout: "pipe",
    stderr: "pipe",
  });
  try {
    const { log } = await waitForServing(proc);
    const line = log.split("\n").find((l) => l.includes('"msg":"starting"'));
    if (!line) throw new Error(`no starting line in:\n${log}`);
    return { start: JSON.parse(line) as StartLine, log };
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
  }
}

describe("serve start-up log", () => {
  const version = JSON.parse(Bun.spawnSync([process.execPath, main, "version"]).stdout.toString()) as { version: string; build: string };

  test("local store: version, the config file, the database and the absolute blob root", async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "flyteadmin-start-")));
    writeFileSync(join(dir, "admin.yaml"), "storage:\n  local:\n    path: data/blobs\ndatabase:\n  url: file:data/admin.db\n");
    const { start, log } = await startLine(["--config", "admin.yaml"], dir);
    expect(start).toMatchObject({
      version: version.version,
      build: version.build,
      config: join(dir, "admin.yaml"),
      database: "file:data/admin.db",
      databaseFile: join(dir, "data/admin.db"),
      storage: { type: "local", root: join(dir, "data/blobs"), container: "flyteadmin" },
    });
    // Logged before anything else, and the serving line is still there after it.
    expect(log.split("\n")[0]).toContain('"msg":"starting"');
    expect(log).toContain('"msg":"serving"');
  }, 30_000);

  test("no config file; s3-style store: bucket and endpoint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flyteadmin-start-"));
    const { start } = await startLine(
      [
        "--storage.type",
        "minio",
        "--storage.container",
        "my-bucket",
        "--storage.connection.endpoint",
        "http://127.0.0.1:9",
        "--storage.connection.access-key",
        "k",
        "--storage.connection.secret-key",
        "s",
        "--database.url",
        `file:${join(dir, "a.db")}`,
      ],
      dir,
    );
    expect(start.config).toBeNull();
    expect(start.storage).toMatchObject({ type: "minio", bucket: "my-bucket", endpoint: "http://127.0.0.1:9" });
  }, 30_000);

  test("a remote database URL is logged without its secrets, even when start-up then fails", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flyteadmin-start-"));
    const proc = Bun.spawn(
      [process.execPath, main, "serve", "--server.httpPort", "0", "--server.grpc.port", "0", "--database.url", "libsql://user:pw@127.0.0.1:9?authToken=sekrit"],
      {
        cwd: dir,
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    expect(code).toBe(1);
    const start = JSON.parse(out.split("\n")[0]) as StartLine;
    expect(start.msg).toBe("starting");
    expect(start.database).toStartWith("libsql://user:redacted@127.0.0.1:9");
    expect(out).not.toContain("sekrit");
    expect(out).not.toContain(":pw@");
    expect(start.databaseFile).toBeUndefined();
  }, 30_000);
});
