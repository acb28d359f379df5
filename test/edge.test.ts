// The edge: every protocol on every port, limits, health, metrics, request ids, TLS, shutdown.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import http2 from "node:http2";
import { Code, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { IdentityService } from "../src/gen/flyteidl/service/identity_pb";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { codeOf } from "./helpers/calls";
import { startTestServer, type TestServer } from "./helpers/server";

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ "server.grpc.maxMessageSizeBytes": "4096" });
});
afterAll(async () => {
  await ts.close();
});

describe("every protocol on every port", () => {
  test("GetVersion answers on each transport", async () => {
    for (const [kind, transport] of Object.entries(ts.transports)) {
      const v = await createClient(AdminService, transport).getVersion({});
      expect(v.controlPlaneVersion?.Version, kind).toBeTruthy();
    }
  });

  test("RPCs not built yet answer Unimplemented everywhere, REST 501", async () => {
    for (const [kind, transport] of Object.entries(ts.transports)) {
      expect(await codeOf(createClient(IdentityService, transport).userInfo({})), kind).toBe("Unimplemented");
    }
    const res = await fetch(`${ts.httpUrl}/me`, { headers: { accept: "application/json" } });
    expect(res.status).toBe(501);
    expect(((await res.json()) as { code: number }).code).toBe(Code.Unimplemented);
  });

  test("oversized messages are ResourceExhausted on every protocol, 429 on REST", async () => {
    const big = { project: { id: "big", name: "big", description: "x".repeat(8192) } };
    for (const [kind, transport] of Object.entries(ts.transports)) {
      expect(await codeOf(createClient(AdminService, transport).registerProject(big)), kind).toBe("ResourceExhausted");
    }
    const res = await fetch(`${ts.httpUrl}/api/v1/projects`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(big),
    });
    expect(res.status).toBe(429);
  });

  test("unknown JSON fields are InvalidArgument on Connect and REST", async () => {
    const connect = await fetch(`${ts.httpUrl}/flyteidl.service.AdminService/RegisterProject`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ project: { id: "u", name: "u" }, bogus: 1 }),
    });
    expect(connect.status).toBe(400);
    expect(((await connect.json()) as { code: string }).code).toBe("invalid_argument");
    const rest = await fetch(`${ts.httpUrl}/api/v1/projects`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ project: { id: "u", name: "u" }, bogus: 1 }),
    });
    expect(rest.status).toBe(400);
    expect(((await rest.json()) as { message: string }).message).toContain("bogus");
  });

  test("malformed binary bodies are InvalidArgument, not a crash", async () => {
    const res = await fetch(`${ts.httpUrl}/api/v1/projects`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: new Uint8Array([0xff, 0xff, 0xff, 0xff]),
    });
    expect(res.status).toBe(400);
    // and the server still serves
    expect((await ts.admin().getVersion({})).controlPlaneVersion).toBeDefined();
  });

  test("HTTP/1.1 and h2c reach REST on the same port", async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const session = http2.connect(ts.httpUrl);
      session.on("error", reject);
      const req = session.request({ ":path": "/api/v1/version", accept: "application/json" });
      let data = "";
      req.on("data", (c: Buffer) => (data += c.toString()));
      req.on("end", () => {
        session.close();
        resolve(data);
      });
      req.end();
    });
    expect(JSON.parse(body).control_plane_version).toBeDefined();
  });
});

describe("plain HTTP routes and interceptors", () => {
  test("/healthcheck is 200 while the database answers", async () => {
    const res = await fetch(`${ts.httpUrl}/healthcheck`);
    expect(res.status).toBe(200);
  });

  test("x-request-id is echoed, or made up when absent", async () => {
    const given = await fetch(`${ts.httpUrl}/api/v1/version`, { headers: { "x-request-id": "req-123" } });
    expect(given.headers.get("x-request-id")).toBe("req-123");
    const made = await fetch(`${ts.httpUrl}/api/v1/version`);
    expect(made.headers.get("x-request-id")).toMatch(/^a-[a-z0-9]{20}$/);
  });

  test("/metrics counts calls by method and code", async () => {
    await ts.admin().getVersion({});
    const text = await (await fetch(`${ts.httpUrl}/metrics`)).text();
    expect(text).toMatch(/flyteadmin_rpc_calls_total\{method="\/flyteidl.service.AdminService\/GetVersion",code="OK"\} \d+/);
    expect(text).toContain('code="Unimplemented"');
    expect(text).toContain("flyteadmin_rpc_duration_seconds_bucket");
  });

  test("CORS preflight", async () => {
    const res = await fetch(`${ts.httpUrl}/api/v1/projects`, {
      method: "OPTIONS",
      headers: { origin: "http://console.example", "access-control-request-method": "POST" },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get("access-control-allow-origin")).toBe("http://console.example");
  });
});

describe("TLS and shutdown", () => {
  test("TLS: one port, gRPC over h2 and REST over HTTP/1.1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flyteadmin-tls-"));
    const cert = join(dir, "cert.pem");
    const key = join(dir, "key.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        key,
        "-out",
        cert,
      ],
      { stdio: "ignore" },
    );
    const tls = await startTestServer({
      "server.security.secure": "true",
      "server.security.ssl.certificateFile": cert,
      "server.security.ssl.keyFile": key,
    });
    try {
      const base = `https://127.0.0.1:${tls.server.ports[0]}`;
      const transport = createGrpcTransport({ baseUrl: base, nodeOptions: { ca: await Bun.file(cert).text() } });
      const v = await createClient(AdminService, transport).getVersion({});
      expect(v.controlPlaneVersion?.Version).toBeTruthy();
      const res = await fetch(`${base}/api/v1/version`, { tls: { ca: await Bun.file(cert).text() } } as RequestInit);
      expect(res.status).toBe(200);
    } finally {
      await tls.close();
    }
  });

  test("close() stops accepting and releases the port", async () => {
    const s = await startTestServer();
    const url = s.httpUrl;
    expect((await fetch(`${url}/healthcheck`)).status).toBe(200);
    await s.close();
    expect(
      await fetch(`${url}/healthcheck`).then(
        () => "answered",
        () => "refused",
      ),
    ).toBe("refused");
  });
});

