// Cluster selection as upstream's random cluster selector: labels and their weights, the default label,
// all enabled clusters, disabled clusters, weights' rules, and one cluster per execution name.
import { describe, expect, test } from "bun:test";
import { ClusterConfigError, ClusterSelector, fnv64a, seededUnit, WeightedList } from "../../src/cluster/selection";

describe("weighted list", () => {
  test("FNV-1a 64 of the UTF-8 bytes (the published test vectors)", () => {
    expect([fnv64a(""), fnv64a("a"), fnv64a("foobar"), fnv64a("é")]).toEqual([
      0xcbf29ce484222325n,
      0xaf63dc4c8601ec8cn,
      0x85944171f73967e8n,
      0x0ac21707b7181e01n,
    ]);
  });

  test("entries by id; zero weights never chosen; the first entry whose running total reaches the point", () => {
    const l = new WeightedList(
      [
        { id: "c", item: "C", weight: 0.5 },
        { id: "a", item: "A", weight: 0.25 },
        { id: "b", item: "B", weight: 0 },
      ],
      "test",
    );
    expect(l.ids).toEqual(["a", "c"]);
    expect(l.at(0).id).toBe("a");
    expect(l.at(1 / 3).id).toBe("a"); // 1/3 of 0.75 = 0.25: reaches a's total
    expect(l.at(0.34).id).toBe("c");
    expect(l.at(0.9999).id).toBe("c");
  });

  test("all weights zero: equally likely", () => {
    const l = new WeightedList(
      ["x", "y", "z"].map((id) => ({ id, item: id, weight: 0 })),
      "test",
    );
    expect([l.at(0.1).id, l.at(0.5).id, l.at(0.9).id]).toEqual(["x", "y", "z"]);
  });

  test("weights outside [0, 1] and empty lists are configuration errors", () => {
    expect(() => new WeightedList([{ id: "a", item: 1, weight: 1.5 }], "clusters.labelClusterMap.gpu")).toThrow(
      new ClusterConfigError("clusters.labelClusterMap.gpu: cluster a has weight 1.5; weights are between 0 and 1"),
    );
    expect(() => new WeightedList([], "clusters.clusterConfigs")).toThrow("clusters.clusterConfigs: no enabled cluster to choose from");
  });

  test("the pick is fixed by the name and follows the weights across names", () => {
    const l = new WeightedList(
      [
        { id: "small", item: 1, weight: 0.2 },
        { id: "large", item: 2, weight: 0.8 },
      ],
      "test",
    );
    expect(l.pick("exec-1").id).toBe(l.pick("exec-1").id);
    const names = Array.from({ length: 4000 }, (_, i) => `f${i.toString(36)}x${i}`);
    const small = names.filter((n) => l.pick(n).id === "small").length / names.length;
    expect(small).toBeGreaterThan(0.17);
    expect(small).toBeLessThan(0.23);
    const units = names.map((n) => seededUnit(fnv64a(n)));
    expect(Math.min(...units)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...units)).toBeLessThan(1);
  });
});

describe("cluster selector", () => {
  const clusters = new Map([
    ["east", { item: "EAST", enabled: true }],
    ["west", { item: "WEST", enabled: true }],
    ["off", { item: "OFF", enabled: false }],
  ]);
  const names = Array.from({ length: 200 }, (_, i) => `exec-${i}`);
  const picked = (s: ClusterSelector<string>, label?: string) => new Set(names.map((n) => s.select(n, label).id));

  test("a label's clusters; an unmapped label or one left with no enabled cluster falls back to the default label, then to all enabled", () => {
    const s = new ClusterSelector(clusters, {
      labelClusterMap: {
        gpu: [{ id: "west", weight: 1 }],
        batch: [
          { id: "east", weight: 0.5 },
          { id: "off", weight: 1 },
        ],
        dead: [
          { id: "off", weight: 1 },
          { id: "ghost", weight: 1 },
        ],
      },
      defaultExecutionLabel: "batch",
    });
    expect(picked(s, "gpu")).toEqual(new Set(["west"]));
    expect(picked(s, "batch")).toEqual(new Set(["east"])); // "off" is disabled
    expect(picked(s, "unmapped")).toEqual(new Set(["east"])); // the default label
    expect(picked(s, "dead")).toEqual(new Set(["east"]));
    expect(picked(s)).toEqual(new Set(["east"]));
    expect(s.routes).toEqual({ gpu: ["west"], batch: ["east"] });
  });

  test("no default label: every enabled cluster, equally, never a disabled one", () => {
    const s = new ClusterSelector(clusters, { labelClusterMap: {}, defaultExecutionLabel: "" });
    const counts = { east: 0, west: 0, off: 0 } as Record<string, number>;
    for (const n of names) counts[s.select(n, undefined).id]++;
    expect(counts.off).toBe(0);
    expect(counts.east).toBeGreaterThan(60);
    expect(counts.west).toBeGreaterThan(60);
    // The default label names nothing mapped: also every enabled cluster.
    expect(picked(new ClusterSelector(clusters, { labelClusterMap: {}, defaultExecutionLabel: "nowhere" }))).toEqual(new Set(["east", "west"]));
  });

  test("a disabled cluster is still found by id (its running executions can be aborted)", () => {
    const s = new ClusterSelector(clusters, { labelClusterMap: {}, defaultExecutionLabel: "" });
    expect([s.get("off"), s.get("east"), s.get("ghost")]).toEqual(["OFF", "EAST", undefined]);
  });

  test("no enabled cluster, or a bad weight among enabled clusters, refuses to start", () => {
    expect(() => new ClusterSelector(new Map([["off", { item: 1, enabled: false }]]), { labelClusterMap: {}, defaultExecutionLabel: "" })).toThrow(
      ClusterConfigError,
    );
    expect(() => new ClusterSelector(clusters, { labelClusterMap: { gpu: [{ id: "east", weight: 2 }] }, defaultExecutionLabel: "" })).toThrow(
      "clusters.labelClusterMap.gpu: cluster east has weight 2",
    );
    // Upstream only checks the weights of enabled clusters.
    expect(() => new ClusterSelector(clusters, { labelClusterMap: { gpu: [{ id: "off", weight: 2 }] }, defaultExecutionLabel: "" })).not.toThrow();
  });
});
