// The single binary: built by scripts/build.ts, copied nowhere near node_modules, it migrates a fresh
// embedded database, or a PostgreSQL named by upstream's database.postgres.* keys, and answers gRPC and REST.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { freshDatabase } from "./helpers/postgres";
import { waitForServing } from "./helpers/serving";

const dir = mkdtempSync(join(tmpdir(), "flyteadmin-bin-"));
const bin = join(dir, "flyteadmin");
const cwd = join(dir, "empty");

beforeAll(async () => {
  const build = Bun.spawn([process.execPath, join(import.meta.dir, "../scripts/build.ts"), "--outfile", bin], { stdout: "pipe", stderr: "pipe" });
  const [code, err] = await Promise.all([build.exited, new Response(build.stderr).text()]);
  if (code !== 0) throw new Error(`build failed: ${err}`);
  await Bun.write(join(cwd, ".keep"), "");
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("dist/flyteadmin", () => {
  test("version carries the build's version and commit", async () => {
    const p = Bun.spawn([bin, "version"], { cwd, stdout: "pipe" });
    const info = JSON.parse(await new Response(p.stdout).text()) as { version: string; build: string };
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.build).not.toBe("");
  });

  const serves = async (...flags: string[]) => {
    const proc = Bun.spawn([bin, "serve", "--server.httpPort", "0", "--server.grpc.port", "0", "--server.host", "127.0.0.1", ...flags], {
      cwd,
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const { ports, log: text } = await waitForServing(proc);
      expect(text).toContain("0001_registration");
      const admin = createClient(AdminService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${ports[1]}` }));
      await admin.registerProject({ project: { id: "from-binary", name: "b" } });
      const res = await fetch(`http://127.0.0.1:${ports[0]}/api/v1/projects/from-binary`, { headers: { accept: "application/json" } });
      expect(((await res.json()) as { id: string }).id).toBe("from-binary");
      return text;
    } finally {
      proc.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
    }
  };

  test("serves from an empty directory: migrations, gRPC and REST", () => serves(), 30_000);

  test("serves on PostgreSQL from database.postgres.* alone", async () => {
    const url = new URL(await freshDatabase());
    const keys = ["host", url.hostname, "port", url.port, "username", url.username, "dbname", url.pathname.slice(1)];
    const flags: string[] = [];
    for (let i = 0; i < keys.length; i += 2) flags.push(`--database.postgres.${keys[i]}`, keys[i + 1]);
    const log = await serves(...flags);
    expect(log).toContain(`"database":"postgres://${url.username}@${url.hostname}:${url.port}/`);
    const db = new SQL(url.href);
    const rows = await db.unsafe("SELECT identifier FROM projects");
    await db.close();
    expect(rows.map((r: { identifier: string }) => r.identifier)).toEqual(["from-binary"]);
  }, 60_000);
});
