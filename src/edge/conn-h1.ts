// One HTTP/1.1 connection's limits: headers and whole-request deadlines per request, an idle deadline
// between requests, and a 400 for chunk sizes node:http would wait on forever. The socket is tapped,
// not read: node:http's parser still gets every byte.
import type http from "node:http";
import type { Duplex } from "node:stream";
import { H1Framing } from "./conn-h1-framing";
import { Deadline, type EdgeTimeouts } from "./conn-timeouts";

export type H1CloseReason = "headers timeout" | "request timeout" | "idle" | "malformed" | "shutdown";

export class H1Connection {
  private inFlight = 0;
  private current: http.ServerResponse | undefined;
  private draining = false;
  private closed = false;
  private readonly framing: H1Framing;
  private readonly headers = new Deadline(() => this.refuse("408 Request Timeout", "headers timeout"));
  private readonly request = new Deadline(() => this.refuse("408 Request Timeout", "request timeout"));
  private readonly idle = new Deadline(() => this.close("idle"));

  constructor(
    private readonly sock: Duplex,
    private readonly t: EdgeTimeouts,
    acceptedAt: number,
    private readonly onClose: (reason: H1CloseReason, detail?: string) => void,
  ) {
    this.framing = new H1Framing({
      start: () => {
        this.idle.clear();
        // The first request's deadlines already run from the accept.
        if (!this.request.armed && !this.headers.armed) {
          this.headers.arm(t.headersMs);
          this.request.arm(t.requestMs);
        }
      },
      headers: () => this.headers.clear(),
      end: () => {
        this.request.clear();
        this.settle();
      },
      malformed: (reason) => this.refuse("400 Bad Request", "malformed", reason),
    });
    const waited = Date.now() - acceptedAt;
    if (t.headersMs > 0) this.headers.arm(Math.max(1, t.headersMs - waited));
    if (t.requestMs > 0) this.request.arm(Math.max(1, t.requestMs - waited));
    sock.on("data", (chunk: Buffer) => this.framing.feed(chunk));
    sock.once("close", () => this.stop());
  }

  /** node:http started answering a request on this connection. */
  responding(res: http.ServerResponse): void {
    // Our tap sees a request's last byte before node:http dispatches it, so idle may be armed already.
    this.idle.clear();
    this.inFlight++;
    this.current = res;
    res.once("close", () => {
      this.inFlight--;
      if (this.current === res) this.current = undefined;
      this.settle();
    });
  }

  /** Shutdown: close as soon as nothing is in progress. */
  drain(): void {
    this.draining = true;
    this.settle();
  }

  /** Nothing in progress: the idle deadline runs (or, draining, the connection closes now). */
  private settle(): void {
    if (this.closed || this.inFlight > 0) return;
    // Framing no longer followed: with nothing in flight, the idle deadline still bounds the connection.
    if (!this.framing.betweenRequests && !this.framing.stopped) return;
    if (this.draining) this.close("shutdown");
    else this.idle.arm(this.t.idleMs);
  }

  /** Answers `status` and closes, unless a response is already on the wire (then just closes). */
  private refuse(status: string, reason: H1CloseReason, detail?: string): void {
    if (this.closed) return;
    const answering = this.current?.headersSent ?? false;
    const started = !this.framing.betweenRequests || this.inFlight > 0;
    if (!answering && started) {
      const body = `${detail ?? reason}\n`;
      this.sock.end(
        `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    }
    this.close(reason, detail);
  }

  private close(reason: H1CloseReason, detail?: string): void {
    if (this.closed) return;
    this.stop();
    this.onClose(reason, detail);
    if (!this.sock.writableEnded) this.sock.end();
    // A peer that never reads or closes must not hold the socket: give the answer a moment to leave.
    setTimeout(() => this.sock.destroy(), 500).unref?.();
  }

  private stop(): void {
    this.closed = true;
    this.headers.clear();
    this.request.clear();
    this.idle.clear();
  }
}
