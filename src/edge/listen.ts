// The listeners. Every port answers everything: a plain TCP front peeks at the first bytes and hands
// HTTP/2 connections (the h2c preface that gRPC clients send with `insecure: true`) to a node:http2
// server and everything else to a node:http server; both run the same request handler. With TLS, one
// http2 secure server per port negotiates h2 or http/1.1 by ALPN. (Bun.serve speaks HTTP/1.1 only and
// node:http2's allowHTTP1 works only over TLS, hence the front.)
import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { Duplex } from "node:stream";

export type RequestHandler = (
  req: http.IncomingMessage | http2.Http2ServerRequest,
  res: http.ServerResponse | http2.Http2ServerResponse,
) => void;

export interface TlsFiles {
  cert: string | Buffer;
  key: string | Buffer;
}

export interface Listeners {
  /** The bound ports, in the order asked (a port asked twice is bound once). */
  ports: number[];
  /** Stops accepting, lets in-flight calls finish for up to `graceMs`, then drops what is left. */
  close(graceMs: number): Promise<void>;
}

const h2Preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/** True when `buf` could still be, or is, the start of the HTTP/2 client preface. */
function prefaceState(buf: Buffer): "h2" | "h1" | "more" {
  const n = Math.min(buf.length, h2Preface.length);
  if (!buf.subarray(0, n).equals(h2Preface.subarray(0, n))) return "h1";
  return n === h2Preface.length ? "h2" : "more";
}

interface Servers {
  h1: http.Server;
  h2: http2.Http2Server;
  sessions: Set<http2.Http2Session>;
  sockets: Set<Duplex>;
}

function track(sessions: Set<http2.Http2Session>, server: http2.Http2Server | http2.Http2SecureServer): void {
  server.on("session", (s: http2.Http2Session) => {
    sessions.add(s);
    s.once("close", () => sessions.delete(s));
  });
}

function makeServers(handler: RequestHandler): Servers {
  const sessions = new Set<http2.Http2Session>();
  const sockets = new Set<Duplex>();
  const h2 = http2.createServer({}, handler);
  track(sessions, h2);
  const h1 = http.createServer(handler as http.RequestListener);
  h1.on("connection", (s: Duplex) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  return { h1, h2, sessions, sockets };
}

/** Cleartext front: sniff the first bytes and pass the socket on unread. */
function sniffingFront(servers: Servers): net.Server {
  return net.createServer((sock) => {
    let seen = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const state = prefaceState(seen);
      if (state === "more") return;
      sock.off("data", onData);
      sock.pause();
      sock.unshift(seen);
      (state === "h2" ? servers.h2 : servers.h1).emit("connection", sock);
      sock.resume();
    };
    sock.on("data", onData);
    sock.on("error", () => sock.destroy());
  });
}

/** TLS: one secure HTTP/2 server per port; ALPN picks h2 or http/1.1. */
function tlsFront(servers: Servers, handler: RequestHandler, tls: TlsFiles): net.Server {
  const server = http2.createSecureServer({ ...tls, allowHTTP1: true, ALPNProtocols: ["h2", "http/1.1"] }, handler);
  track(servers.sessions, server);
  server.on("secureConnection", (s: Duplex) => {
    servers.sockets.add(s);
    s.once("close", () => servers.sockets.delete(s));
  });
  return server as unknown as net.Server;
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

export async function listen(opts: {
  host: string;
  ports: number[];
  handler: RequestHandler;
  tls?: TlsFiles;
}): Promise<Listeners> {
  const servers = makeServers(opts.handler);
  const fronts: net.Server[] = [];
  const byPort = new Map<number, number>();
  const ports: number[] = [];
  try {
    for (const port of opts.ports) {
      const known = byPort.get(port);
      if (known !== undefined) {
        ports.push(known);
        continue;
      }
      const front = opts.tls ? tlsFront(servers, opts.handler, opts.tls) : sniffingFront(servers);
      const bound = await listenOn(front, opts.host, port);
      fronts.push(front);
      if (port !== 0) byPort.set(port, bound);
      ports.push(bound);
    }
  } catch (e) {
    for (const f of fronts) f.close();
    throw e;
  }
  return { ports, close: (graceMs) => closeAll(fronts, servers, graceMs) };
}

async function closeAll(fronts: net.Server[], servers: Servers, graceMs: number): Promise<void> {
  const closed = fronts.map((f) => new Promise<void>((r) => f.close(() => r())));
  servers.h1.closeIdleConnections();
  for (const s of servers.sessions) s.close(); // GOAWAY: in-flight streams finish, no new ones
  const deadline = new Promise<void>((r) => setTimeout(r, graceMs).unref());
  const drained = (async () => {
    while (servers.sessions.size > 0 || servers.sockets.size > 0) {
      servers.h1.closeIdleConnections();
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await Promise.race([drained, deadline]);
  for (const s of servers.sessions) s.destroy();
  for (const s of servers.sockets) s.destroy();
  await Promise.race([Promise.all(closed), new Promise((r) => setTimeout(r, 100))]);
}
