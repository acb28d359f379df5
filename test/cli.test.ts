// The CLI as a user runs it: commands, exit codes, migrations, seeding, serve and SIGTERM.
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { waitForServing } from "./helpers/serving";
import { migrations } from "../src/stores/db/migrations";

const main = join(import.meta.dir, "../src/main.ts");

function run(args: string[], cwd: string) {
  const r = Bun.spawnSync([process.execPath, main, ...args], { cwd, stdout: "pipe", stderr: "pipe", env: { ...process.env, FLYTE_LOGGER_LEVEL: "info" } });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

describe("cli", () => {
  const dir = mkdtempSync(join(tmpdir(), "flyteadmin-cli-"));

  test("help, version, config docs, unknown command", () => {
    expect(run(["--help"], dir).out).toContain("migrate seed-projects");
    expect(run(["migrate", "run", "--help"], dir).out).toContain("usage: flyteadmin migrate run");
    expect(JSON.parse(run(["version"], dir).out).version).toBeTruthy();
    expect(run(["config", "docs"], dir).out).toContain("FLYTE_SERVER_HTTPPORT");
    const bad = run(["frobnicate"], dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown command "frobnicate"');
  });

  test("bad config is a one-line reason and a non-zero exit", () => {
    const r = run(["serve", "--server.httpPort", "x"], dir);
    expect(r.code).toBe(2);
    expect(r.err.trim().split("\n")).toHaveLength(1);
    expect(r.err).toContain("server.httpPort");
  });

  test("migrate run, seed-projects, rollback on the default embedded database", () => {
    expect(run(["migrate", "run"], dir).code).toBe(0);
    const seeded = run(["migrate", "seed-projects", "alpha", "beta"], dir);
    expect(seeded.code).toBe(0);
    expect(seeded.out).toContain('"created":["alpha","beta"]');
    expect(run(["migrate", "seed-projects", "alpha"], dir).out).toContain('"existing":["alpha"]');
    expect(run(["migrate", "seed-projects"], dir).out).toContain('"created":["flytesnacks"]');
    for (const m of [...migrations].reverse()) expect(run(["migrate", "rollback"], dir).out).toContain(`"migration":"${m.tag}"`);
    expect(run(["migrate", "rollback"], dir).out).toContain("no migration to roll back");
    // One process per migration rolled back: more than bun's 5 s default on a busy machine.
  }, 20_000);

  test("serve answers, then SIGTERM stops it cleanly", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "flyteadmin-serve-"));
    const proc = Bun.spawn([process.execPath, main, "serve", "--server.httpPort", "0", "--server.grpc.port", "0", "--server.host", "127.0.0.1"], {
      cwd,
      stdout: "pipe",
      stderr: "pipe",
    });
    const { ports } = await waitForServing(proc);
    const admin = createClient(AdminService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${ports[1]}` }));
    expect((await admin.getVersion({})).controlPlaneVersion).toBeDefined();
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  }, 30_000);
});
