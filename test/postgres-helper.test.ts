// The PostgreSQL test helper: a real server starts on a free port, serves several databases, and leaves nothing
// behind when stopped.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { existsSync } from "node:fs";
import { type RunningPostgres, sharedPostgres, startPostgres } from "./helpers/postgres";

// Generous: on a clean CI image the first start installs Debian's postgresql package.
const START_TIMEOUT = 300_000;

describe("startPostgres", () => {
  let pg: RunningPostgres;
  beforeAll(async () => {
    pg = await startPostgres();
  }, START_TIMEOUT);
  afterAll(() => pg?.stop());

  test("serves its database on loopback", async () => {
    expect(pg.url).toBe(`postgres://postgres@127.0.0.1:${pg.port}/test`);
    const sql = new SQL({ url: pg.url, max: 1 });
    try {
      const [row] = await sql`select 1 as one, current_database() as db, current_setting('fsync') as fsync`;
      expect(row).toEqual({ one: 1, db: "test", fsync: "off" });
    } finally {
      await sql.close();
    }
  });

  test("creates further databases, each its own", async () => {
    const named = await pg.createDatabase("second");
    const unnamed = await pg.createDatabase();
    expect(named).toBe(`postgres://postgres@127.0.0.1:${pg.port}/second`);
    expect(unnamed).not.toBe(named);
    for (const url of [named, unnamed]) {
      const sql = new SQL({ url, max: 1 });
      try {
        await sql`create table t (id text primary key)`;
        await sql`insert into t values (${url})`;
        expect(await sql`select id from t`).toEqual([{ id: url }]);
      } finally {
        await sql.close();
      }
    }
    await expect(pg.createDatabase("Bad-Name")).rejects.toThrow("database name");
  });

  test("stop kills the server and removes its directory", async () => {
    const other = await startPostgres();
    expect(other.port).not.toBe(pg.port);
    await other.stop();
    await other.stop();
    expect(existsSync(other.dir)).toBe(false);
    const sql = new SQL({ url: other.url, max: 1, connectionTimeout: 2 });
    try {
      await expect(sql`select 1`).rejects.toThrow();
    } finally {
      await sql.close();
    }
  });
});

describe("sharedPostgres", () => {
  test(
    "is one server per process, with a fresh database per call",
    async () => {
      const [a, b] = await Promise.all([sharedPostgres(), sharedPostgres()]);
      expect(a).toBe(b);
      const first = await a.createDatabase();
      const second = await b.createDatabase();
      expect(first).not.toBe(second);
      const sql = new SQL({ url: second, max: 1 });
      try {
        const names = [first, second].map((url) => new URL(url).pathname.slice(1));
        expect(await sql`select count(*)::int as n from pg_database where datname in ${sql(names)}`).toEqual([{ n: 2 }]);
      } finally {
        await sql.close();
      }
    },
    START_TIMEOUT,
  );
});
