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

  /** The lag between tick and create at quantile `q` (0..1) over the latest samples, ms. */
  lag(q: number): number {
    if (this.lags.length === 0) return 0;
    const sorted = [...this.lags].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  }
}
