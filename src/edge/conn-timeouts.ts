// The connection timeouts the edge enforces itself: Bun's node:http ignores headersTimeout,
// requestTimeout and keepAliveTimeout for sockets handed over by our front, so every limit is a timer
// per connection. 0 turns a limit off.

export interface EdgeTimeouts {
  /** A request's headers, from its first byte; a connection's first request counts from the accept. */
  headersMs: number;
  /** A whole request, headers and body, from its first byte (HTTP/2: until the client ends its side). */
  requestMs: number;
  /** A connection with nothing in progress: HTTP/1.1 between requests, HTTP/2 with no open stream. */
  idleMs: number;
  /** How often an HTTP/2 session is pinged. */
  pingMs: number;
  /** How long a PING may go unanswered before the session is dropped. */
  pingAckMs: number;
}

export const noTimeouts: EdgeTimeouts = { headersMs: 0, requestMs: 0, idleMs: 0, pingMs: 0, pingAckMs: 0 };

/** A one-shot timer that can be re-armed; unref'd so it never keeps the process alive. */
export class Deadline {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly onExpire: () => void) {}

  get armed(): boolean {
    return this.timer !== undefined;
  }

  /** (Re)starts the timer; ms <= 0 leaves it off. */
  arm(ms: number): void {
    this.clear();
    if (!(ms > 0)) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.onExpire();
    }, ms);
    this.timer.unref?.();
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
