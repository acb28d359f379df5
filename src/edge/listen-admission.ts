// Which connections the edge takes: at most maxConnections (and never more than the open-file limit
// leaves room for); the excess is closed at once and counted. A watchdog pauses the listeners while
// no descriptor can be opened, backing off from 100 ms to 1 s, since Bun would otherwise spin on the
// accept it cannot complete. Both are logged at most once per interval, with counts.
import type { Logger } from "../kernel/log";
import { canOpenFile, connectionBudget, openFileLimit } from "./listen-fds";

export interface AdmissionOptions {
  /** 0: no limit of our own (the open-file budget still applies). */
  maxConnections: number;
  log: Logger;
  /** Stop and restart accepting on every listener. */
  pause(): void;
  resume(): Promise<void>;
  /** Overrides for tests. */
  budget?: number;
  probe?: () => boolean;
  probeEveryMs?: number;
  logEveryMs?: number;
}

const minBackoffMs = 100;
const maxBackoffMs = 1000;

/** Counts events and says when to log them: at most once per interval, with the count since. */
class Throttle {
  private count = 0;
  private last = 0;

  constructor(private readonly everyMs: number) {}

  /** The count to log now, or undefined to stay quiet. */
  hit(): number | undefined {
    this.count++;
    const now = Date.now();
    if (now - this.last < this.everyMs) return undefined;
    const n = this.count;
    this.count = 0;
    this.last = now;
    return n;
  }
}

export class Admission {
  /** Connections open now. */
  open = 0;
  /** Connections refused since start. */
  refused = 0;
  readonly capacity: number;
  private readonly refusals: Throttle;
  private readonly pauses: Throttle;
  private readonly resumeFailures: Throttle;
  private paused = false;
  private backoffMs = minBackoffMs;
  private resumedAt = 0;
  private readonly watchdog: ReturnType<typeof setInterval>;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(private readonly o: AdmissionOptions) {
    const budget = o.budget ?? connectionBudget();
    this.capacity = Math.min(o.maxConnections > 0 ? o.maxConnections : Number.POSITIVE_INFINITY, budget);
    this.refusals = new Throttle(o.logEveryMs ?? 10_000);
    this.pauses = new Throttle(o.logEveryMs ?? 10_000);
    this.resumeFailures = new Throttle(o.logEveryMs ?? 10_000);
    this.watchdog = setInterval(() => this.check(), o.probeEveryMs ?? 250);
    this.watchdog.unref?.();
  }

  /** Counts the connection in, or says no (the caller closes it). */
  admit(): boolean {
    if (this.open < this.capacity) {
      this.open++;
      return true;
    }
    this.refused++;
    const refused = this.refusals.hit();
    if (refused !== undefined) {
      this.o.log.warn("connections refused: too many open", {
        refused,
        open: this.open,
        limit: this.capacity,
        maxConnections: this.o.maxConnections,
        openFileLimit: openFileLimit(),
      });
    }
    return false;
  }

  release(): void {
    this.open--;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.watchdog);
    if (this.retry !== undefined) clearTimeout(this.retry);
  }

  private probe(): boolean {
    return (this.o.probe ?? canOpenFile)();
  }

  private check(): void {
    if (this.paused || this.stopped || this.probe()) return;
    this.paused = true;
    // Out again soon after resuming: wait longer this time, rather than flap at the shortest pause.
    this.backoffMs = Date.now() - this.resumedAt < maxBackoffMs ? Math.min(this.backoffMs * 2, maxBackoffMs) : minBackoffMs;
    this.o.pause();
    const pauses = this.pauses.hit();
    if (pauses !== undefined) {
      this.o.log.warn("out of file descriptors: not accepting connections for a while", {
        pauses,
        open: this.open,
        openFileLimit: openFileLimit(),
      });
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    // Kept ref'd: while paused no listener holds the process open, and it must not exit.
    this.retry = setTimeout(() => void this.tryResume(), this.backoffMs);
  }

  private async tryResume(): Promise<void> {
    this.retry = undefined;
    if (this.stopped) return;
    if (this.probe()) {
      try {
        await this.o.resume();
        this.paused = false;
        this.resumedAt = Date.now();
        return;
      } catch (e) {
        const failures = this.resumeFailures.hit();
        if (failures !== undefined) {
          this.o.log.error("could not listen again after running out of file descriptors", { failures, error: (e as Error).message });
        }
      }
    }
    this.backoffMs = Math.min(this.backoffMs * 2, maxBackoffMs);
    this.scheduleRetry();
  }
}
