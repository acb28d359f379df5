// Upstream's deterministic names and the pure tick rules.
import { describe, expect, test } from "bun:test";
import { executionName, fnv1_64, scheduleName } from "../../src/scheduler/names";
import { duePlan, tickerOf } from "../../src/scheduler/ticks";
import { parseCronSpec } from "../../src/domain/launchplans/cron";

const k = { project: "p", domain: "d", name: "n", version: "v" };

describe("names", () => {
  test("FNV-1 64 as Go's hash/fnv New64 (not FNV-1a)", () => {
    expect(fnv1_64("").toString(16)).toBe("cbf29ce484222325");
    expect(fnv1_64("a").toString(16)).toBe("af63bd4c8601b7be");
    expect(fnv1_64("foobar").toString(16)).toBe("340d8765a4dda9c2");
  });

  test("schedule name: the decimal hash of the key; execution name: f + the little-endian hash + 000", () => {
    expect(scheduleName(k)).toBe(fnv1_64("p:d:n:v").toString(10));
    const h = fnv1_64("p:d:n:v:1767225600").toString(16).padStart(16, "0");
    const le = h.match(/../g)?.reverse().join("");
    expect(executionName(k, Date.parse("2026-01-01T00:00:00Z"))).toBe(`f${le}000`);
    expect(executionName(k, Date.parse("2026-01-01T00:00:00.900Z"))).toBe(`f${le}000`);
  });
});

describe("ticks", () => {
  const rules = { policy: "last" as const, windowMs: 3_600_000, graceMs: 60_000 };
  test("a fixed rate stays on its grid whatever the starting point", () => {
    const t = tickerOf({ ...k, cronExpression: null, fixedRateValue: 2, unit: 1, kickoffTimeInputArg: "" }, 1_000, undefined);
    expect(t.next(1_000)).toBe(1_000 + 7_200_000);
    expect(t.next(1_000 + 7_200_000 * 5 + 3)).toBe(1_000 + 7_200_000 * 6);
  });

  test("a rate of 0 or an unknown unit cannot run", () => {
    expect(() => tickerOf({ ...k, cronExpression: null, fixedRateValue: 0, unit: 0, kickoffTimeInputArg: "" }, 0, undefined)).toThrow("invalid fixed rate");
    expect(() => tickerOf({ ...k, cronExpression: null, fixedRateValue: 1, unit: 7, kickoffTimeInputArg: "" }, 0, undefined)).toThrow("invalid fixed rate");
  });

  test("cron text: five fields, descriptors, CRON_TZ= and TZ= prefixes", () => {
    expect(parseCronSpec("TZ=Asia/Tokyo @daily")).toEqual({ zone: "Asia/Tokyo", pattern: "@daily" });
    expect(() => parseCronSpec("* * * * * *")).toThrow("expected exactly 5 fields, found 6");
    expect(() => parseCronSpec("@every 5m")).toThrow("unknown descriptor @every 5m");
    expect(() => parseCronSpec("CRON_TZ=Mars/Olympus * * * * *")).toThrow("unknown time zone Mars/Olympus");
    expect(() => parseCronSpec("61 * * * *")).toThrow();
  });

  test("due plan: an on-time tick under last skips the missed ones, handled up to the latest", () => {
    const t = tickerOf({ ...k, cronExpression: "* * * * *", fixedRateValue: null, unit: null, kickoffTimeInputArg: "" }, 0, "UTC");
    const now = Date.parse("2026-01-01T00:10:30Z");
    const plan = duePlan(t, Date.parse("2026-01-01T00:05:00Z"), now, rules);
    expect(plan.fire).toEqual([Date.parse("2026-01-01T00:10:00Z")]);
    expect(plan.skipped).toBe(4);
    expect(plan.handledUntil).toBe(Date.parse("2026-01-01T00:10:00Z"));
  });
});
