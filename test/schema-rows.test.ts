// Rows read by hand-written SQL are mapped through the drizzle table's own columns (stores/db/rows.ts),
// so they come out exactly as drizzle's select would give them.
import { describe, expect, test } from "bun:test";
import { getTableName } from "drizzle-orm";
import { openDatabase } from "../src/stores/db/client";
import { migrateUp } from "../src/stores/db/migrate";
import { drizzle } from "drizzle-orm/libsql";
import { TableWriter } from "../src/stores/db/raw-sql";
import { bytes, bytesOrNull, readerOf, rowReader } from "../src/stores/db/rows";
import { resources, schedulableEntities, signals } from "../src/stores/db/schema";

describe("row readers", () => {
  test("a raw row reads as drizzle's select of the same row", async () => {
    const d = await openDatabase({ url: "file::memory:" });
    try {
      await migrateUp(d.db);
      if (!d.libsql) throw new Error("an embedded database has a libSQL client");
      const viaDrizzleDb = drizzle(d.libsql);
      const now = "2024-01-02T03:04:05.000Z";
      const key = { project: "p", domain: "d", name: "n", version: "v" };
      await new TableWriter(schedulableEntities).insert(d.db, { ...key, cronExpression: "* * * * *", active: 0, createdAt: now, updatedAt: now });
      await new TableWriter(signals).insert(d.db, {
        executionProject: "p",
        executionDomain: "d",
        executionName: "n",
        signalId: "s",
        type: new Uint8Array([1, 2, 3]),
        createdAt: now,
        updatedAt: now,
      });
      for (const table of [schedulableEntities, signals]) {
        const [viaDrizzle] = await viaDrizzleDb.select().from(table);
        const [raw] = await d.db.query(`SELECT * FROM ${getTableName(table)}`, []);
        expect(readerOf(table)(raw)).toEqual(viaDrizzle);
      }
      const [se] = await d.db.query("SELECT * FROM schedulable_entities", []);
      expect(readerOf(schedulableEntities)(se).active).toBe(false);
    } finally {
      await d.close();
    }
  });

  test("a reader of some fields selects and reads just their columns", () => {
    const read = rowReader(resources, ["launchPlan", "resourceType", "attributes"]);
    expect(read.columns).toBe("launch_plan, resource_type, attributes");
    const r = read({ launch_plan: "lp", resource_type: "TASK_RESOURCE", attributes: new Uint8Array([7]).buffer, project: "ignored" });
    expect(r).toEqual({ launchPlan: "lp", resourceType: "TASK_RESOURCE", attributes: Buffer.from([7]) });
  });

  test("bytes: a record's own Uint8Array, empty or null for NULL", () => {
    expect(bytes(null)).toEqual(new Uint8Array());
    expect(bytesOrNull(null)).toBeNull();
    const whole = Buffer.from(new Uint8Array([1, 2]).buffer);
    const b = bytes(whole);
    expect(Buffer.isBuffer(b)).toBe(false);
    expect([...b]).toEqual([1, 2]);
    // A slice of a larger buffer is copied, so the record does not carry the rest.
    const slice = Buffer.from([9, 1, 2, 9]).subarray(1, 3);
    const c = bytes(slice);
    expect([...c]).toEqual([1, 2]);
    expect(c.buffer.byteLength).toBe(2);
  });
});
