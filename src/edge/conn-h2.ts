// One HTTP/2 session's limits: GOAWAY after it has had no open stream for the idle timeout, a PING
// every pingMs that must be answered within pingAckMs (a dead peer cannot hold a session, while a live
// one keeps long streams such as Health/Watch as long as it likes), and a reset for a stream whose
// request side is not finished within the request timeout.
import http2 from "node:http2";
import type { Duplex } from "node:stream";
import { Deadline, type EdgeTimeouts } from "./conn-timeouts";

export type H2CloseReason = "idle" | "no ping ack" | "shutdown";

export class H2Connection {
  private open = 0;
  private closed = false;
  private readonly idle = new Deadline(() => this.goaway("idle"));
  private readonly ack = new Deadline(() => this.drop("no ping ack"));
  private readonly pinger: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly session: http2.ServerHttp2Session,
    private readonly sock: Duplex,
    private readonly t: EdgeTimeouts,
    private readonly onClose: (reason: H2CloseReason) => void,
  ) {
    session.on("stream", (stream: http2.ServerHttp2Stream) => this.opened(stream));
    session.once("close", () => this.stop());
    sock.once("close", () => this.stop());
    this.idle.arm(t.idleMs);
    if (t.pingMs > 0) {
      this.pinger = setInterval(() => this.ping(), t.pingMs);
      this.pinger.unref?.();
    }
  }

  /** Shutdown: GOAWAY; open streams may finish. */
  drain(): void {
    if (this.closed) return;
    this.idle.clear();
    this.session.close();
  }

  private opened(stream: http2.ServerHttp2Stream): void {
    this.open++;
    this.idle.clear();
    const request = new Deadline(() => stream.close(http2.constants.NGHTTP2_CANCEL));
    if (!stream.endAfterHeaders) {
      request.arm(this.t.requestMs);
      stream.once("end", () => request.clear());
    }
    stream.once("close", () => {
      request.clear();
      this.open--;
      if (this.open === 0 && !this.closed) this.idle.arm(this.t.idleMs);
    });
  }

  private ping(): void {
    if (this.closed || this.ack.armed) return;
    try {
      this.session.ping((err) => {
        if (!err) this.ack.clear();
      });
      this.ack.arm(this.t.pingAckMs);
    } catch {
      // A session that can no longer ping is closing anyway.
    }
  }

  private goaway(reason: H2CloseReason): void {
    if (this.closed) return;
    this.onClose(reason);
    this.session.close();
    // A peer that ignores GOAWAY does not get to keep the socket.
    setTimeout(() => this.sock.destroy(), 1000).unref?.();
  }

  private drop(reason: H2CloseReason): void {
    if (this.closed) return;
    this.onClose(reason);
    this.stop();
    this.session.destroy();
    this.sock.destroy();
  }

  private stop(): void {
    this.closed = true;
    this.idle.clear();
    this.ack.clear();
    if (this.pinger !== undefined) clearInterval(this.pinger);
  }
}
