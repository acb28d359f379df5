// The listeners. Every port answers everything: a plain TCP front takes each connection (within the
// connection and file-descriptor limits), tells HTTP/2 from HTTP/1.1 by the h2c preface or, with TLS,
// by ALPN, and hands it to a node:http2 or node:http server running the same request handler. (Bun.serve
// speaks HTTP/1.1 only and node:http2's allowHTTP1 works only over TLS, hence the front.) The front
// also owns the timeouts: Bun ignores node:http's for sockets handed over this way.
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import tls from "node:tls";
import type { Duplex } from "node:stream";
import { silentLogger, type Logger } from "../kernel/log";
import { Connection, type Dispatch, type Drainable } from "./conn-accept";
import { H1Connection } from "./conn-h1";
import { H2Connection } from "./conn-h2";
import { noTimeouts, type EdgeTimeouts } from "./conn-timeouts";
import { Admission, type AdmissionOptions } from "./listen-admission";
import { withShutdownSignal } from "./listen-shutdown";

export type { EdgeTimeouts } from "./conn-timeouts";
export { edgeTimeouts } from "./listen-config";

export type RequestHandler = (req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse) => void;

export interface TlsFiles {
  cert: string | Buffer;
  key: string | Buffer;
}

export interface ListenOptions {
  host: string;
  ports: number[];
  handler: RequestHandler;
  tls?: TlsFiles;
  log?: Logger;
  /** Off when not given. */
  timeouts?: EdgeTimeouts;
  /** Most open connections over all ports; 0 or unset: only the open-file limit bounds them. */
  maxConnections?: number;
  /** Test hooks of the admission control (fd budget, fd probe, intervals). */
  admission?: Pick<AdmissionOptions, "budget" | "probe" | "probeEveryMs" | "logEveryMs">;
}

export interface Listeners {
  /** The bound ports, in the order asked (a port asked twice is bound once). */
  ports: number[];
  /** Connections open now. */
  connections(): number;
  /**
   * Stops accepting, aborts the shutdown signal (long streams end with Unavailable), lets in-flight
   * calls finish for up to `graceMs`, then drops what is left.
   */
  close(graceMs: number): Promise<void>;
}

/** One listening port, which can stop accepting for a while and take up the same port again. */
class Port {
  private server: net.Server | undefined;
  private closed = false;
  bound = 0;

  constructor(
    private readonly host: string,
    private readonly asked: number,
    private readonly accept: (sock: net.Socket) => void,
  ) {}

  async listen(): Promise<number> {
    const server = net.createServer(this.accept);
    this.bound = await listenOn(server, this.host, this.bound || this.asked);
    // Closed while binding (a resume racing shutdown): the new listener must not outlive close().
    if (this.closed) server.close();
    else this.server = server;
    return this.bound;
  }

  pause(): void {
    this.server?.close();
    this.server = undefined;
  }

  async resume(): Promise<void> {
    if (!this.server && !this.closed) await this.listen();
  }

  close(): Promise<void> {
    this.closed = true;
    const server = this.server;
    this.server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

function listenOn(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    const done = () => {
      server.off("error", reject);
      resolve((server.address() as net.AddressInfo).port);
    };
    // No host: node binds every interface, dual-stack where the machine has IPv6.
    if (host) server.listen(port, host, done);
    else server.listen(port, done);
  });
}

export async function listen(opts: ListenOptions): Promise<Listeners> {
  const log = opts.log ?? silentLogger;
  const t = opts.timeouts ?? noTimeouts;
  const shutdown = new AbortController();
  const handler: RequestHandler = (req, res) => withShutdownSignal(shutdown.signal, () => opts.handler(req, res));
  const tlsContext = opts.tls ? tls.createSecureContext(opts.tls) : undefined;

  const h1 = http.createServer(handler as http.RequestListener);
  const h1Conns = new WeakMap<Duplex, H1Connection>();
  h1.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => h1Conns.get(req.socket)?.responding(res));
  const h2 = http2.createServer({}, handler);
  // node:http2 creates the session synchronously inside emit("connection"); Bun's session.socket is
  // a proxy, not our socket, so the session is caught here rather than looked up by socket.
  let handedSession: http2.ServerHttp2Session | undefined;
  h2.on("session", (s: http2.ServerHttp2Session) => (handedSession = s));

  const closed = (protocol: string) => (reason: string, detail?: string) => log.debug("connection closed", { protocol, reason, ...(detail && { detail }) });
  const dispatch: Dispatch = (sock, protocol, acceptedAt): Drainable | undefined => {
    if (protocol === "h1") {
      const conn = new H1Connection(sock, t, acceptedAt, closed("HTTP/1.1"));
      h1Conns.set(sock, conn);
      h1.emit("connection", sock);
      return conn;
    }
    handedSession = undefined;
    h2.emit("connection", sock);
    const session = handedSession as http2.ServerHttp2Session | undefined;
    handedSession = undefined;
    return session ? new H2Connection(session, sock, t, closed("HTTP/2")) : undefined;
  };

  const conns = new Set<Connection>();
  const ports: Port[] = [];
  const admission = new Admission({
    maxConnections: opts.maxConnections ?? 0,
    log,
    pause: () => {
      for (const p of ports) p.pause();
    },
    resume: async () => {
      await Promise.all(ports.map((p) => p.resume()));
    },
    ...opts.admission,
  });
  const accept = (raw: net.Socket) => {
    if (!admission.admit()) {
      raw.on("error", () => {});
      raw.destroy();
      return;
    }
    const conn = new Connection(raw, t.headersMs, tlsContext, dispatch);
    conns.add(conn);
    raw.once("close", () => {
      conns.delete(conn);
      admission.release();
    });
  };

  const bound: number[] = [];
  const byPort = new Map<number, number>();
  try {
    for (const asked of opts.ports) {
      const known = byPort.get(asked);
      if (known !== undefined) {
        bound.push(known);
        continue;
      }
      const port = new Port(opts.host, asked, accept);
      const n = await port.listen();
      ports.push(port);
      if (asked !== 0) byPort.set(asked, n);
      bound.push(n);
    }
  } catch (e) {
    admission.stop();
    for (const p of ports) void p.close();
    throw e;
  }

  return {
    ports: bound,
    connections: () => conns.size,
    async close(graceMs) {
      admission.stop();
      shutdown.abort();
      const stopped = ports.map((p) => p.close());
      for (const c of conns) c.drain();
      const deadline = Date.now() + graceMs;
      while (conns.size > 0 && Date.now() < deadline) await sleep(10);
      for (const c of conns) c.destroy();
      await Promise.race([Promise.all(stopped), sleep(100)]);
    },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