describe("/api/v1/openapi", () => {
  test("a Swagger 2.0 document of every REST route", async () => {
    const res = await fetch(`${ts.httpUrl}/api/v1/openapi`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      swagger: string;
      paths: Record<string, Record<string, { operationId: string; parameters: Array<{ name: string; in: string }> }>>;
      definitions: Record<string, unknown>;
    };
    expect(doc.swagger).toBe("2.0");
    const get = doc.paths["/api/v1/projects/{id}"].get;
    expect(get.operationId).toBe("AdminService_GetProject");
    expect(get.parameters[0]).toEqual({ name: "id", in: "path", required: true, type: "string" } as never);
    expect(doc.paths["/api/v1/projects"].post.parameters[0].in).toBe("body");
    expect(doc.definitions["flyteidl.admin.Project"]).toBeDefined();
  });

  // What schemathesis found: the document must say what the server answers.
  test("every operation documents its error body; unset messages may be null; path parameters are typed", async () => {
    type Op = {
      responses: Record<string, { schema?: { $ref?: string } }>;
      parameters: Array<{ name: string; in: string; required?: boolean; type?: string; enum?: string[]; format?: string; items?: unknown }>;
    };
    const doc = (await (await fetch(`${ts.httpUrl}/api/v1/openapi`)).json()) as {
      paths: Record<string, Record<string, Op>>;
      definitions: Record<string, { properties: Record<string, Record<string, unknown>> }>;
    };
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) expect(op.responses.default?.schema?.$ref).toBe("#/definitions/google.rpc.Status");
    }
    expect(Object.keys(doc.definitions["google.rpc.Status"].properties).sort()).toEqual(["code", "details", "message"]);
    // GET /api/v1/projects answers "labels": null for a project without labels.
    await ts.admin().registerProject({ project: { id: "no-labels", name: "no labels" } });
    const res = await fetch(`${ts.httpUrl}/api/v1/projects`, { headers: { accept: "application/json" } });
    expect(((await res.json()) as { projects: Array<{ labels: unknown }> }).projects.some((p) => p.labels === null)).toBe(true);
    expect(doc.definitions["flyteidl.admin.Project"].properties.labels).toEqual({ $ref: "#/definitions/flyteidl.admin.Labels", "x-nullable": true });
    // Wrappers are written bare (`"generates_deck": true`), not as {"value": true}: schemathesis read a registered task.
    expect(doc.definitions["flyteidl.core.TaskMetadata"].properties.generates_deck).toEqual({ type: "boolean", "x-nullable": true });
    expect(doc.definitions["google.protobuf.BoolValue"]).toBeUndefined();

    const params = (path: string, verb = "get") => Object.fromEntries(doc.paths[path][verb].parameters.filter((p) => p.in === "path").map((p) => [p.name, p]));
    const named = params("/api/v1/named_entities/{resource_type}/{project}/{domain}");
    expect(named.resource_type).toEqual({
      name: "resource_type",
      in: "path",
      required: true,
      type: "string",
      enum: ["UNSPECIFIED", "TASK", "WORKFLOW", "LAUNCH_PLAN", "DATASET"],
    });
    const taskExec = Object.keys(doc.paths).find((p) => p.startsWith("/api/v1/task_executions/") && p.endsWith("{id.retry_attempt}")) as string;
    expect(params(taskExec)["id.retry_attempt"]).toMatchObject({ type: "integer", format: "int64" });

    // Query parameters as the gateway binds them: the fields neither the path nor the body sets.
    const query = (path: string, verb = "get") => doc.paths[path][verb].parameters.filter((p) => p.in === "query").map((p) => p.name);
    expect(query("/api/v1/tasks/{id.project}/{id.domain}")).toEqual(["id.name", "id.org", "limit", "token", "filters", "sort_by.key", "sort_by.direction"]);
    expect(query("/api/v1/projects/{id}")).toEqual(["org"]);
    expect(doc.paths["/api/v1/tasks/{id.project}/{id.domain}"].get.parameters.find((p) => p.name === "sort_by.direction")).toMatchObject({
      type: "string",
      enum: ["DESCENDING", "ASCENDING"],
    });
    // A `*` body takes the whole request: no query parameters.
    expect(query("/api/v1/projects", "post")).toEqual([]);
  });
});
