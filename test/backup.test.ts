// Issue 9 B: a clean stop leaves the whole database in the .db file, and `db backup` copies a live
// server's database consistently. Both against a real `flyteadmin serve` process.
import { describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { waitForServing, serveCommand } from "./helpers/serving";

const main = join(import.meta.dir, "../src/main.ts");

function serve(dir: string) {
  const db = `file:${join(dir, "admin.db")}`;
  const proc = Bun.spawn(serveCommand(dir), { cwd: dir, stdout: "pipe", stderr: "pipe" });
  return { proc, db };
}

async function registerProject(httpPort: number, id: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/projects`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ project: { id, name: id } }),
  });
  expect(res.status).toBe(200);
}

/** Project ids in a database file opened on its own (no -wal or -shm beside it). */
async function projectIds(file: string): Promise<string[]> {
  expect(existsSync(`${file}-wal`)).toBe(false);
  const c = createClient({ url: `file:${file}` });
  try {
    return (await c.execute("SELECT identifier FROM projects ORDER BY identifier")).rows.map((r) => String(r.identifier));
  } finally {
    c.close();
  }
}

async function cli(args: string[], cwd: string) {
  const proc = Bun.spawn([process.execPath, main, ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

describe("database file after stop, and db backup", () => {
  test("after SIGTERM the .db file alone holds every table and row", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flyteadmin-stop-"));
    const { proc } = serve(dir);
    const { ports } = await waitForServing(proc);
    await registerProject(ports[0], "p1");
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    const copy = join(mkdtempSync(join(tmpdir(), "flyteadmin-copy-")), "admin.db");
    copyFileSync(join(dir, "admin.db"), copy);
    expect(statSync(copy).size).toBeGreaterThan(4096);
    expect(await projectIds(copy)).toEqual(["p1"]);
  }, 30_000);

  test("db backup of a live server's database holds the project; refuses an existing file and a remote URL", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flyteadmin-backup-"));
    const { proc, db } = serve(dir);
    try {
      const { ports } = await waitForServing(proc);
      await registerProject(ports[0], "p1");
      const out = join(dir, "backups");
      mkdirSync(out);
      const target = join(out, "copy.db");
      const r = await cli(["db", "backup", target, "--database.url", db], dir);
      expect(r.code).toBe(0);
      expect(r.out).toContain('"msg":"backed up database"');
      expect(await projectIds(target)).toEqual(["p1"]);
      // The server keeps serving and writing after the backup.
      await registerProject(ports[0], "p2");

      const again = await cli(["db", "backup", target, "--database.url", db], dir);
      expect(again.code).toBe(2);
      expect(again.err).toContain(`${target} already exists`);
      expect(await projectIds(target)).toEqual(["p1"]);

      const remote = await cli(["db", "backup", join(out, "remote.db"), "--database.url", "libsql://db.example.com"], dir);
      expect(remote.code).toBe(2);
      expect(remote.err).toContain("embedded database only");
      expect(existsSync(join(out, "remote.db"))).toBe(false);

      const none = await cli(["db", "backup", join(out, "none.db"), "--database.url", `file:${join(dir, "absent.db")}`], dir);
      expect(none.code).toBe(2);
      expect(none.err).toContain("no database at");
      expect(existsSync(join(dir, "absent.db"))).toBe(false);
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
    }
  }, 30_000);

  test("migrate run leaves a complete .db file too", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flyteadmin-migrate-"));
    expect((await cli(["migrate", "seed-projects", "alpha", "--database.url", `file:${join(dir, "admin.db")}`], dir)).code).toBe(0);
    const copy = join(mkdtempSync(join(tmpdir(), "flyteadmin-copy-")), "admin.db");
    copyFileSync(join(dir, "admin.db"), copy);
    expect(await projectIds(copy)).toEqual(["alpha"]);
  }, 30_000);
});
