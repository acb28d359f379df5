// Migrations: embedded list matches drizzle-kit's journal; up is idempotent; rollback undoes the last;
// processes that migrate at the same moment queue on one lock.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrations } from "../src/stores/db/migrations";
import { migrateDown, migrateUp } from "../src/stores/db/migrate";
import { openDatabase } from "../src/stores/db/client";
import { waitForServing } from "./helpers/serving";

const tables = async (db: Awaited<ReturnType<typeof openDatabase>>) =>
  (await db.db.query("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name", [])).map((r) => String(r.name));

describe("migrations", () => {
  test("the embedded list is drizzle-kit's journal, in order", () => {
    const journal = JSON.parse(readFileSync(join(import.meta.dir, "../drizzle/meta/_journal.json"), "utf8")) as {
      entries: Array<{ tag: string }>;
    };
    expect(migrations.map((m) => m.tag)).toEqual(journal.entries.map((e) => e.tag));
    for (const m of migrations) expect(m.down.trim().length).toBeGreaterThan(0);
  });

  test("run, run again, roll back every one, run again", async () => {
    const db = await openDatabase({ url: `file:${join(mkdtempSync(join(tmpdir(), "flyteadmin-mig-")), "m.db")}` });
    try {
      expect(await migrateUp(db.db)).toEqual(migrations.map((m) => m.tag));
      expect(await migrateUp(db.db)).toEqual([]);
      expect(await tables(db)).toEqual(
        expect.arrayContaining(["projects", "tasks", "workflows", "launch_plans", "named_entity_metadata", "description_entities", "schedulable_entities"]),
      );
      for (const m of [...migrations].reverse()) expect(await migrateDown(db.db)).toBe(m.tag);
      expect(await migrateDown(db.db)).toBeUndefined();
      expect((await tables(db)).filter((t) => !t.startsWith("__") && t !== "sqlite_sequence")).toEqual([]);
      expect(await migrateUp(db.db)).toEqual(migrations.map((m) => m.tag));
    } finally {
      db.close();
    }
  });
});

describe("migrations from several processes at once", () => {
  const main = join(import.meta.dir, "../src/main.ts");
  const run = (dir: string, ...words: string[]) =>
    Bun.spawn([process.execPath, main, ...words, "--database.url", `file:${join(dir, "admin.db")}`], {
      stdout: "pipe",
      stderr: "pipe",
    });

  test("migrate run, seed-projects and serve started together on a fresh database all succeed", async () => {
    // The test holds the database's write lock while the processes start, so they all reach the lock
    // before any has migrated: without a lock around the whole run, each read "nothing applied" and then
    // applied the first migration again ("table projects already exists"; 3 in 10 unforced starts).
    const failures: string[] = [];
    for (let trial = 0; trial < 2; trial++) {
      const dir = mkdtempSync(join(tmpdir(), "flyteadmin-migrace-"));
      const holder = await openDatabase({ url: `file:${join(dir, "admin.db")}` });
      await holder.db.exec("CREATE TABLE __migrations (tag TEXT PRIMARY KEY NOT NULL, applied_at TEXT NOT NULL)", []);
      if (!holder.libsql) throw new Error("an embedded database has a libSQL client");
      const lock = await holder.libsql.transaction("write");
      const procs = [
        run(dir, "migrate", "run"),
        run(dir, "migrate", "seed-projects"),
        run(dir, "serve", "--server.httpPort", "0", "--server.grpc.port", "0", "--storage.local.path", join(dir, "blobs")),
      ];
      await Bun.sleep(2500);
      await lock.commit();
      lock.close();
      holder.close();
      for (const p of procs.slice(0, 2)) {
        const code = await p.exited;
        if (code !== 0) failures.push(`trial ${trial}: exit ${code}: ${await new Response(p.stderr).text()}`);
      }
      const served = await waitForServing(procs[2]).catch((e: Error) => e);
      if (served instanceof Error) failures.push(`trial ${trial}: serve: ${served.message}`);
      procs[2].kill("SIGTERM");
      await procs[2].exited;
      const db = await openDatabase({ url: `file:${join(dir, "admin.db")}` });
      try {
        const pending = await migrateUp(db.db);
        const projects = (await db.db.query("SELECT identifier FROM projects", [])).map((r) => String(r.identifier));
        if (pending.length > 0 || projects.join() !== "flytesnacks") failures.push(`trial ${trial}: pending ${pending.join()}, projects ${projects.join()}`);
      } finally {
        db.close();
      }
    }
    expect(failures).toEqual([]);
  }, 60_000);
});
