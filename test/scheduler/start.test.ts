// startScheduler on a hand-driven timer: turns when due, poke re-reads at once, stop gives the lease up.
import { expect, test } from "bun:test";
import { loadConfig } from "../../src/config/load";
import { silentLogger } from "../../src/kernel/log";
import { startScheduler, type Timer } from "../../src/scheduler";
import { scheduleStore } from "../../src/stores/db/schedules";
import { addSchedule, clockAt, Executions, memoryDatabase, t0 } from "./helpers";

class ManualTimer implements Timer {
  private queue: Array<{ fn: () => void; at: number; id: number }> = [];
  private ids = 0;
  constructor(private readonly clock: { now(): number; set(ms: number): void }) {}
  set(fn: () => void, ms: number): unknown {
    const id = ++this.ids;
    this.queue.push({ fn, at: this.clock.now() + ms, id });
    return id;
  }
  clear(handle: unknown): void {
    this.queue = this.queue.filter((q) => q.id !== handle);
  }
  /** Runs the earliest timer (moving the clock to it), then lets its turn finish: a turn ends by setting the next timer. */
  async step(): Promise<number> {
    this.queue.sort((a, b) => a.at - b.at);
    const next = this.queue.shift();
    if (!next) throw new Error("no timer set");
    if (next.at > this.clock.now()) this.clock.set(next.at);
    next.fn();
    // On PostgreSQL the turn's queries are round trips, so wait (bounded) for the timer it sets last.
    const deadline = Date.now() + 5_000;
    while (this.queue.length === 0 && Date.now() < deadline) await Bun.sleep(1);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    return this.clock.now();
  }
  get pending(): number {
    return this.queue.length;
  }
}

test("startScheduler: wakes at the next tick, sees a new schedule on poke, releases the lease on stop", async () => {
  const db = await memoryDatabase();
  const clock = clockAt(t0 + 1_000);
  const timer = new ManualTimer(clock);
  const ex = new Executions();
  const config = loadConfig({ flags: { "scheduler.workflowExecutor.local.useUTCTz": "true" } }).scheduler;
  const store = scheduleStore(db.db);
  const s = startScheduler({ config, store, createExecution: (r) => ex.create(r), log: silentLogger, now: clock.now, timer, holder: "one" });
  await timer.step();
  expect(s.runner.isHolder).toBe(true);
  await addSchedule(db, { name: "m", cron: "* * * * *", activatedAt: clock.now() });
  s.poke();
  await timer.step();
  // Woken for the tick itself, not a poll: the first tick at 00:01:00 fires with no lag.
  while (ex.created.length === 0) await timer.step();
  expect(ex.ticksOf("m")).toEqual(["2026-01-01T00:01:00.000Z"]);
  expect(clock.now()).toBe(t0 + 60_000);
  await s.stop();
  expect(timer.pending).toBe(0);
  expect(await store.acquireLease("schedule-runner", "other", clock.now(), 15_000)).toBe(true);
  db.close();
});

test("the lease: one holder at a time, renewable by its holder, taken over once expired", async () => {
  const db = await memoryDatabase();
  const store = scheduleStore(db.db);
  const [a, b] = await Promise.all([store.acquireLease("l", "a", 0, 1_000), store.acquireLease("l", "b", 0, 1_000)]);
  expect([a, b].filter(Boolean)).toHaveLength(1);
  const [holder, other] = a ? ["a", "b"] : ["b", "a"];
  expect(await store.acquireLease("l", holder, 500, 1_000)).toBe(true);
  expect(await store.acquireLease("l", other, 1_400, 1_000)).toBe(false);
  expect(await store.acquireLease("l", other, 1_500, 1_000)).toBe(true);
  await store.releaseLease("l", holder);
  expect(await store.acquireLease("l", holder, 1_600, 1_000)).toBe(false);
  db.close();
});
