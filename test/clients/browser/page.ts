// The browser side of browser.client.ts, bundled with Bun.build at test time: connect-web's Connect
// (JSON and binary) and gRPC-web transports with our generated AdminService, as a web console would
// use them. The test calls `flyteCalls(serverUrl)` in the page and reads what it returns.
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { AdminService } from "../../../src/gen/flyteidl/service/admin_pb";

export interface CallResult {
  transport: string;
  call: string;
  /** What the call answered, reduced to what the test compares; or the error as code and message. */
  value?: unknown;
  error?: { code: string; message: string };
}

async function attempt(transport: string, call: string, fn: () => Promise<unknown>): Promise<CallResult> {
  try {
    return { transport, call, value: await fn() };
  } catch (e) {
    const err = ConnectError.from(e);
    return { transport, call, error: { code: Code[err.code], message: err.rawMessage } };
  }
}

async function calls(kind: string, transport: Transport): Promise<CallResult[]> {
  const admin = createClient(AdminService, transport);
  const id = `browser-${kind.replaceAll(/[^a-z]/g, "")}`;
  const out: CallResult[] = [];
  out.push(await attempt(kind, "GetVersion", async () => (await admin.getVersion({})).controlPlaneVersion?.Version));
  out.push(await attempt(kind, "RegisterProject", async () => (await admin.registerProject({ project: { id, name: `Browser ${kind}` } }), id)));
  out.push(await attempt(kind, "ListProjects", async () => (await admin.listProjects({ limit: 100 })).projects.map((p) => p.id).includes(id)));
  // Response headers are readable only when the server exposes them.
  out.push(
    await attempt(kind, "x-request-id", async () => {
      let header: Headers | undefined;
      await admin.getVersion({}, { onHeader: (h) => (header = h) });
      return header?.get("x-request-id") ?? null;
    }),
  );
  // An error: for gRPC-web its status arrives in grpc-status/grpc-message headers (trailers-only).
  out.push(await attempt(kind, "GetProject(missing)", async () => (await admin.getProject({ id: "no-such-project" })).id));
  return out;
}

async function flyteCalls(baseUrl: string): Promise<CallResult[]> {
  return [
    ...(await calls("connect json", createConnectTransport({ baseUrl }))),
    ...(await calls("connect binary", createConnectTransport({ baseUrl, useBinaryFormat: true }))),
    ...(await calls("grpc-web", createGrpcWebTransport({ baseUrl }))),
  ];
}

(globalThis as unknown as { flyteCalls: typeof flyteCalls }).flyteCalls = flyteCalls;
