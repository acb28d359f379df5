// Native gRPC unary calls take the lean path (src/edge/grpc-unary.ts). On the wire they must look as
// Connect's handler made them: headers, one envelope, status trailers with details; protocol faults get
// Connect's codes; what the lean path does not take (compressed requests, streaming) still works.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import http2 from "node:http2";
import { fromBinary, toBinary, create } from "@bufbuild/protobuf";
import { Code, createClient } from "@connectrpc/connect";
import { compressionGzip, createGrpcTransport } from "@connectrpc/connect-node";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { GetVersionResponseSchema } from "../src/gen/flyteidl/admin/version_pb";
import { ProjectRegisterRequestSchema } from "../src/gen/flyteidl/admin/project_pb";
import { Health, HealthCheckResponse_ServingStatus } from "../src/gen/grpc/health/v1/health_pb";
import { StatusSchema } from "../src/gen/google/rpc/status_pb";
import { startTestServer, type TestServer } from "./helpers/server";
import { registerTwoNodeWorkflow } from "./fixtures/pyflyte";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { WorkflowExecution_Phase } from "../src/gen/flyteidl/core/execution_pb";
import { EventFailureReasonSchema, WorkflowExecutionEventRequestSchema } from "../src/gen/flyteidl/admin/event_pb";
import { timestampNow } from "@bufbuild/protobuf/wkt";

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ "server.grpc.maxMessageSizeBytes": "4096" });
});
afterAll(async () => {
  await ts.close();
});

interface Answer {
  headers: http2.IncomingHttpHeaders;
  trailers: http2.IncomingHttpHeaders;
  body: Buffer;
}

function envelope(bytes: Uint8Array, flags = 0): Buffer {
  const out = Buffer.alloc(5 + bytes.length);
  out[0] = flags;
  out.writeUInt32BE(bytes.length, 1);
  out.set(bytes, 5);
  return out;
}

function call(path: string, body: Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(ts.grpcUrl);
    session.on("error", reject);
    const req = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...headers });
    const chunks: Buffer[] = [];
    const answer: Partial<Answer> = { trailers: {} };
    req.on("response", (h) => (answer.headers = h));
    req.on("trailers", (t) => (answer.trailers = t));
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("error", reject);
    req.on("close", () => {
      session.close();
      resolve({ ...(answer as Answer), body: Buffer.concat(chunks) });
    });
    req.end(body);
  });
}

const status = (a: Answer) => Number(a.trailers["grpc-status"] ?? a.headers["grpc-status"]);
const getVersion = "/flyteidl.service.AdminService/GetVersion";

