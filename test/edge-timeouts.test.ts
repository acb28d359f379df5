// Timeouts and connection limits at the edge, over raw sockets against a real server with small limits:
// what a slow, silent, half-sent or malformed client gets, and that long streams are left alone.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import http2 from "node:http2";
import net from "node:net";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../src/gen/grpc/health/v1/health_pb";
import { listen } from "../src/edge/listen";
import { createLogger } from "../src/kernel/log";
import { startTestServer, type TestServer } from "./helpers/server";

interface Exchange {
  /** Everything the server sent. */
  data: Buffer;
  /** ms from connecting until the server closed, or undefined if it was still open at `waitMs`. */
  closedAfter: number | undefined;
}

/** Connects, writes `payload` (then `trickle` every 100 ms), and records what comes back until close or `waitMs`. */
function exchange(port: number, payload: string | Buffer, waitMs: number, trickle?: string): Promise<Exchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const sock = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let drip: ReturnType<typeof setInterval> | undefined;
    let settled = false;
    const finish = (closedAfter: number | undefined) => {
      if (settled) return;
      settled = true;
      clearInterval(drip);
      clearTimeout(timer);
      sock.destroy();
      resolve({ data: Buffer.concat(chunks), closedAfter });
    };
    sock.on("connect", () => {
      if (payload.length > 0) sock.write(payload);
      if (trickle) drip = setInterval(() => sock.writable && sock.write(trickle), 100);
    });
    sock.on("data", (d: Buffer) => chunks.push(d));
    sock.on("error", () => {});
    sock.on("close", () => finish(Date.now() - started));
    const timer = setTimeout(() => finish(undefined), waitMs);
  });
}

const statusLine = (e: Exchange) => e.data.toString("latin1").split("\r\n")[0];

// Headers 300 ms, whole request 800 ms, idle 400 ms; PINGs every 150 ms, to be answered within 150 ms.
let ts: TestServer;
let port: number;
beforeAll(async () => {
  ts = await startTestServer({
    "server.readHeaderTimeoutSeconds": "0.3",
    "server.timeouts.request": "800ms",
    "server.timeouts.idle": "400ms",
    "server.timeouts.ping": "150ms",
    "server.timeouts.pingAck": "150ms",
  });
  port = ts.server.ports[0];
});
afterAll(async () => {
  await ts.close();
});

const chunkedHead = "POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

