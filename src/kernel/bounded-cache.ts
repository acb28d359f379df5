// A small map that forgets its oldest entry once full: for values derived from immutable inputs
// (a workflow version's closure, say), where a miss only costs recomputing.
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly limit: number) {}

  /** The cached value, if there is one (no loading). */
  peek(key: K): V | undefined {
    return this.map.get(key);
  }

  /** The cached value, else what `load` gives (kept only when it gives one). */
  async getOrLoad<R extends V | undefined>(key: K, load: () => Promise<R>): Promise<V | R> {
    const hit = this.map.get(key);
    if (hit !== undefined) return hit;
    const value = await load();
    return value === undefined ? value : this.set(key, value);
  }

  private set(key: K, value: V): V {
    if (!this.map.has(key) && this.map.size >= this.limit) this.map.delete(this.map.keys().next().value as K);
    this.map.set(key, value);
    return value;
  }
}
