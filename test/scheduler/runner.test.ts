// The schedule runner on a hand-moved clock over a real (in-memory) database: cron and fixed rate,
// catch-up with and without a window, restarts, two runners racing for the lease, a broken schedule
// beside a good one, the kickoff-time input.
import { describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { ExecutionMetadata_ExecutionMode } from "../../src/gen/flyteidl/admin/execution_pb";
import { executionName } from "../../src/scheduler/names";
import { addSchedule, clockAt, Executions, memoryDatabase, minute, runnerOn, runUntil, t0 } from "./helpers";

const hour = 60 * minute;
const iso = (ms: number) => new Date(ms).toISOString();
const key = (name: string) => ({ project: "flytesnacks", domain: "development", name, version: "v1" });

describe("schedule runner: ticks", () => {
  test("cron: each tick creates a SCHEDULED execution with scheduled_at, the kickoff input and upstream's name", async () => {
    const db = await memoryDatabase();
    await addSchedule(db, { name: "cron5", cron: "*/5 * * * *", kickoff: "kickoff", activatedAt: t0 - 10_000 });
    const clock = clockAt(t0);
    const ex = new Executions();
    await runUntil(runnerOn(db, clock, ex), clock, t0 + 16 * minute, 5_000);
    expect(ex.ticksOf("cron5")).toEqual([iso(t0), iso(t0 + 5 * minute), iso(t0 + 10 * minute), iso(t0 + 15 * minute)]);
    const first = ex.created[0];
    expect(first?.name).toBe(executionName(key("cron5"), t0));
    expect(first?.name).toMatch(/^f[0-9a-f]{16}000$/);
    expect(first?.spec?.metadata?.mode).toBe(ExecutionMetadata_ExecutionMode.SCHEDULED);
    expect(first?.spec?.launchPlan?.version).toBe("v1");
    const kickoff = first?.inputs?.literals.kickoff?.value;
    expect(kickoff?.case === "scalar" && kickoff.value.value.case === "primitive" && kickoff.value.value.value.value.case).toBe("datetime");
    db.close();
  });

  test("cron descriptors and a CRON_TZ prefix", async () => {
    const db = await memoryDatabase();
    await addSchedule(db, { name: "hourly", cron: "@hourly", activatedAt: t0 - 1 });
    await addSchedule(db, { name: "paris", cron: "CRON_TZ=Europe/Paris 0 2 * * *", activatedAt: t0 - 1 });
    const clock = clockAt(t0);
    const ex = new Executions();
    await runUntil(runnerOn(db, clock, ex), clock, t0 + 2 * hour, 30_000);
    expect(ex.ticksOf("hourly")).toEqual([iso(t0), iso(t0 + hour), iso(t0 + 2 * hour)]);
    // 02:00 in Paris (UTC+1 in January) is 01:00 UTC.
    expect(ex.ticksOf("paris")).toEqual([iso(t0 + hour)]);
    db.close();
  });

  test("fixed rate: ticks on the grid of the activation, no inputs, phase kept across a restart", async () => {
    const db = await memoryDatabase();
    await addSchedule(db, { name: "rate", rate: 1, unit: 0, kickoff: "kickoff", activatedAt: t0 + 20_000 });
    const clock = clockAt(t0);
    const ex = new Executions();
    const a = runnerOn(db, clock, ex);
    await runUntil(a, clock, t0 + 3 * minute);
    expect(ex.ticksOf("rate")).toEqual([iso(t0 + 80_000), iso(t0 + 140_000)]);
    expect(Object.keys(ex.created[0]?.inputs?.literals ?? {})).toEqual([]);
    await a.release();
    // Down for five minutes; the restarted runner fires the latest missed tick, then keeps the phase.
    clock.advance(5 * minute);
    await runUntil(runnerOn(db, clock, ex, { holder: "b" }), clock, t0 + 10 * minute);
    expect(ex.ticksOf("rate").slice(2)).toEqual([iso(t0 + 440_000), iso(t0 + 500_000), iso(t0 + 560_000)]);
    db.close();
  });
});

describe("schedule runner: catch-up", () => {
  const setup = async (policy: "last" | "all" | "none", windowMs: number) => {
    const db = await memoryDatabase();
    await addSchedule(db, { name: "hourly", cron: "0 * * * *", activatedAt: t0 - 5 * hour + 1_000 });
    const clock = clockAt(t0 + 30 * minute);
    const ex = new Executions();
    const r = runnerOn(db, clock, ex, { catchUp: { policy, windowMs, graceMs: 60_000 } });
    await r.runOnce();
    return { db, clock, ex, r };
  };

  test("all: every missed tick inside the window, oldest first", async () => {
    const { db, ex, r } = await setup("all", 2.5 * hour);
    expect(ex.ticksOf("hourly")).toEqual([iso(t0 - 2 * hour), iso(t0 - hour), iso(t0)]);
    expect(r.metrics.skipped).toBe(0);
    db.close();
  });

  test("last: only the latest missed tick", async () => {
    const { db, ex, r } = await setup("last", 24 * hour);
    expect(ex.ticksOf("hourly")).toEqual([iso(t0)]);
    expect(r.metrics.skipped).toBe(4);
    db.close();
  });

  test("none: no missed tick, the next one on time", async () => {
    const { db, clock, ex, r } = await setup("none", 24 * hour);
    expect(ex.ticksOf("hourly")).toEqual([]);
    await runUntil(r, clock, t0 + hour + 1_000, 10_000);
    expect(ex.ticksOf("hourly")).toEqual([iso(t0 + hour)]);
    db.close();
  });

  test("a window shorter than the gap fires nothing older than the window", async () => {
    const { db, ex } = await setup("all", 10 * minute);
    expect(ex.ticksOf("hourly")).toEqual([]);
    db.close();
  });
});

describe("schedule runner: restarts and the lease", () => {
  test("a tick created but not recorded before a crash is AlreadyExists after the restart, never a second run", async () => {
    const db = await memoryDatabase();
    await addSchedule(db, { name: "m", cron: "* * * * *", activatedAt: t0 - 1 });
    const clock = clockAt(t0);
    const ex = new Executions();
    await runUntil(runnerOn(db, clock, ex), clock, t0 + 2 * minute, 10_000);
    expect(ex.ticksOf("m")).toEqual([iso(t0), iso(t0 + minute), iso(t0 + 2 * minute)]);
    // The crash: fire times lost, the lease left to expire.
    await db.db.run(sql`DELETE FROM schedule_fire_times`);
    clock.advance(20_000);
    const b = runnerOn(db, clock, ex, { holder: "b", catchUp: { policy: "all", windowMs: hour, graceMs: 60_000 } });
    await b.runOnce();
    expect(b.metrics.alreadyDone).toBe(3);
    expect(b.metrics.created).toBe(0);
    expect(ex.ticksOf("m")).toHaveLength(3);
    db.close();
  });

  test("two runners: one holds the lease and fires; the other takes over once the holder's lease expires", async () => {
    const db = await memoryDatabase();
    await addSchedule(db, { name: "m", cron: "* * * * *", activatedAt: t0 - 1 });
    const clock = clockAt(t0);
    const ex = new Executions();
    const a = runnerOn(db, clock, ex, { holder: "a" });
    const b = runnerOn(db, clock, ex, { holder: "b" });
    for (; clock.now() <= t0 + 2 * minute; clock.advance(5_000)) await Promise.all([a.runOnce(), b.runOnce()]);
    expect([a.isHolder, b.isHolder].filter(Boolean)).toHaveLength(1);
    const [holder, other] = a.isHolder ? [a, b] : [b, a];
    expect(other.metrics.ticksFired).toBe(0);
    // The holder dies (no more turns, no release): the other waits out the lease, then fires on.
    for (; clock.now() <= t0 + 5 * minute; clock.advance(5_000)) await other.runOnce();
    expect(other.isHolder).toBe(true);
    expect(holder.metrics.ticksFired).toBe(3);
    expect(ex.ticksOf("m")).toEqual([0, 1, 2, 3, 4, 5].map((i) => iso(t0 + i * minute)));
    expect(new Set(ex.created.map((r) => r.name)).size).toBe(ex.created.length);
    db.close();
  });
});

describe("schedule runner: failures", () => {
  test("a malformed schedule and a failing one never stop a good one; the failing one retries with backoff", async () => {
    const db = await memoryDatabase();
    await addSchedule(db, { name: "good", cron: "* * * * *", activatedAt: t0 - 1 });
    await addSchedule(db, { name: "malformed", cron: "not a cron", activatedAt: t0 - 1 });
    await addSchedule(db, { name: "failing", cron: "* * * * *", activatedAt: t0 - 1 });
    const clock = clockAt(t0);
    const ex = new Executions();
    ex.failing.add("failing");
    const lines: Array<Record<string, unknown>> = [];
    const log = { debug() {}, info() {}, warn() {}, error: (msg: string, f?: Record<string, unknown>) => lines.push({ msg, ...f }) };
    const r = runnerOn(db, clock, ex, {}, log);
    await runUntil(r, clock, t0 + 3 * minute, 5_000);
    expect(ex.ticksOf("good")).toHaveLength(4);
    expect(lines.some((l) => l.launchPlan === "flytesnacks:development:malformed:v1")).toBe(true);
    const failed = lines.filter((l) => l.launchPlan === "flytesnacks:development:failing:v1");
    // Backoff 1 s, 2 s, 4 s, … up to the turn of 5 s: far fewer attempts than turns.
    expect(failed.length).toBeGreaterThan(2);
    expect(failed.length).toBeLessThan(20);
    ex.failing.clear();
    await runUntil(r, clock, t0 + 5 * minute, 5_000);
    // The pending tick goes first once creates work again, then the others it missed meanwhile.
    expect(ex.ticksOf("failing")[0]).toBe(iso(t0));
    expect(ex.ticksOf("failing").at(-1)).toBe(iso(t0 + 5 * minute));
    db.close();
  });

  test("a refused create (InvalidArgument) skips that tick and goes on with the next, without backoff", async () => {
    const db = await memoryDatabase();
    await addSchedule(db, { name: "refused", cron: "* * * * *", activatedAt: t0 - 1 });
    const clock = clockAt(t0);
    const ex = new Executions();
    ex.refused.add("refused");
    const r = runnerOn(db, clock, ex);
    await runUntil(r, clock, t0 + 2 * minute, 5_000);
    expect(r.metrics.failures).toBe(3);
    ex.refused.clear();
    await runUntil(r, clock, t0 + 3 * minute, 5_000);
    expect(ex.ticksOf("refused")).toEqual([iso(t0 + 3 * minute)]);
    db.close();
  });

  test("adminRateLimit: a burst at once, then tps; every due tick gets its turn", async () => {
    const db = await memoryDatabase();
    for (const i of [1, 2, 3, 4, 5]) await addSchedule(db, { name: `lp${i}`, cron: "* * * * *", activatedAt: t0 - 1 });
    const clock = clockAt(t0);
    const ex = new Executions();
    const r = runnerOn(db, clock, ex, { tps: 1, burst: 2 });
    expect(await r.runOnce()).toBe(1_000);
    expect(ex.created).toHaveLength(2);
    clock.advance(1_000);
    await r.runOnce();
    expect(ex.created).toHaveLength(3);
    await runUntil(r, clock, t0 + 5_000);
    expect(ex.created).toHaveLength(5);
    db.close();
  });
});
