// A small Prometheus registry: per-method call counters by code and a latency histogram, rendered in
// the text exposition format at /metrics.
const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export class Metrics {
  private readonly calls = new Map<string, number>();
  private readonly latency = new Map<string, Histogram>();
  private readonly startedAt = Date.now() / 1000;
  private readonly collectors: Array<() => string[]> = [];

  /** More exposition lines at each render (the schedule runner's counters, say). */
  addCollector(collect: () => string[]): void {
    this.collectors.push(collect);
  }

  /** Records one finished call: `method` is "/pkg.Service/Method", `code` a gRPC code name. */
  observe(method: string, code: string, seconds: number): void {
    const callKey = `${method}\u0000${code}`;
    this.calls.set(callKey, (this.calls.get(callKey) ?? 0) + 1);
    let h = this.latency.get(method);
    if (!h) {
      h = { counts: buckets.map(() => 0), sum: 0, count: 0 };
      this.latency.set(method, h);
    }
    for (let i = 0; i < buckets.length; i++) if (seconds <= buckets[i]) h.counts[i]++;
    h.sum += seconds;
    h.count++;
  }

  render(): string {
    const out: string[] = ["# HELP flyteadmin_rpc_calls_total Finished calls by method and gRPC status code.", "# TYPE flyteadmin_rpc_calls_total counter"];
    for (const [key, n] of this.calls) {
      const [method, code] = key.split("\u0000");
      out.push(`flyteadmin_rpc_calls_total{method="${esc(method)}",code="${esc(code)}"} ${n}`);
    }
    out.push("# HELP flyteadmin_rpc_duration_seconds Call latency by method.", "# TYPE flyteadmin_rpc_duration_seconds histogram");
    for (const [method, h] of this.latency) {
      const m = esc(method);
      buckets.forEach((b, i) => {
        out.push(`flyteadmin_rpc_duration_seconds_bucket{method="${m}",le="${b}"} ${h.counts[i]}`);
      });
      out.push(`flyteadmin_rpc_duration_seconds_bucket{method="${m}",le="+Inf"} ${h.count}`);
      out.push(`flyteadmin_rpc_duration_seconds_sum{method="${m}"} ${h.sum}`);
      out.push(`flyteadmin_rpc_duration_seconds_count{method="${m}"} ${h.count}`);
    }
    for (const collect of this.collectors) out.push(...collect());
    const mem = process.memoryUsage();
    out.push(
      "# HELP process_resident_memory_bytes Resident memory size in bytes.",
      "# TYPE process_resident_memory_bytes gauge",
      `process_resident_memory_bytes ${mem.rss}`,
      "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.",
      "# TYPE process_start_time_seconds gauge",
      `process_start_time_seconds ${this.startedAt}`,
    );
    return `${out.join("\n")}\n`;
  }
}
