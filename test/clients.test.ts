// Stock clients other than Connect's: @grpc/grpc-js (the gRPC implementation Node services use) and
// `buf curl` (a Go gRPC, gRPC-web and Connect client with reflection), on both ports.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { startTestServer, type TestServer } from "./helpers/server";

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
  await ts.admin().registerProject({ project: { id: "clients", name: "Clients" } });
});
afterAll(async () => {
  await ts.close();
});

/** A grpc-js client for AdminService whose messages are encoded with the generated schemas. */
function grpcJsAdmin(address: string) {
  const serde = <D extends DescMessage>(schema: D) => ({
    serialize: (m: MessageInitShape<D>) => Buffer.from(toBinary(schema, create(schema, m))),
    deserialize: (b: Buffer) => fromBinary(schema, b),
  });
  const definition: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const m of AdminService.methods) {
    const req = serde(m.input);
    const res = serde(m.output);
    definition[m.localName] = {
      path: `/${AdminService.typeName}/${m.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: req.serialize as (m: unknown) => Buffer,
      requestDeserialize: req.deserialize,
      responseSerialize: res.serialize as (m: unknown) => Buffer,
      responseDeserialize: res.deserialize,
    };
  }
  const Client = grpc.makeGenericClientConstructor(definition, "AdminService");
  const client = new Client(address, grpc.credentials.createInsecure());
  const call = (name: string, input: unknown) =>
    new Promise<{ value?: unknown; error?: grpc.ServiceError; header?: grpc.Metadata }>((resolve) => {
      let header: grpc.Metadata | undefined;
      const c = (client as unknown as Record<string, (...a: unknown[]) => grpc.ClientUnaryCall>)[name](
        input,
        (error: grpc.ServiceError | null, value: unknown) => resolve({ value, error: error ?? undefined, header }),
      );
      c.on("metadata", (md: grpc.Metadata) => (header = md));
    });
  return { call, close: () => client.close() };
}

describe("@grpc/grpc-js", () => {
  for (const port of ["HTTP", "gRPC"] as const) {
    test(`unary calls, status codes and metadata on the ${port} port`, async () => {
      const url = new URL(port === "HTTP" ? ts.httpUrl : ts.grpcUrl);
      const admin = grpcJsAdmin(url.host);
      try {
        const v = await admin.call("getVersion", {});
        expect(v.error).toBeUndefined();
        expect((v.value as { controlPlaneVersion: { Version: string } }).controlPlaneVersion.Version).toBeTruthy();
        expect(v.header?.get("x-request-id")[0]).toMatch(/^a-/);
        const p = await admin.call("getProject", { id: "clients" });
        expect((p.value as { name: string }).name).toBe("Clients");
        const missing = await admin.call("getProject", { id: "absent" });
        expect(missing.error?.code).toBe(grpc.status.NOT_FOUND);
        expect(missing.error?.details).toBe("project [absent] not found");
        const invalid = await admin.call("createExecution", {});
        expect(invalid.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
        expect(invalid.error?.details).toBe("missing project");
      } finally {
        admin.close();
      }
    });
  }
});

const buf = join(import.meta.dir, "../node_modules/.bin/buf");

/** Asynchronous: the server runs in this process, so a blocking spawn would starve it. */
async function bufCurl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const p = Bun.spawn([buf, "curl", ...args], { stdout: "pipe", stderr: "pipe", timeout: 20_000 });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out, err };
}

describe.skipIf(!existsSync(buf))("buf curl with --reflect", () => {
  const protocols: Array<[string, string[]]> = [
    ["grpc", ["--protocol", "grpc", "--http2-prior-knowledge"]],
    ["grpcweb", ["--protocol", "grpcweb"]],
    ["connect", ["--protocol", "connect"]],
  ];
  for (const [name, flags] of protocols) {
    test(`${name} on both ports: GetVersion and ListProjects`, async () => {
      for (const base of [ts.httpUrl, ts.grpcUrl]) {
        const v = await bufCurl([...flags, "--reflect", `${base}/flyteidl.service.AdminService/GetVersion`]);
        expect(v.err).toBe("");
        expect(JSON.parse(v.out).controlPlaneVersion.Version).toBeTruthy();
        const l = await bufCurl([...flags, "--reflect", "-d", '{"limit": 5}', `${base}/flyteidl.service.AdminService/ListProjects`]);
        expect(JSON.parse(l.out).projects.map((p: { id: string }) => p.id)).toContain("clients");
      }
    });
  }

  test("errors reach buf curl with their code", async () => {
    const r = await bufCurl([
      "--protocol",
      "grpc",
      "--http2-prior-knowledge",
      "--reflect",
      "-d",
      '{"id":"absent"}',
      `${ts.grpcUrl}/flyteidl.service.AdminService/GetProject`,
    ]);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("not_found");
    expect(r.err).toContain("project [absent] not found");
  });
});