describe("HTTP/1.1", () => {
  test("a chunk size of FFFFFFFFFFFFFFFF is answered 400 and the connection closed at once", async () => {
    const e = await exchange(port, `${chunkedHead}FFFFFFFFFFFFFFFF\r\nabc`, 3000);
    expect(statusLine(e)).toBe("HTTP/1.1 400 Bad Request");
    expect(e.closedAfter).toBeLessThan(1000);
  });

  test("a chunk size that is not hex is answered 400", async () => {
    const e = await exchange(port, `${chunkedHead}zz\r\nabc`, 3000);
    expect(statusLine(e)).toBe("HTTP/1.1 400 Bad Request");
    expect(e.closedAfter).toBeLessThan(1000);
  });

  test("well-formed chunked, Content-Length and pipelined requests are answered as before", async () => {
    const body = JSON.stringify({ project: { id: "chunky", name: "chunky" } });
    const chunked = `${chunkedHead}${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    const sized = `GET /api/v1/projects HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nContent-Length: 0\r\n\r\n`;
    const e = await exchange(port, chunked + sized + sized, 1000);
    const statuses = e.data.toString("latin1").match(/HTTP\/1\.1 \d{3}/g);
    expect(statuses).toEqual(["HTTP/1.1 200", "HTTP/1.1 200", "HTTP/1.1 200"]);
  });

  test("a connection that never sends a byte is closed after the headers timeout", async () => {
    const e = await exchange(port, "", 3000);
    expect(e.data.length).toBe(0);
    expect(e.closedAfter).toBeGreaterThanOrEqual(250);
    expect(e.closedAfter).toBeLessThan(1000);
  });

  test("headers that never finish get 408 after the headers timeout", async () => {
    const e = await exchange(port, "GET /healthcheck HTTP/1.1\r\nHost: x\r\n", 3000);
    expect(statusLine(e)).toBe("HTTP/1.1 408 Request Timeout");
    expect(e.closedAfter).toBeLessThan(1000);
  });

  test("slow-loris headers (a header line every 100 ms) get 408 after the headers timeout", async () => {
    const e = await exchange(port, "GET /healthcheck HTTP/1.1\r\n", 3000, "X-Slow: yes\r\n");
    expect(statusLine(e)).toBe("HTTP/1.1 408 Request Timeout");
    expect(e.closedAfter).toBeLessThan(1000);
  });

  test("a body that trickles in gets 408 after the request timeout", async () => {
    const head = "POST /api/v1/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
    const e = await exchange(port, head, 3000, "a");
    expect(statusLine(e)).toBe("HTTP/1.1 408 Request Timeout");
    expect(e.closedAfter).toBeGreaterThanOrEqual(700);
    expect(e.closedAfter).toBeLessThan(1600);
  });

  test("a keep-alive connection is closed after the idle timeout", async () => {
    const e = await exchange(port, "GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n", 3000);
    expect(statusLine(e)).toBe("HTTP/1.1 200 OK");
    expect(e.closedAfter).toBeGreaterThanOrEqual(350);
    expect(e.closedAfter).toBeLessThan(1200);
  });

  test("a Connect Health/Watch stream over HTTP/1.1 outlives the idle and request timeouts", async () => {
    const health = createClient(Health, createConnectTransport({ baseUrl: ts.httpUrl, httpVersion: "1.1" }));
    await expectWatchSurvives(health, 1500);
  });
});

/** Watches for `ms`: the first status arrives, nothing ends the stream, and our cancel is what ends it. */
async function expectWatchSurvives(health: ReturnType<typeof createClient<typeof Health>>, ms: number): Promise<void> {
  const abort = new AbortController();
  const seen: Status[] = [];
  let ended: string | undefined;
  const reading = (async () => {
    try {
      for await (const res of health.watch({ service: "" }, { signal: abort.signal })) seen.push(res.status);
      ended = "ended";
    } catch (e) {
      const err = ConnectError.from(e);
      ended = err.code === Code.Canceled && abort.signal.aborted ? undefined : `${Code[err.code]}: ${err.rawMessage}`;
    }
  })();
  await new Promise((r) => setTimeout(r, ms));
  const before = ended;
  abort.abort();
  await reading;
  expect(before).toBeUndefined();
  expect(seen).toEqual([Status.SERVING]);
}

/** A bare HTTP/2 client on a raw socket: preface and SETTINGS, then it reads frames and answers nothing. */
function silentH2(port: number, waitMs: number): Promise<{ frameTypes: number[]; closedAfter: number | undefined }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const sock = net.connect(port, "127.0.0.1");
    const frameTypes: number[] = [];
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = (closedAfter: number | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ frameTypes, closedAfter });
    };
    sock.on("connect", () => {
      const settings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
      const settingsAck = Buffer.from([0, 0, 0, 4, 1, 0, 0, 0, 0]);
      sock.write(Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), settings, settingsAck]));
    });
    sock.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 9) {
        const len = buf.readUIntBE(0, 3);
        if (buf.length < 9 + len) break;
        frameTypes.push(buf[3]);
        buf = buf.subarray(9 + len);
      }
    });
    sock.on("error", () => {});
    sock.on("close", () => finish(Date.now() - started));
    const timer = setTimeout(() => finish(undefined), waitMs);
  });
}

const PING = 6;

describe("HTTP/2", () => {
  test("a partial preface is closed after the headers timeout", async () => {
    const e = await exchange(port, "PRI * HTTP/2.0\r\n", 3000);
    expect(e.closedAfter).toBeGreaterThanOrEqual(250);
    expect(e.closedAfter).toBeLessThan(1000);
  });

  test("a session with no stream gets GOAWAY after the idle timeout", async () => {
    const session = http2.connect(ts.grpcUrl);
    session.on("error", () => {});
    const started = Date.now();
    const goaway = await new Promise<number>((resolve) => {
      session.once("goaway", () => resolve(Date.now() - started));
      setTimeout(() => resolve(-1), 3000);
    });
    session.destroy();
    expect(goaway).toBeGreaterThanOrEqual(350);
    expect(goaway).toBeLessThan(1500);
  });

  test("a stream whose request body never ends is reset after the request timeout", async () => {
    const session = http2.connect(ts.grpcUrl);
    session.on("error", () => {});
    const started = Date.now();
    const stream = session.request({ ":method": "POST", ":path": "/api/v1/projects", "content-type": "application/json" });
    stream.on("error", () => {});
    stream.write("{");
    const closedAfter = await new Promise<number>((resolve) => {
      stream.once("close", () => resolve(Date.now() - started));
      setTimeout(() => resolve(-1), 3000);
    });
    session.destroy();
    expect(closedAfter).toBeGreaterThanOrEqual(700);
    expect(closedAfter).toBeLessThan(1600);
  });

  test("a gRPC Health/Watch stream outlives the idle, request and PING timeouts", async () => {
    await expectWatchSurvives(createClient(Health, createGrpcTransport({ baseUrl: ts.grpcUrl })), 1500);
  });
});

describe("HTTP/2 PING keepalive", () => {
  // Idle timeout off, so only the PING can end these sessions.
  let quiet: TestServer;
  beforeAll(async () => {
    quiet = await startTestServer({ "server.timeouts.idle": "0s", "server.timeouts.ping": "150ms", "server.timeouts.pingAck": "150ms" });
  });
  afterAll(async () => {
    await quiet.close();
  });

  test("a peer that never answers PING is dropped", async () => {
    const r = await silentH2(quiet.server.ports[1], 3000);
    expect(r.frameTypes).toContain(PING);
    expect(r.closedAfter).toBeGreaterThanOrEqual(250);
    expect(r.closedAfter).toBeLessThan(1200);
  });

  test("a peer that answers PING keeps its session", async () => {
    const session = http2.connect(quiet.grpcUrl);
    session.on("error", () => {});
    let closed = false;
    let goaway = false;
    session.on("close", () => (closed = true));
    session.on("goaway", () => (goaway = true));
    await new Promise((r) => setTimeout(r, 1000));
    const answered = await new Promise<number | undefined>((resolve) => {
      const req = session.request({ ":path": "/healthcheck" });
      req.on("response", (h) => resolve(Number(h[":status"])));
      req.on("error", () => resolve(undefined));
      req.resume();
      req.end();
    });
    session.destroy();
    expect({ closed, goaway, answered }).toEqual({ closed: false, goaway: false, answered: 200 });
  });
});

describe("server.maxConnections", () => {
  let capped: TestServer;
  beforeAll(async () => {
    capped = await startTestServer({ "server.maxConnections": "3" });
  });
  afterAll(async () => {
    await capped.close();
  });

  test("connections beyond the limit are closed at once; the ones within it are served", async () => {
    const held = await Promise.all(
      [0, 1, 2].map(
        () =>
          new Promise<net.Socket>((resolve) => {
            const s = net.connect(capped.server.ports[0], "127.0.0.1", () => resolve(s));
            s.on("error", () => {});
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 100));
    const excess = await exchange(capped.server.ports[0], "GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n", 2000);
    expect(excess.data.length).toBe(0);
    expect(excess.closedAfter).toBeLessThan(500);
    expect(held.map((s) => s.destroyed)).toEqual([false, false, false]);
    held[0].destroy();
    await new Promise((r) => setTimeout(r, 100));
    const served = await exchange(capped.server.ports[0], "GET /healthcheck HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 2000);
    expect(statusLine(served)).toBe("HTTP/1.1 200 OK");
    for (const s of held) s.destroy();
  });

  test("refusals are counted and logged once per interval", async () => {
    const lines: string[] = [];
    const listeners = await listen({
      host: "127.0.0.1",
      ports: [0],
      handler: (_req, res) => res.end("ok"),
      log: createLogger("info", (l) => lines.push(l)),
      maxConnections: 1,
    });
    const keep = net.connect(listeners.ports[0], "127.0.0.1");
    keep.on("error", () => {});
    await new Promise((r) => keep.once("connect", r));
    await new Promise((r) => setTimeout(r, 50));
    const refused = await Promise.all([0, 1, 2].map(() => exchange(listeners.ports[0], "", 1000)));
    keep.destroy();
    await listeners.close(100);
    expect(refused.map((e) => e.closedAfter !== undefined && e.closedAfter < 500)).toEqual([true, true, true]);
    const logged = lines.map((l) => JSON.parse(l) as { msg: string; refused?: number; limit?: number });
    // The first refusal is logged; the next two fall inside the same interval.
    expect(logged.filter((l) => l.msg === "connections refused: too many open")).toEqual([expect.objectContaining({ refused: 1, limit: 1 })]);
  });
});
