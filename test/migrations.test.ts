// Migrations: embedded list matches drizzle-kit's journal; up is idempotent; rollback undoes the last.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrations } from "../src/stores/db/migrations";
import { migrateDown, migrateUp } from "../src/stores/db/migrate";
import { openDatabase } from "../src/stores/db/client";

const tables = async (db: Awaited<ReturnType<typeof openDatabase>>) =>
  (await db.client.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")).rows.map((r) => String(r.name));

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
      expect(await migrateUp(db.client)).toEqual(migrations.map((m) => m.tag));
      expect(await migrateUp(db.client)).toEqual([]);
      expect(await tables(db)).toEqual(expect.arrayContaining(["projects", "tasks", "workflows", "launch_plans", "named_entity_metadata", "description_entities", "schedulable_entities"]));
      for (const m of [...migrations].reverse()) expect(await migrateDown(db.client)).toBe(m.tag);
      expect(await migrateDown(db.client)).toBeUndefined();
      expect((await tables(db)).filter((t) => !t.startsWith("__") && t !== "sqlite_sequence")).toEqual([]);
      expect(await migrateUp(db.client)).toEqual(migrations.map((m) => m.tag));
    } finally {
      db.close();
    }
  });
});