describe("native gRPC unary calls", () => {
  test("an answer is headers with a request id, one envelope, then grpc-status 0", async () => {
    const a = await call(getVersion, envelope(new Uint8Array()), { "x-request-id": "req-1" });
    expect(Number(a.headers[":status"])).toBe(200);
    expect(a.headers["content-type"]).toBe("application/grpc");
    expect(a.headers["x-request-id"]).toBe("req-1");
    expect(a.trailers["grpc-status"]).toBe("0");
    expect(a.body.readUInt32BE(1)).toBe(a.body.length - 5);
    expect(fromBinary(GetVersionResponseSchema, a.body.subarray(5)).controlPlaneVersion?.Version).toBeTruthy();
  });

  test("an error carries its code, percent-encoded message, request id and details in the trailers", async () => {
    const bad = toBinary(ProjectRegisterRequestSchema, create(ProjectRegisterRequestSchema, { project: { id: "Not Valid!", name: "x" } }));
    const a = await call("/flyteidl.service.AdminService/RegisterProject", envelope(bad), { "x-request-id": "req-2" });
    expect(status(a)).toBe(Code.InvalidArgument);
    expect(decodeURIComponent(String(a.trailers["grpc-message"]))).toContain("Not Valid!");
    expect(a.trailers["x-request-id"]).toBe("req-2");
    expect(a.body.length).toBe(0);
  });

  test("details travel as grpc-status-details-bin", async () => {
    const admin = ts.admin();
    await registerTwoNodeWorkflow(admin);
    const lp = { resourceType: ResourceType.LAUNCH_PLAN, project: "flytesnacks", domain: "development", name: "workflows.example.wf", version: "v1" };
    const name = {
      value: { case: "scalar" as const, value: { value: { case: "primitive" as const, value: { value: { case: "stringValue" as const, value: "x" } } } } },
    };
    const { id } = await admin.createExecution({
      project: "flytesnacks",
      domain: "development",
      name: "detailed",
      spec: { launchPlan: lp },
      inputs: { literals: { name } },
    });
    const event = (phase: WorkflowExecution_Phase) =>
      toBinary(
        WorkflowExecutionEventRequestSchema,
        create(WorkflowExecutionEventRequestSchema, { event: { executionId: id, phase, occurredAt: timestampNow(), producerId: "propeller" } }),
      );
    expect(status(await call("/flyteidl.service.AdminService/CreateWorkflowEvent", envelope(event(WorkflowExecution_Phase.FAILED))))).toBe(0);
    const a = await call("/flyteidl.service.AdminService/CreateWorkflowEvent", envelope(event(WorkflowExecution_Phase.RUNNING)));
    expect(status(a)).toBe(Code.FailedPrecondition);
    const s = fromBinary(StatusSchema, Buffer.from(String(a.trailers["grpc-status-details-bin"]), "base64"));
    expect(s.code).toBe(Code.FailedPrecondition);
    expect(s.details[0]?.typeUrl).toBe("type.googleapis.com/flyteidl.admin.EventFailureReason");
    const reason = fromBinary(EventFailureReasonSchema, s.details[0].value);
    expect(reason.reason).toEqual({ case: "alreadyInTerminalState", value: expect.objectContaining({ currentPhase: "FAILED" }) });
  });

  test("protocol faults get Connect's codes", async () => {
    expect(status(await call(getVersion, Buffer.alloc(0)))).toBe(Code.Unimplemented); // no message
    expect(status(await call(getVersion, Buffer.concat([envelope(new Uint8Array()), envelope(new Uint8Array())])))).toBe(Code.Unimplemented); // two
    expect(status(await call(getVersion, Buffer.from([0, 0, 0])))).toBe(Code.InvalidArgument); // torn prefix
    expect(status(await call(getVersion, envelope(new Uint8Array([1, 2, 3])).subarray(0, 6)))).toBe(Code.InvalidArgument); // torn body
    // Undecodable bodies stay Internal, as grpc-go answers, with a message that names what failed.
    const garbage = await call(getVersion, envelope(new Uint8Array([0xff, 0xff])));
    expect(status(garbage)).toBe(Code.Internal);
    expect(decodeURIComponent(String(garbage.trailers["grpc-message"]))).toStartWith("cannot decode flyteidl.admin.GetVersionRequest: ");
    const wrongWire = await call("/flyteidl.service.AdminService/GetProject", envelope(new Uint8Array([0x0d, 1, 2, 3, 4]))); // id as fixed32
    expect(decodeURIComponent(String(wrongWire.trailers["grpc-message"]))).toStartWith("cannot decode flyteidl.admin.ProjectGetRequest: ");
    const compressed = await call(getVersion, envelope(new Uint8Array(), 1));
    expect([status(compressed), decodeURIComponent(String(compressed.trailers["grpc-message"]))]).toEqual([
      Code.Internal,
      "protocol error: compressed flag set without grpc-encoding",
    ]);
    const flags = await call(getVersion, envelope(new Uint8Array(), 0x80)); // neither 0 nor 1: refused, not read as uncompressed
    expect([status(flags), decodeURIComponent(String(flags.trailers["grpc-message"]))]).toEqual([
      Code.Internal,
      "protocol error: unexpected envelope flags 128",
    ]);
    expect(status(await call(getVersion, envelope(new Uint8Array()), { "grpc-timeout": "soon" }))).toBe(Code.InvalidArgument);
    const big = await call(getVersion, envelope(new Uint8Array(5000)));
    expect(status(big)).toBe(Code.ResourceExhausted);
    expect(decodeURIComponent(String(big.trailers["grpc-message"]))).toBe("message size 5000 is larger than configured readMaxBytes 4096");
  });

  test("a method or service the server does not know is Unimplemented, worded as grpc-go words it", async () => {
    const method = await call("/flyteidl.service.AdminService/NoSuchMethod", envelope(new Uint8Array()));
    expect(status(method)).toBe(Code.Unimplemented);
    expect(decodeURIComponent(String(method.trailers["grpc-message"]))).toBe("unknown method NoSuchMethod for service flyteidl.service.AdminService");
    const service = await call("/no.Such/Thing", envelope(new Uint8Array()));
    expect(status(service)).toBe(Code.Unimplemented);
    expect(decodeURIComponent(String(service.trailers["grpc-message"]))).toBe("unknown service no.Such");
  });

  test("what the lean path leaves to Connect still answers: gzip requests, server streams", async () => {
    const gzip = createClient(AdminService, createGrpcTransport({ baseUrl: ts.grpcUrl, sendCompression: compressionGzip, compressMinBytes: 1 }));
    await gzip.registerProject({ project: { id: "gzipped", name: "gzipped" } });
    expect((await gzip.listProjects({ limit: 100 })).projects.map((p) => p.id)).toContain("gzipped");
    const health = createClient(Health, createGrpcTransport({ baseUrl: ts.grpcUrl }));
    const controller = new AbortController();
    for await (const r of health.watch({ service: "" }, { signal: controller.signal })) {
      expect(r.status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      controller.abort();
      break;
    }
  });
});
