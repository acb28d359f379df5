// The runner's counters: cheap numbers a metrics endpoint or a benchmark can read.
const lagSamples = 4096;

export class SchedulerMetrics {
  /** Ticks done: created now, or found already created (AlreadyExists). */
  ticksFired = 0;
  created = 0;
  alreadyDone = 0;
  failures = 0;
  /** Missed ticks the catch-up policy left unfired. */
  skipped = 0;
  private lags: number[] = [];
  private cursor = 0;

  /** A tick done `lagMs` after its time. */
  fired(lagMs: number): void {
    this.ticksFired++;
    if (this.lags.length < lagSamples) this.lags.push(lagMs);
    else this.lags[this.cursor++ % lagSamples] = lagMs;
  }

  /** The counters in Prometheus' text format. */
  exposition(): string[] {
    const counter = (name: string, help: string, value: number) => [`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`];
    return [
      ...counter("flyteadmin_scheduler_ticks_fired_total", "Schedule ticks done (created, or found already created).", this.ticksFired),
      ...counter("flyteadmin_scheduler_executions_created_total", "Executions the runner created.", this.created),
      ...counter("flyteadmin_scheduler_ticks_already_done_total", "Ticks whose execution existed already (AlreadyExists).", this.alreadyDone),
      ...counter("flyteadmin_scheduler_failures_total", "Failed attempts to create a tick's execution.", this.failures),
      ...counter("flyteadmin_scheduler_ticks_skipped_total", "Missed ticks the catch-up policy left unfired.", this.skipped),
      "# HELP flyteadmin_scheduler_lag_seconds Delay between a tick and its execution's creation, latest samples.",
      "# TYPE flyteadmin_scheduler_lag_seconds gauge",
      `flyteadmin_scheduler_lag_seconds{quantile="0.5"} ${this.lag(0.5) / 1000}`,
      `flyteadmin_scheduler_lag_seconds{quantile="0.99"} ${this.lag(0.99) / 1000}`,
    ];
  }

  /** The lag between tick and create at quantile `q` (0..1) over the latest samples, ms. */
  lag(q: number): number {
    if (this.lags.length === 0) return 0;
    const sorted = [...this.lags].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  }
}
