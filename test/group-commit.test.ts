// Group commit on a real embedded database file: concurrent single-statement writes share one commit,
// yet each caller gets its own statement's result or error, and a failing statement takes nothing else
// down with it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client } from "@libsql/client";
import { groupCommit } from "../src/stores/db/group-commit";

let dir: string;
let raw: Client;
let client: Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "group-commit-"));
  raw = createClient({ url: `file:${join(dir, "db.sqlite")}`, concurrency: 1 });
  await raw.execute("PRAGMA journal_mode = WAL");
  await raw.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)");
  client = groupCommit(raw);
});
afterAll(() => {
  raw.close();
  rmSync(dir, { recursive: true, force: true });
});

test("concurrent writes commit together; each caller gets its own result", async () => {
  const inserts = Array.from({ length: 50 }, (_, i) => client.execute({ sql: "INSERT INTO t (name) VALUES (?) RETURNING id, name", args: [`n${i}`] }));
  const results = await Promise.all(inserts);
  expect(results.map((r) => r.rows[0]?.name)).toEqual(Array.from({ length: 50 }, (_, i) => `n${i}`));
  expect(new Set(results.map((r) => r.rows[0]?.id)).size).toBe(50);
  const updated = await Promise.all([
    client.execute({ sql: "UPDATE t SET name = name || '!' WHERE name = ?", args: ["n1"] }),
    client.execute("DELETE FROM t WHERE name = 'nope'"),
  ]);
  expect(updated.map((r) => r.rowsAffected)).toEqual([1, 0]);
});

test("a failing statement fails alone; the rest of its batch commits", async () => {
  const outcomes = await Promise.allSettled([
    client.execute({ sql: "INSERT INTO t (name) VALUES (?)", args: ["a"] }),
    client.execute({ sql: "INSERT INTO t (name) VALUES (?)", args: ["n2"] }), // taken above
    client.execute({ sql: "INSERT INTO t (name) VALUES (?)", args: ["b"] }),
    client.execute({ sql: "INSERT INTO t (name) VALUES (?)", args: ["a"] }), // taken by the first
    client.execute({ sql: "INSERT INTO t (name) VALUES (?)", args: ["c"] }),
  ]);
  expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled", "rejected", "fulfilled"]);
  expect(String((outcomes[1] as PromiseRejectedResult).reason)).toContain("UNIQUE constraint failed");
  const names = (await raw.execute("SELECT name FROM t WHERE name IN ('a', 'b', 'c') ORDER BY name")).rows.map((r) => r.name);
  expect(names).toEqual(["a", "b", "c"]);
});

test("reads and transactions pass straight through", async () => {
  const tx = await client.transaction("write");
  await tx.execute({ sql: "INSERT INTO t (name) VALUES (?)", args: ["in-tx"] });
  await tx.rollback();
  expect((await client.execute("SELECT COUNT(*) AS n FROM t WHERE name = 'in-tx'")).rows[0]?.n).toBe(0);
});
