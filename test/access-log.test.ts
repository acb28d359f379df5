// The access log: one "call" line per RPC on every protocol, saying which protocol and which client
// (remote address and port); REST lines also carry the HTTP method, path and the status answered.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import http from "node:http";
import { createClient } from "@connectrpc/connect";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { createLogger } from "../src/kernel/log";
import { startTestServer, type TestServer } from "./helpers/server";

interface Line {
  msg: string;
  method?: string;
  code?: string;
  request_id?: string;
  protocol?: string;
  peer?: string;
  http_method?: string;
  path?: string;
  status?: number;
  duration_ms?: number;
  error?: string;
}

const lines: Line[] = [];
let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({}, { logger: createLogger("info", (l) => lines.push(JSON.parse(l) as Line)) });
});
afterAll(async () => {
  await ts.close();
});

/** The access lines of one request, found by the request id it sent. */
const callLines = (id: string) => lines.filter((l) => l.msg === "call" && l.request_id === id);
const peer = /^127\.0\.0\.1:\d+$/;

/** A REST request over node:http, so the test knows the client port the server should log. */
function rest(method: string, path: string, id: string, body?: string): Promise<{ status: number; localPort: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${ts.httpUrl}${path}`, {
      method,
      agent: false,
      headers: { "x-request-id": id, accept: "application/json", ...(body !== undefined && { "content-type": "application/json" }) },
    });
    let localPort = 0;
    req.on("socket", (s) => s.on("connect", () => (localPort = s.localPort ?? 0)));
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, localPort }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("REST calls", () => {
  test("a success: method and path, HTTP status, client address, one line", async () => {
    const { status, localPort } = await rest("GET", "/api/v1/version?unused=1", "rest-ok");
    expect(status).toBe(200);
    const got = callLines("rest-ok");
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      method: "/flyteidl.service.AdminService/GetVersion",
      code: "OK",
      protocol: "rest",
      http_method: "GET",
      path: "/api/v1/version",
      status: 200,
      peer: `127.0.0.1:${localPort}`,
    });
    expect(got[0].duration_ms).toBeGreaterThanOrEqual(0);
  });

  test("an error from the service: its code, message and the status answered", async () => {
    const { status } = await rest("GET", "/api/v1/projects/no-such-project", "rest-404");
    expect(status).toBe(404);
    const got = callLines("rest-404");
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      method: "/flyteidl.service.AdminService/GetProject",
      code: "NotFound",
      status: 404,
      http_method: "GET",
      path: "/api/v1/projects/no-such-project",
    });
    expect(got[0].error).toContain("no-such-project");
    expect(got[0].peer).toMatch(peer);
  });

  test("a request refused before the call (malformed body) is logged too", async () => {
    const { status } = await rest("POST", "/api/v1/projects", "rest-400", "{not json");
    expect(status).toBe(400);
    const got = callLines("rest-400");
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      method: "/flyteidl.service.AdminService/RegisterProject",
      code: "InvalidArgument",
      status: 400,
      http_method: "POST",
      path: "/api/v1/projects",
      protocol: "rest",
    });
  });
});

describe("gRPC, Connect and gRPC-web calls", () => {
  const protocols: Array<[string, string]> = [
    ["grpc (h2c, gRPC port)", "grpc"],
    ["grpc (h2c, HTTP port)", "grpc"],
    ["connect json (HTTP/1.1)", "connect"],
    ["connect binary (h2c)", "connect"],
    ["grpc-web (HTTP/1.1)", "grpc-web"],
  ];
  for (const [kind, protocol] of protocols) {
    test(`${kind}: protocol and client address, one line`, async () => {
      const id = `call-${kind.replaceAll(/[^a-z0-9]/g, "")}`;
      await createClient(AdminService, ts.transports[kind]).getVersion({}, { headers: { "x-request-id": id } });
      const got = callLines(id);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ method: "/flyteidl.service.AdminService/GetVersion", code: "OK", protocol });
      expect(got[0].peer).toMatch(peer);
      expect(got[0].status).toBeUndefined();
    });
  }
});
