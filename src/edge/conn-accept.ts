// One accepted TCP connection until it is handed to HTTP/1.1 or HTTP/2: in cleartext by peeking at
// the first bytes (the h2c preface that gRPC clients send with `insecure: true`), with TLS by the
// protocol ALPN chose. Until then it is held to the headers timeout, so a client that connects and
// sends nothing, a partial preface, or never finishes its TLS handshake does not keep the socket.
import type net from "node:net";
import tls from "node:tls";
import type { Duplex } from "node:stream";
import { Deadline } from "./conn-timeouts";

export type Protocol = "h1" | "h2";

/** What a protocol handler gives back: how to wind the connection down at shutdown. */
export interface Drainable {
  drain(): void;
}

export type Dispatch = (sock: Duplex, protocol: Protocol, acceptedAt: number) => Drainable | undefined;

const h2Preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/** True when `buf` could still be, or is, the start of the HTTP/2 client preface. */
function prefaceState(buf: Buffer): Protocol | "more" {
  const n = Math.min(buf.length, h2Preface.length);
  if (!buf.subarray(0, n).equals(h2Preface.subarray(0, n))) return "h1";
  return n === h2Preface.length ? "h2" : "more";
}

export class Connection {
  readonly acceptedAt = Date.now();
  private handler: Drainable | undefined;
  private secure: tls.TLSSocket | undefined;
  private readonly firstBytes = new Deadline(() => this.destroy());

  constructor(
    readonly raw: net.Socket,
    headersMs: number,
    tlsContext: tls.SecureContext | undefined,
    private readonly dispatch: Dispatch,
  ) {
    raw.on("error", () => this.destroy());
    raw.once("close", () => this.firstBytes.clear());
    this.firstBytes.arm(headersMs);
    if (tlsContext) this.handshake(tlsContext);
    else this.sniff();
  }

  /** Shutdown: let the protocol finish what is in progress; a connection not handed over yet just goes. */
  drain(): void {
    if (this.handler) this.handler.drain();
    else this.destroy();
  }

  destroy(): void {
    this.firstBytes.clear();
    this.secure?.destroy();
    this.raw.destroy();
  }

  private sniff(): void {
    const sock = this.raw;
    let seen = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const state = prefaceState(seen);
      if (state === "more") return;
      sock.off("data", onData);
      sock.pause();
      sock.unshift(seen);
      this.handOver(sock, state);
      sock.resume();
    };
    sock.on("data", onData);
  }

  private handshake(context: tls.SecureContext): void {
    const sock = new tls.TLSSocket(this.raw, { isServer: true, secureContext: context, ALPNProtocols: ["h2", "http/1.1"] });
    this.secure = sock;
    sock.on("error", () => this.destroy());
    // No ALPN (an older client) means HTTP/1.1, as node's allowHTTP1 has it.
    sock.once("secure", () => this.handOver(sock, sock.alpnProtocol === "h2" ? "h2" : "h1"));
  }

  private handOver(sock: Duplex, protocol: Protocol): void {
    this.firstBytes.clear();
    this.handler = this.dispatch(sock, protocol, this.acceptedAt);
  }
}
