// Shutdown with a long stream open: a real gRPC client (grpc-js) watching grpc.health.v1.Health sees
// UNAVAILABLE at once, close() does not sit out the grace period, and the access log says Unavailable.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  HealthCheckRequestSchema,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as Status,
  type HealthCheckRequest,
  type HealthCheckResponse,
} from "../src/gen/grpc/health/v1/health_pb";
import { startTestServer } from "./helpers/server";
import { createLogger } from "../src/kernel/log";
import { waitForServing, serveCommand } from "./helpers/serving";

interface WatchEnd {
  statuses: Status[];
  code: grpc.status;
  details: string;
}

/** Opens Health/Watch with grpc-js; resolves `first` at the first message and `ended` with the final status. */
function watch(address: string): { first: Promise<void>; ended: Promise<WatchEnd>; client: grpc.Client } {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const call = client.makeServerStreamRequest<HealthCheckRequest, HealthCheckResponse>(
    "/grpc.health.v1.Health/Watch",
    (req) => Buffer.from(toBinary(HealthCheckRequestSchema, req)),
    (buf) => fromBinary(HealthCheckResponseSchema, buf),
    create(HealthCheckRequestSchema, { service: "" }),
  );
  const statuses: Status[] = [];
  let seen: () => void = () => {};
  const first = new Promise<void>((r) => (seen = r));
  call.on("data", (res: HealthCheckResponse) => {
    statuses.push(res.status);
    seen();
  });
  const ended = new Promise<WatchEnd>((resolve) => {
    call.on("error", () => {}); // the status event carries the outcome
    call.on("status", (s: grpc.StatusObject) => resolve({ statuses, code: s.code, details: s.details }));
  });
  return { first, ended, client };
}

/** The rest of a stream as text (not `new Response(...)`: an in-process server swaps the global for its own). */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  return text;
}

const accessLogCode = (lines: string[], method: string) =>
  lines.map((l) => JSON.parse(l) as { msg: string; method?: string; code?: string }).find((l) => l.msg === "call" && l.method === method)?.code;

describe("shutdown with a Health/Watch stream open", () => {
  test("close() ends the stream with UNAVAILABLE well within the grace period", async () => {
    const lines: string[] = [];
    const ts = await startTestServer({ "server.gracefulShutdownTimeoutSeconds": "10" }, { logger: createLogger("info", (l) => lines.push(l)) });
    const server = ts.server;
    const w = watch(`127.0.0.1:${server.ports[1]}`);
    try {
      await w.first;
      const started = performance.now();
      await server.close();
      const took = performance.now() - started;
      const end = await w.ended;
      expect(end.code).toBe(grpc.status.UNAVAILABLE);
      expect(end.details).toBe("server is shutting down");
      // Watchers are told NOT_SERVING before the stream ends.
      expect(end.statuses).toEqual([Status.SERVING, Status.NOT_SERVING]);
      expect(took).toBeLessThan(1000);
      expect(accessLogCode(lines, "/grpc.health.v1.Health/Watch")).toBe("Unavailable");
    } finally {
      w.client.close();
      rmSync(ts.dir, { recursive: true, force: true });
    }
  });

  test("SIGTERM to `serve`: the process exits promptly and the watcher gets UNAVAILABLE", async () => {
    const dir = mkdtempSync(join(tmpdir(), "flyteadmin-sigterm-"));
    const proc = Bun.spawn(serveCommand(dir), { stdout: "pipe", stderr: "pipe" });
    try {
      const { ports, log } = await waitForServing(proc);
      const w = watch(`127.0.0.1:${ports[1]}`);
      await w.first;
      const started = performance.now();
      proc.kill("SIGTERM");
      const [exit, rest] = await Promise.all([proc.exited, readAll(proc.stdout)]);
      const took = performance.now() - started;
      const end = await w.ended;
      w.client.close();
      expect(exit).toBe(0);
      expect(end.code).toBe(grpc.status.UNAVAILABLE);
      expect(took).toBeLessThan(2000);
      const lines = (log + rest).split("\n").filter((l) => l.startsWith("{"));
      expect(accessLogCode(lines, "/grpc.health.v1.Health/Watch")).toBe("Unavailable");
    } finally {
      proc.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
