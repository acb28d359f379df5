// The hello-plugin example (examples/hello-plugin) as a team would run it: its server on ephemeral
// ports, its HelloService called through real clients on every protocol, its middleware seen on both
// its own service and ours.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { Health, HealthCheckResponse_ServingStatus } from "../src/gen/grpc/health/v1/health_pb";
import { silentLogger } from "../src/kernel/log";
import { HelloService } from "../examples/hello-plugin/hello-service";
import { startHelloServer, type HelloServer } from "../examples/hello-plugin/server";

let hello: HelloServer;
let dir: string;
let transports: Record<string, Transport>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "flyteadmin-example-"));
  hello = await startHelloServer(
    {
      server: { host: "127.0.0.1", httpPort: 0, grpc: { port: 0 }, gracefulShutdownTimeoutSeconds: 2 },
      database: { url: `file:${join(dir, "admin.db")}` },
      storage: { local: { path: join(dir, "blobs") } },
    },
    silentLogger,
  );
  const [httpPort, grpcPort] = hello.server.ports;
  transports = {
    "grpc (h2c, gRPC port)": createGrpcTransport({ baseUrl: `http://127.0.0.1:${grpcPort}` }),
    "connect json (HTTP/1.1)": createConnectTransport({ baseUrl: `http://127.0.0.1:${httpPort}`, httpVersion: "1.1" }),
    "grpc-web (HTTP/1.1)": createGrpcWebTransport({ baseUrl: `http://127.0.0.1:${httpPort}`, httpVersion: "1.1" }),
  };
});
afterAll(async () => {
  await hello.server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("hello-plugin example", () => {
  test("HelloService answers on every protocol, marked by the middleware", async () => {
    for (const [name, transport] of Object.entries(transports)) {
      const seen = new Headers();
      const res = await createClient(HelloService, transport).greet(
        { name },
        {
          onHeader: (h) =>
            h.forEach((v, k) => {
              seen.set(k, v);
            }),
        },
      );
      expect(res.greeting).toBe(`hello ${name}`);
      expect(seen.get("x-example")).toBe("1");
    }
    expect(hello.calls.get("/example.hello.v1.HelloService/Greet")).toBe(3);
  });

  test("the middleware runs inside ours: Flyte's own RPCs are marked and keep their request ids", async () => {
    const seen = new Headers();
    const version = await createClient(AdminService, transports["grpc (h2c, gRPC port)"]).getVersion(
      {},
      {
        onHeader: (h) =>
          h.forEach((v, k) => {
            seen.set(k, v);
          }),
      },
    );
    expect(version.controlPlaneVersion).toBeDefined();
    expect(seen.get("x-example")).toBe("1");
    expect(seen.get("x-request-id")).toMatch(/^a-/);
    expect(hello.calls.get("/flyteidl.service.AdminService/GetVersion")).toBe(1);
  });

  test("health knows the added service as served", async () => {
    const health = createClient(Health, transports["grpc (h2c, gRPC port)"]);
    expect((await health.check({ service: HelloService.typeName })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
  });
});
