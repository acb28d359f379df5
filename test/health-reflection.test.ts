// Health and server reflection over real native gRPC (h2c) on an ephemeral port, plus `buf curl --reflect` as an
// independent reflection client when the buf binary is installed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient, createHandlerContext, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { AuthMetadataService } from "../src/gen/flyteidl/service/auth_pb";
import { DataProxyService } from "../src/gen/flyteidl/service/dataproxy_pb";
import { IdentityService } from "../src/gen/flyteidl/service/identity_pb";
import { SignalService } from "../src/gen/flyteidl/service/signal_pb";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../src/gen/grpc/health/v1/health_pb";
import * as v1 from "../src/gen/grpc/reflection/v1/reflection_pb";
import * as v1alpha from "../src/gen/grpc/reflection/v1alpha/reflection_pb";
import { healthService } from "../src/services/health";
import { reflectionServices, ServerReflectionV1, ServerReflectionV1Alpha } from "../src/services/reflection";
import { startTestServer } from "./helpers/server";

interface Served {
  url: string;
  port: number;
  close(): Promise<void>;
}

async function serve(routes: (router: ConnectRouter) => void): Promise<Served> {
  const server = http2.createServer(connectNodeAdapter({ routes }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// gRPC over connect-node is always HTTP/2 (h2c here); the transport has no httpVersion option.
const transportFor = (url: string) => createGrpcTransport({ baseUrl: url });

// A probe the tests flip, counting calls so we can see the watch loop stop after cancel.
const probeState = { healthy: true, calls: 0 };
const probe = async () => {
  probeState.calls++;
  return probeState.healthy;
};

let server: Served;

beforeAll(async () => {
  const reflection = reflectionServices([AdminService]);
  server = await serve((router) => {
    router.service(AdminService, {});
    router.service(Health, healthService(probe, { services: [AdminService.typeName], watchIntervalMs: 20 }));
    router.service(ServerReflectionV1, reflection.v1);
    router.service(ServerReflectionV1Alpha, reflection.v1alpha);
  });
});

afterAll(async () => {
  await server.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("grpc.health.v1.Health", () => {
  const health = () => createClient(Health, transportFor(server.url));

  test("Check: overall, flyteadmin and served services are SERVING while the probe is true", async () => {
    probeState.healthy = true;
    for (const service of ["", "flyteadmin", "flyteidl.service.AdminService"]) {
      expect((await health().check({ service })).status).toBe(Status.SERVING);
    }
  });

  test("Check: NOT_SERVING when the probe is false", async () => {
    probeState.healthy = false;
    try {
      expect((await health().check({ service: "" })).status).toBe(Status.NOT_SERVING);
      expect((await health().check({ service: "flyteadmin" })).status).toBe(Status.NOT_SERVING);
    } finally {
      probeState.healthy = true;
    }
  });

  test("Check: a probe that throws counts as NOT_SERVING", async () => {
    const r = reflectionServices([]);
    const s = await serve((router) => {
      router.service(
        Health,
        healthService(() => Promise.reject(new Error("db down"))),
      );
      router.service(ServerReflectionV1, r.v1);
    });
    try {
      const res = await createClient(Health, transportFor(s.url)).check({ service: "" });
      expect(res.status).toBe(Status.NOT_SERVING);
    } finally {
      await s.close();
    }
  });

  test("Check: unknown service is NotFound", async () => {
    const err = await health()
      .check({ service: "no.such.Service" })
      .then(
        () => undefined,
        (e: unknown) => ConnectError.from(e),
      );
    expect(err?.code).toBe(Code.NotFound);
    expect(err?.rawMessage).toBe("unknown service no.such.Service");
  });

  test("Watch: current status first, then changes, and cancel ends the server loop", async () => {
    probeState.healthy = true;
    const abort = new AbortController();
    const seen: Status[] = [];
    const stream = health().watch({ service: "flyteadmin" }, { signal: abort.signal });
    const reading = (async () => {
      try {
        for await (const res of stream) {
          seen.push(res.status);
          if (seen.length === 1) probeState.healthy = false;
          if (seen.length === 2) abort.abort();
        }
      } catch (e) {
        if (ConnectError.from(e).code !== Code.Canceled) throw e;
      }
    })();
    await reading;
    probeState.healthy = true;
    expect(seen).toEqual([Status.SERVING, Status.NOT_SERVING]);
    // After cancel the server stops re-probing (it would probe every 20ms otherwise).
    await sleep(60);
    const after = probeState.calls;
    await sleep(150);
    expect(probeState.calls).toBe(after);
  });

  test("Watch: only changes are sent, not every probe", async () => {
    probeState.healthy = true;
    const abort = new AbortController();
    const seen: Status[] = [];
    const reading = (async () => {
      try {
        for await (const res of health().watch({ service: "" }, { signal: abort.signal })) seen.push(res.status);
      } catch (e) {
        if (ConnectError.from(e).code !== Code.Canceled) throw e;
      }
    })();
    await sleep(150); // several probe intervals with no change
    abort.abort();
    await reading;
    expect(seen).toEqual([Status.SERVING]);
  });

  test("Watch: unknown service gets SERVICE_UNKNOWN and the stream stays open", async () => {
    const abort = new AbortController();
    const seen: Status[] = [];
    let ended = false;
    const reading = (async () => {
      try {
        for await (const res of health().watch({ service: "no.such.Service" }, { signal: abort.signal })) {
          seen.push(res.status);
        }
        ended = true;
      } catch (e) {
        if (ConnectError.from(e).code !== Code.Canceled) throw e;
      }
    })();
    await sleep(100);
    expect(seen).toEqual([Status.SERVICE_UNKNOWN]);
    expect(ended).toBe(false);
    abort.abort();
    await reading;
  });
});

describe("grpc.health.v1.Health: the shutdown signal", () => {
  test("once it aborts, Check says NOT_SERVING and Watch sends NOT_SERVING then ends with Unavailable", async () => {
    const shutdown = new AbortController();
    const s = await serve((router) => {
      router.service(
        Health,
        healthService(async () => true, { watchIntervalMs: 5000, shutdown: () => shutdown.signal }),
      );
    });
    try {
      const client = createClient(Health, transportFor(s.url));
      const seen: Status[] = [];
      const reading = (async () => {
        try {
          for await (const res of client.watch({ service: "" })) {
            seen.push(res.status);
            if (seen.length === 1) shutdown.abort();
          }
          return "ended";
        } catch (e) {
          const err = ConnectError.from(e);
          return `${Code[err.code]}: ${err.rawMessage}`;
        }
      })();
      // The watch wakes on the abort, not at its next 5 s probe.
      const started = Date.now();
      expect(await reading).toBe("Unavailable: server is shutting down");
      expect(Date.now() - started).toBeLessThan(1000);
      expect(seen).toEqual([Status.SERVING, Status.NOT_SERVING]);
      expect((await client.check({ service: "" })).status).toBe(Status.NOT_SERVING);
    } finally {
      await s.close();
    }
  });
});

describe("grpc.health.v1.Health on the real server: what is served is known, what is not is NOT_FOUND", () => {
  const served = [
    "",
    "flyteadmin",
    "flyteidl.service.AdminService",
    "flyteidl.service.SignalService",
    "flyteidl.service.DataProxyService",
    "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
  ];
  // Registered, but every RPC answers Unimplemented until auth is built.
  const unimplemented = [AuthMetadataService.typeName, IdentityService.typeName];

  const checkCode = (client: ReturnType<typeof createClient<typeof Health>>, service: string) =>
    client.check({ service }).then(
      (r) => Status[r.status],
      (e: unknown) => Code[ConnectError.from(e).code],
    );

  test("Check, List and Watch agree with what the server answers", async () => {
    const ts = await startTestServer();
    try {
      const client = createClient(Health, createGrpcTransport({ baseUrl: ts.grpcUrl }));
      for (const service of served) expect(await checkCode(client, service), service).toBe("SERVING");
      for (const service of unimplemented) expect(await checkCode(client, service), service).toBe("NotFound");
      const list = await client.list({});
      expect(Object.keys(list.statuses).sort()).toEqual([...served].sort());
      const abort = new AbortController();
      for await (const res of client.watch({ service: AuthMetadataService.typeName }, { signal: abort.signal })) {
        expect(res.status).toBe(Status.SERVICE_UNKNOWN);
        break;
      }
      abort.abort();
      // And the auth services really are not served: their RPCs are Unimplemented.
      const identity = await createClient(IdentityService, createGrpcTransport({ baseUrl: ts.grpcUrl }))
        .userInfo({})
        .then(
          () => "OK",
          (e: unknown) => Code[ConnectError.from(e).code],
        );
      expect(identity).toBe("Unimplemented");
    } finally {
      await ts.close();
    }
  });

  test("with server.grpc.serverReflection off, reflection is unknown too", async () => {
    const ts = await startTestServer({ "server.grpc.serverReflection": "false" });
    try {
      const client = createClient(Health, createGrpcTransport({ baseUrl: ts.grpcUrl }));
      expect(await checkCode(client, "grpc.reflection.v1.ServerReflection")).toBe("NotFound");
      expect(await checkCode(client, "grpc.reflection.v1alpha.ServerReflection")).toBe("NotFound");
      expect(await checkCode(client, "grpc.health.v1.Health")).toBe("SERVING");
      const list = await client.list({});
      expect(Object.keys(list.statuses).some((s) => s.startsWith("grpc.reflection"))).toBe(false);
    } finally {
      await ts.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Reflection

type V1Request = Parameters<typeof create<typeof v1.ServerReflectionRequestSchema>>[1];

/** Sends the requests on one bidi stream and collects one response per request. */
async function reflectV1(requests: V1Request[]): Promise<v1.ServerReflectionResponse[]> {
  const client = createClient(v1.ServerReflection, transportFor(server.url));
  async function* send() {
    for (const r of requests) yield create(v1.ServerReflectionRequestSchema, r);
  }
  const out: v1.ServerReflectionResponse[] = [];
  for await (const res of client.serverReflectionInfo(send())) out.push(res);
  return out;
}

type V1AlphaRequest = Parameters<typeof create<typeof v1alpha.ServerReflectionRequestSchema>>[1];

async function reflectV1Alpha(requests: V1AlphaRequest[]): Promise<v1alpha.ServerReflectionResponse[]> {
  const client = createClient(v1alpha.ServerReflection, transportFor(server.url));
  async function* send() {
    for (const r of requests) yield create(v1alpha.ServerReflectionRequestSchema, r);
  }
  const out: v1alpha.ServerReflectionResponse[] = [];
  for await (const res of client.serverReflectionInfo(send())) out.push(res);
  return out;
}

type AnyResponse = v1.ServerReflectionResponse | v1alpha.ServerReflectionResponse;

function files(res: AnyResponse): FileDescriptorProto[] {
  if (res.messageResponse.case !== "fileDescriptorResponse") {
    throw new Error(`expected files, got ${res.messageResponse.case}: ${JSON.stringify(res.messageResponse.value)}`);
  }
  return res.messageResponse.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b));
}

/** Every import of every returned file is itself returned: clients can build a pool from one answer. */
function expectSelfContained(fds: FileDescriptorProto[]): void {
  const names = new Set(fds.map((f) => f.name));
  for (const f of fds) for (const dep of f.dependency) expect(names.has(dep)).toBe(true);
}

const expectedServices = [
  "flyteidl.service.AdminService",
  "grpc.health.v1.Health",
  "grpc.reflection.v1.ServerReflection",
  "grpc.reflection.v1alpha.ServerReflection",
];

describe("grpc.reflection.v1.ServerReflection", () => {
  test("list_services: served services, health and both reflection versions", async () => {
    const [res] = await reflectV1([{ host: "h", messageRequest: { case: "listServices", value: "*" } }]);
    expect(res.messageResponse.case).toBe("listServicesResponse");
    const names = res.messageResponse.case === "listServicesResponse" ? res.messageResponse.value.service.map((s) => s.name) : [];
    expect(names.sort()).toEqual(expectedServices);
    expect(res.validHost).toBe("h");
    expect(res.originalRequest?.messageRequest.case).toBe("listServices");
  });

  test("file_containing_symbol: AdminService answers admin.proto first plus its transitive imports", async () => {
    const [res] = await reflectV1([{ messageRequest: { case: "fileContainingSymbol", value: "flyteidl.service.AdminService" } }]);
    const fds = files(res);
    const names = fds.map((f) => f.name);
    expect(names[0]).toBe("flyteidl/service/admin.proto");
    expect(names).toContain("google/protobuf/timestamp.proto");
    expect(names).toContain("flyteidl/admin/project.proto");
    expect(names).toContain("google/api/annotations.proto");
    expect(new Set(names).size).toBe(names.length);
    expectSelfContained(fds);
    expect(fds[0].service.map((s) => s.name)).toEqual(["AdminService"]);
  });

  test("file_containing_symbol: methods, messages, nested messages, enums, fields", async () => {
    const symbols: Array<[string, string]> = [
      ["flyteidl.service.AdminService.GetVersion", "flyteidl/service/admin.proto"],
      ["flyteidl.admin.Project", "flyteidl/admin/project.proto"],
      ["flyteidl.admin.Project.ProjectState", "flyteidl/admin/project.proto"],
      ["flyteidl.admin.Project.name", "flyteidl/admin/project.proto"],
      ["google.protobuf.Timestamp", "google/protobuf/timestamp.proto"],
      ["google.protobuf.DescriptorProto.ExtensionRange", "google/protobuf/descriptor.proto"],
      [".grpc.health.v1.HealthCheckRequest", "grpc/health/v1/health.proto"],
    ];
    const responses = await reflectV1(symbols.map(([value]) => ({ messageRequest: { case: "fileContainingSymbol" as const, value } })));
    expect(responses.map((r) => files(r)[0].name)).toEqual(symbols.map(([, file]) => file));
  });

  test("file_by_filename: the file and its imports; well-known types resolve", async () => {
    const [a, b] = await reflectV1([
      { messageRequest: { case: "fileByFilename", value: "flyteidl/admin/project.proto" } },
      { messageRequest: { case: "fileByFilename", value: "google/protobuf/descriptor.proto" } },
    ]);
    const fa = files(a);
    expect(fa[0].name).toBe("flyteidl/admin/project.proto");
    expectSelfContained(fa);
    expect(files(b).map((f) => f.name)).toEqual(["google/protobuf/descriptor.proto"]);
  });

  test("unknowns answer error_response NOT_FOUND and the stream carries on", async () => {
    const responses = await reflectV1([
      { messageRequest: { case: "fileContainingSymbol", value: "no.such.Symbol" } },
      { messageRequest: { case: "fileByFilename", value: "no/such.proto" } },
      { messageRequest: { case: "allExtensionNumbersOfType", value: "no.such.Message" } },
      {
        messageRequest: {
          case: "fileContainingExtension",
          value: create(v1.ExtensionRequestSchema, { containingType: "google.protobuf.MethodOptions", extensionNumber: 1 }),
        },
      },
      { messageRequest: { case: "listServices", value: "" } },
    ]);
    for (const res of responses.slice(0, 4)) {
      expect(res.messageResponse.case).toBe("errorResponse");
      if (res.messageResponse.case === "errorResponse") expect(res.messageResponse.value.errorCode).toBe(Code.NotFound);
    }
    expect(responses[4].messageResponse.case).toBe("listServicesResponse");
  });

  test("extensions: google.api.http on MethodOptions", async () => {
    const [nums, file] = await reflectV1([
      { messageRequest: { case: "allExtensionNumbersOfType", value: "google.protobuf.MethodOptions" } },
      {
        messageRequest: {
          case: "fileContainingExtension",
          value: create(v1.ExtensionRequestSchema, { containingType: "google.protobuf.MethodOptions", extensionNumber: 72295728 }),
        },
      },
    ]);
    expect(nums.messageResponse.case).toBe("allExtensionNumbersResponse");
    if (nums.messageResponse.case === "allExtensionNumbersResponse") {
      expect(nums.messageResponse.value.baseTypeName).toBe("google.protobuf.MethodOptions");
      expect(nums.messageResponse.value.extensionNumber).toContain(72295728);
    }
    expect(files(file)[0].name).toBe("google/api/annotations.proto");
  });

  test("a known message without extensions answers an empty list; an empty request is INVALID_ARGUMENT", async () => {
    const [nums, empty] = await reflectV1([{ messageRequest: { case: "allExtensionNumbersOfType", value: "flyteidl.admin.Project" } }, {}]);
    expect(nums.messageResponse.case).toBe("allExtensionNumbersResponse");
    if (nums.messageResponse.case === "allExtensionNumbersResponse") expect(nums.messageResponse.value.extensionNumber).toEqual([]);
    expect(empty.messageResponse.case).toBe("errorResponse");
    if (empty.messageResponse.case === "errorResponse") expect(empty.messageResponse.value.errorCode).toBe(Code.InvalidArgument);
  });

  test("every Flyte service's file resolves with all of its imports", async () => {
    const services = [AdminService, SignalService, DataProxyService, AuthMetadataService, IdentityService];
    const { v1: impl } = reflectionServices(services);
    async function* requests() {
      for (const s of services) {
        yield create(v1.ServerReflectionRequestSchema, { messageRequest: { case: "fileContainingSymbol", value: s.typeName } });
      }
    }
    const ctx = createHandlerContext({
      service: v1.ServerReflection,
      method: v1.ServerReflection.method.serverReflectionInfo,
      protocolName: "test",
      requestMethod: "POST",
      url: "http://localhost/",
    });
    const answers: string[] = [];
    for await (const init of impl.serverReflectionInfo(requests(), ctx)) {
      // Handlers may yield message inits; normalise to the message type.
      const fds = files(create(v1.ServerReflectionResponseSchema, init));
      expectSelfContained(fds);
      answers.push(fds[0].name);
    }
    expect(answers).toEqual(services.map((s) => s.file.proto.name));
  });
});

describe("grpc.reflection.v1alpha.ServerReflection", () => {
  test("list_services, file_containing_symbol and NOT_FOUND behave like v1", async () => {
    const [list, sym, missing] = await reflectV1Alpha([
      { messageRequest: { case: "listServices", value: "" } },
      { messageRequest: { case: "fileContainingSymbol", value: "flyteidl.service.AdminService" } },
      { messageRequest: { case: "fileContainingSymbol", value: "no.such.Symbol" } },
    ]);
    const names = list.messageResponse.case === "listServicesResponse" ? list.messageResponse.value.service.map((s) => s.name) : [];
    expect(names.sort()).toEqual(expectedServices);
    const fds = files(sym);
    expect(fds[0].name).toBe("flyteidl/service/admin.proto");
    expect(fds.map((f) => f.name)).toContain("google/protobuf/timestamp.proto");
    expectSelfContained(fds);
    expect(missing.messageResponse.case).toBe("errorResponse");
    if (missing.messageResponse.case === "errorResponse") expect(missing.messageResponse.value.errorCode).toBe(Code.NotFound);
    expect(missing.originalRequest?.messageRequest.value).toBe("no.such.Symbol");
  });
});

// ---------------------------------------------------------------------------------------------------------------
// buf curl: an independent, real gRPC reflection client.

const buf = "node_modules/.bin/buf";

async function bufCurl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const proc = Bun.spawn([buf, "curl", "--http2-prior-knowledge", "--protocol", "grpc", "--reflect", ...args], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

describe.skipIf(!existsSync(buf))("buf curl --reflect", () => {
  test("--list-methods lists AdminService methods", async () => {
    const { code, out, err } = await bufCurl(["--list-methods", server.url]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out.split("\n")).toContain("flyteidl.service.AdminService/GetVersion");
    expect(out.split("\n")).toContain("grpc.health.v1.Health/Check");
  });

  test("Health/Check returns SERVING", async () => {
    probeState.healthy = true;
    const { code, out, err } = await bufCurl(["-d", "{}", `${server.url}/grpc.health.v1.Health/Check`]);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ status: "SERVING" });
  });

  test("an unimplemented AdminService method is reachable via reflection and answers Unimplemented", async () => {
    const { code, err } = await bufCurl(["-d", "{}", `${server.url}/flyteidl.service.AdminService/GetVersion`]);
    expect(code).not.toBe(0);
    expect(err.toLowerCase()).toContain("unimplemented");
  });
});
