// BoundedCache: loads once per key, keeps nothing for a load that finds nothing, forgets the oldest when full.
import { expect, test } from "bun:test";
import { BoundedCache } from "../src/kernel/bounded-cache";

test("loads a key once, does not keep misses, evicts the oldest entry beyond its limit", async () => {
  const cache = new BoundedCache<string, number>(2);
  let loads = 0;
  const load = (v: number | undefined) => async () => {
    loads++;
    return v;
  };
  expect(await cache.getOrLoad("a", load(1))).toBe(1);
  expect(await cache.getOrLoad("a", load(99))).toBe(1);
  expect(loads).toBe(1);
  expect(await cache.getOrLoad("missing", load(undefined))).toBeUndefined();
  expect(await cache.getOrLoad("missing", load(3))).toBe(3);
  expect(await cache.getOrLoad("b", load(2))).toBe(2); // full: "a" goes
  expect(await cache.getOrLoad("a", load(4))).toBe(4);
  expect(loads).toBe(5);
});
