// Starts the real server in-process on ephemeral ports with a fresh database (a file, or PostgreSQL: see
// test-database.ts), and gives tests real clients for every protocol. FLYTEADMIN_TEST_LOG=1 prints the
// server's error log lines (an Internal answer's cause).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { loadConfig } from "../../src/config/load";
import { startServer, type RunningServer } from "../../src/server";
import { createLogger, silentLogger, type Logger } from "../../src/kernel/log";
import { AdminService } from "../../src/gen/flyteidl/service/admin_pb";
import type { PluginRegistry } from "../../src/plugins/registry";
import { testDatabaseUrl } from "./test-database";

export interface TestServer {
  server: RunningServer;
  /** Base URL of the HTTP port and of the gRPC port. */
  httpUrl: string;
  grpcUrl: string;
  dir: string;
  transports: Record<string, Transport>;
  admin(kind?: string): Client<typeof AdminService>;
  close(): Promise<void>;
}

export async function startTestServer(flags: Record<string, string> = {}, opts: { logger?: Logger; plugins?: PluginRegistry } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "flyteadmin-test-"));
  const config = loadConfig({
    flags: {
      "server.httpPort": "0",
      "server.grpc.port": "0",
      "server.host": "127.0.0.1",
      "database.url": await testDatabaseUrl(dir),
      "storage.local.path": join(dir, "blobs"),
      "server.gracefulShutdownTimeoutSeconds": "2",
      ...flags,
    },
  });
  const server = await startServer(config, opts.logger ?? (process.env.FLYTEADMIN_TEST_LOG ? createLogger("error") : silentLogger), opts.plugins);
  const [httpPort, grpcPort] = server.ports;
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const grpcUrl = `http://127.0.0.1:${grpcPort}`;
  const transports: Record<string, Transport> = {
    "grpc (h2c, gRPC port)": createGrpcTransport({ baseUrl: grpcUrl }),
    "grpc (h2c, HTTP port)": createGrpcTransport({ baseUrl: httpUrl }),
    "connect json (HTTP/1.1)": createConnectTransport({ baseUrl: httpUrl, httpVersion: "1.1" }),
    "connect binary (h2c)": createConnectTransport({ baseUrl: grpcUrl, httpVersion: "2", useBinaryFormat: true }),
    "grpc-web (HTTP/1.1)": createGrpcWebTransport({ baseUrl: grpcUrl, httpVersion: "1.1" }),
  };
  return {
    server,
    httpUrl,
    grpcUrl,
    dir,
    transports,
    admin: (kind = "grpc (h2c, gRPC port)") => createClient(AdminService, transports[kind]),
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
