// The single binary: built by scripts/build.ts, copied nowhere near node_modules, it migrates a fresh
// embedded database and answers gRPC and REST.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
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

  test("serves from an empty directory: migrations, gRPC and REST", async () => {
    const proc = Bun.spawn([bin, "serve", "--server.httpPort", "0", "--server.grpc.port", "0", "--server.host", "127.0.0.1"], {
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
    } finally {
      proc.kill("SIGTERM");
      expect(await proc.exited).toBe(0);
    }
  }, 30_000);
});
