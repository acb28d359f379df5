// A token bucket on the runner's clock (upstream's adminRateLimit: tps with a burst), so a catch-up
// after downtime reaches CreateExecution at a bounded pace.
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly tps: number,
    private readonly burst: number,
    nowMs: number,
  ) {
    this.tokens = burst;
    this.at = nowMs;
  }

  /** Takes one token; false when none is left (tps 0: unlimited). */
  take(nowMs: number): boolean {
    if (this.tps <= 0) return true;
    this.tokens = Math.min(this.burst, this.tokens + ((nowMs - this.at) / 1000) * this.tps);
    this.at = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until a token is available. */
  waitMs(): number {
    return this.tps <= 0 || this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.tps) * 1000);
  }
}
