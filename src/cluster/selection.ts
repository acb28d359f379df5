// Choosing the execution cluster as upstream's random cluster selector does: the execution's label (from
// the request or EXECUTION_CLUSTER_LABEL attributes) names weighted clusters in clusters.labelClusterMap;
// a label with no enabled cluster falls back to clusters.defaultExecutionLabel, and that to every enabled
// cluster with equal weight. The pick is weighted-random with a generator seeded by FNV-1a 64 of the
// execution name, so one name always lands on one cluster (not the same cluster Go's math/rand would
// pick: its generator is not reproduced).

/** A cluster configuration that cannot serve; raised at start-up, as upstream refuses to start. */
export class ClusterConfigError extends Error {
  override readonly name = "ClusterConfigError";
}

/** FNV-1a, 64 bits, of the UTF-8 bytes (Go's hash/fnv New64a). */
export function fnv64a(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(text, "utf8")) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

/** A number in [0, 1) fixed by the seed: one splitmix64 step over the seed, top 53 bits. */
export function seededUnit(seed: bigint): number {
  let z = (seed + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
  z ^= z >> 31n;
  return Number(z >> 11n) / 2 ** 53;
}

export interface WeightedEntry<T> {
  id: string;
  item: T;
  weight: number;
}

/**
 * Upstream's weighted random list: weights in [0, 1]; entries ordered by id; zero weights never chosen
 * unless every weight is zero, when all are equally likely.
 */
export class WeightedList<T> {
  private readonly entries: Array<{ id: string; item: T; upTo: number }> = [];
  private readonly total: number;

  constructor(entries: Array<WeightedEntry<T>>, where: string) {
    if (entries.length === 0) throw new ClusterConfigError(`${where}: no enabled cluster to choose from`);
    for (const e of entries) {
      if (!(e.weight >= 0 && e.weight <= 1)) throw new ClusterConfigError(`${where}: cluster ${e.id} has weight ${e.weight}; weights are between 0 and 1`);
    }
    const sorted = [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const sum = sorted.reduce((s, e) => s + e.weight, 0);
    let upTo = 0;
    for (const e of sorted) {
      if (sum === 0) upTo += 1 / sorted.length;
      else if (e.weight === 0) continue;
      upTo += e.weight;
      this.entries.push({ id: e.id, item: e.item, upTo });
    }
    this.total = upTo;
  }

  /** The entry for a point in [0, 1): the first whose running total reaches it. */
  at(unit: number): { id: string; item: T } {
    const point = unit * this.total;
    const hit = this.entries.find((e) => e.upTo >= point && e.upTo > 0) ?? this.entries[this.entries.length - 1];
    return { id: hit.id, item: hit.item };
  }

  /** Deterministic per seed text (the execution name). */
  pick(seed: string): { id: string; item: T } {
    return this.at(seededUnit(fnv64a(seed)));
  }

  get ids(): string[] {
    return this.entries.map((e) => e.id);
  }
}

export interface SelectorConfig {
  labelClusterMap: Record<string, Array<{ id: string; weight: number }>>;
  defaultExecutionLabel: string;
}

/** Every configured cluster (enabled or not: a disabled cluster still answers aborts) and the lists to pick from. */
export class ClusterSelector<T> {
  private readonly all: WeightedList<T>;
  private readonly byLabel = new Map<string, WeightedList<T>>();

  constructor(
    private readonly clusters: Map<string, { item: T; enabled: boolean }>,
    private readonly config: SelectorConfig,
  ) {
    const enabled = [...clusters].filter(([, c]) => c.enabled);
    this.all = new WeightedList(
      enabled.map(([id, c]) => ({ id, item: c.item, weight: 0 })),
      "clusters.clusterConfigs",
    );
    for (const [label, members] of Object.entries(config.labelClusterMap)) {
      // Clusters that are unknown or disabled are left out; a label left with none is as if unmapped.
      const eligible = members.flatMap((m) => {
        const c = clusters.get(m.id);
        return c?.enabled ? [{ id: m.id, item: c.item, weight: m.weight }] : [];
      });
      if (eligible.length > 0) this.byLabel.set(label, new WeightedList(eligible, `clusters.labelClusterMap.${label}`));
    }
  }

  /** The cluster for a new execution. */
  select(executionName: string, label: string | undefined): { id: string; item: T } {
    const list =
      (label ? this.byLabel.get(label) : undefined) ??
      (this.config.defaultExecutionLabel ? this.byLabel.get(this.config.defaultExecutionLabel) : undefined) ??
      this.all;
    return list.pick(executionName);
  }

  /** A cluster by id, enabled or not; undefined when no cluster has that name. */
  get(id: string): T | undefined {
    return this.clusters.get(id)?.item;
  }

  /** The labels that lead somewhere, with their eligible clusters (for the start-up log). */
  get routes(): Record<string, string[]> {
    return Object.fromEntries([...this.byLabel].map(([label, list]) => [label, list.ids]));
  }
}
