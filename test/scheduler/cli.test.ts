// `flyteadmin scheduler run` as a process: takes the lease on the database, stops on SIGTERM with exit 0
// and gives the lease up.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";

const main = join(import.meta.dir, "../../src/main.ts");
const dir = mkdtempSync(join(tmpdir(), "scheduler-cli-"));
const url = `file:${join(dir, "admin.db")}`;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("scheduler run: holds the lease while running, releases it on SIGTERM", async () => {
  expect(Bun.spawnSync([process.execPath, main, "migrate", "run", "--database.url", url]).exitCode).toBe(0);
  const child = Bun.spawn([process.execPath, main, "scheduler", "run", "--database.url", url], { stdout: "pipe", stderr: "pipe" });
  const db = createClient({ url });
  let holder: unknown;
  for (let i = 0; i < 100 && !holder; i++) {
    await Bun.sleep(100);
    holder = (await db.execute("SELECT holder FROM scheduler_leases")).rows[0]?.holder;
  }
  expect(String(holder)).toContain(`:${child.pid}:`);
  child.kill("SIGTERM");
  expect(await child.exited).toBe(0);
  expect((await db.execute("SELECT count(*) AS n FROM scheduler_leases")).rows[0]?.n).toBe(0);
  db.close();
}, 20_000);
