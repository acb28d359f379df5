// CORS on every protocol: browsers call Connect and gRPC-web as well as REST, so preflights and
// responses on all of them carry the headers (server.security.allowCors, allowedOrigins, allowedHeaders).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { startTestServer, type TestServer } from "./helpers/server";

const origin = "http://console.example";
const connectPath = "/flyteidl.service.AdminService/GetVersion";

let open: TestServer;
let listed: TestServer;
let off: TestServer;
beforeAll(async () => {
  [open, listed, off] = await Promise.all([
    startTestServer(),
    startTestServer({ "server.security.allowedOrigins": JSON.stringify([origin, "http://other.example"]) }),
    startTestServer({ "server.security.allowCors": "false" }),
  ]);
});
afterAll(async () => {
  await Promise.all([open?.close(), listed?.close(), off?.close()]);
});

const list = (value: string | null) =>
  (value ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);

function preflight(base: string, path: string, from = origin): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: "OPTIONS",
    headers: {
      origin: from,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type,connect-protocol-version,connect-timeout-ms",
    },
  });
}

/** An empty gRPC-web request: one uncompressed envelope of zero bytes. */
function grpcWeb(base: string, path: string, from = origin): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: { origin: from, "content-type": "application/grpc-web+proto", "x-grpc-web": "1", "x-user-agent": "grpc-web-javascript/0.1" },
    body: new Uint8Array(5),
  });
}

function connectPost(base: string, from = origin): Promise<Response> {
  return fetch(`${base}${connectPath}`, {
    method: "POST",
    headers: { origin: from, "content-type": "application/json", "connect-protocol-version": "1" },
    body: "{}",
  });
}

function expectActualCors(res: Response, kind: string): void {
  expect(res.headers.get("access-control-allow-origin"), kind).toBe(origin);
  expect(res.headers.get("access-control-allow-credentials"), kind).toBe("true");
  expect(list(res.headers.get("access-control-expose-headers")), kind).toEqual(
    expect.arrayContaining(["grpc-status", "grpc-message", "grpc-status-details-bin", "x-request-id"]),
  );
  expect(list(res.headers.get("vary")), kind).toContain("origin");
}

describe("allowCors with any origin", () => {
  for (const [kind, path] of [
    ["Connect", connectPath],
    ["REST", "/api/v1/projects"],
  ] as const) {
    test(`preflight on a ${kind} path is answered with the protocols' headers`, async () => {
      const res = await preflight(open.httpUrl, path);
      expect(res.status).toBe(204);
      expect(res.headers.get("access-control-allow-origin")).toBe(origin);
      expect(res.headers.get("access-control-allow-credentials")).toBe("true");
      expect(list(res.headers.get("access-control-allow-methods"))).toEqual(expect.arrayContaining(["get", "post", "put", "delete"]));
      expect(list(res.headers.get("access-control-allow-headers"))).toEqual(
        expect.arrayContaining([
          "content-type",
          "connect-protocol-version",
          "connect-timeout-ms",
          "x-grpc-web",
          "x-user-agent",
          "grpc-timeout",
          "flyte-authorization", // from server.security.allowedHeaders
        ]),
      );
      expect(Number(res.headers.get("access-control-max-age"))).toBeGreaterThan(0);
      expect(list(res.headers.get("vary"))).toContain("origin");
    });
  }

  test("a Connect POST carries allow-origin and the exposed headers", async () => {
    const res = await connectPost(open.httpUrl);
    expect(res.status).toBe(200);
    expectActualCors(res, "connect");
  });

  test("a gRPC-web POST carries them, on success and on an error", async () => {
    const ok = await grpcWeb(open.httpUrl, connectPath);
    expect(ok.status).toBe(200);
    expectActualCors(ok, "grpc-web GetVersion");
    // GetProject of an empty id fails: the status must be readable by the page.
    const failed = await grpcWeb(open.httpUrl, "/flyteidl.service.AdminService/GetProject");
    expectActualCors(failed, "grpc-web GetProject");
    await failed.arrayBuffer();
  });

  test("REST responses and native gRPC responses carry them too", async () => {
    const rest = await fetch(`${open.httpUrl}/api/v1/version`, { headers: { origin } });
    expect(rest.status).toBe(200);
    expectActualCors(rest, "rest");
    let header: Headers | undefined;
    await createClient(AdminService, createGrpcTransport({ baseUrl: open.grpcUrl })).getVersion({}, { headers: { origin }, onHeader: (h) => (header = h) });
    expect(header?.get("access-control-allow-origin")).toBe(origin);
  });
});

describe("allowedOrigins as a list", () => {
  test("a listed origin is reflected; another gets no allow-origin", async () => {
    expectActualCors(await connectPost(listed.httpUrl), "listed");
    const stranger = await connectPost(listed.httpUrl, "http://evil.example");
    expect(stranger.status).toBe(200);
    expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
    expect(list(stranger.headers.get("vary"))).toContain("origin");
    const pre = await preflight(listed.httpUrl, connectPath, "http://evil.example");
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    expect(pre.headers.get("access-control-allow-headers")).toBeNull();
  });
});

describe("allowCors=false", () => {
  test("no CORS headers on preflights or responses", async () => {
    for (const res of [
      await preflight(off.httpUrl, connectPath),
      await preflight(off.httpUrl, "/api/v1/projects"),
      await connectPost(off.httpUrl),
      await grpcWeb(off.httpUrl, connectPath),
    ]) {
      await res.arrayBuffer();
      expect([...res.headers.keys()].filter((k) => k.startsWith("access-control-"))).toEqual([]);
    }
  });
});
