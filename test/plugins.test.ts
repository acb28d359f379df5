// The plugin registry on its own (one implementation per ID, defaults), then a server started through
// the library entry with a plugin for each part that has an effect today: the executor, the data proxy,
// middleware and an additional service reached over REST through its google.api.http option.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, createFileRegistry, setExtension, type DescFile, type Message } from "@bufbuild/protobuf";
import { messageDesc, serviceDesc, type GenMessage, type GenService } from "@bufbuild/protobuf/codegenv2";
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema, MethodOptionsSchema } from "@bufbuild/protobuf/wkt";
import { Code, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { file_google_api_annotations, http } from "../src/gen/google/api/annotations_pb";
import { HttpRuleSchema } from "../src/gen/google/api/http_pb";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { DataProxyService } from "../src/gen/flyteidl/service/dataproxy_pb";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import {
  additionalService,
  ConfigError,
  createLogger,
  createServer,
  PluginId,
  PluginRegistry,
  type ConfigInput,
  type Launcher,
  type LaunchRequest,
  type RunningServer,
} from "../src/index";
import { registerTwoNodeWorkflow } from "./fixtures/pyflyte";
import { failure } from "./helpers/calls";

describe("PluginRegistry", () => {
  test("defaults when nothing is registered; one registration per ID, as upstream", () => {
    const plugins = new PluginRegistry();
    expect(plugins.get(PluginId.UnaryServiceMiddleware)).toEqual([]);
    expect(plugins.get(PluginId.CustomerHeaderMatcher)("x-custom")).toBeUndefined();
    expect(plugins.isRegistered(PluginId.UnaryServiceMiddleware)).toBe(false);
    const mine: Interceptor = (next) => next;
    plugins.register(PluginId.UnaryServiceMiddleware, [mine]);
    expect(plugins.get(PluginId.UnaryServiceMiddleware)).toEqual([mine]);
    expect(() => plugins.register(PluginId.UnaryServiceMiddleware, [])).toThrow(
      "an existing implementation has already been registered for [UnaryServiceMiddleware]",
    );
    plugins.registerDefault(PluginId.CustomerHeaderMatcher, (key) => (key === "x-tenant" ? "tenant" : undefined));
    expect(plugins.get(PluginId.CustomerHeaderMatcher)("x-tenant")).toBe("tenant");
  });

  test("the IDs are upstream's", () => {
    expect(Object.values(PluginId).sort()).toEqual([
      "AdditionalGRPCService",
      "CustomerHeaderMatcher",
      "DataProxy",
      "LogoutHook",
      "PreRedirectHook",
      "UnaryServiceMiddleware",
      "WorkflowExecutor",
    ]);
  });
});

// A service whose one method carries a google.api.http option, so the gateway derives a REST route.
const echoFileName = "example/echo/v1/echo.proto";
function echoFile(): DescFile {
  const options = create(MethodOptionsSchema);
  setExtension(options, http, create(HttpRuleSchema, { pattern: { case: "post", value: "/api/v1/echo" }, body: "*" }));
  const text = { name: "text", jsonName: "text", number: 1, type: FieldDescriptorProto_Type.STRING, label: FieldDescriptorProto_Label.OPTIONAL };
  const proto = create(FileDescriptorProtoSchema, {
    name: echoFileName,
    package: "example.echo.v1",
    syntax: "proto3",
    dependency: ["google/api/annotations.proto"],
    messageType: [{ name: "Echo", field: [text] }],
    service: [{ name: "EchoService", method: [{ name: "Echo", inputType: ".example.echo.v1.Echo", outputType: ".example.echo.v1.Echo", options }] }],
  });
  const file = createFileRegistry(proto, (name) => (name === "google/api/annotations.proto" ? file_google_api_annotations : undefined)).getFile(echoFileName);
  if (!file) throw new Error("echo.proto did not build");
  return file;
}
type Echo = Message<"example.echo.v1.Echo"> & { text: string };
const echo = echoFile();
const EchoSchema: GenMessage<Echo> = messageDesc(echo, 0);
const EchoService: GenService<{ echo: { methodKind: "unary"; input: typeof EchoSchema; output: typeof EchoSchema } }> = serviceDesc(echo, 0);

let server: RunningServer;
let dir: string;
let baseUrl: string;
const lines: string[] = [];
const launched: LaunchRequest[] = [];
let uploads = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "flyteadmin-plugins-"));
  const recording: Launcher = {
    clusterFor: () => "recorded",
    launch: async (r) => {
      launched.push(r);
      return { cluster: "recorded" };
    },
    abort: async () => {},
  };
  const refuseListProjects: Interceptor = (next) => async (req) => {
    if (req.method.name === "ListProjects") throw new Error("plugin failed reading /etc/secret");
    const res = await next(req);
    res.header.set("x-plugin", "seen");
    const tenant = req.header.get("tenant");
    if (tenant) res.header.set("x-tenant-seen", tenant);
    return res;
  };
  const plugins = new PluginRegistry();
  plugins.register(PluginId.WorkflowExecutor, () => recording);
  plugins.register(PluginId.DataProxy, (builtIn) => ({
    ...builtIn,
    createUploadLocation: async (req, ctx) => {
      uploads++;
      if (!builtIn.createUploadLocation) throw new Error("the built-in data proxy serves uploads");
      return builtIn.createUploadLocation(req, ctx);
    },
  }));
  plugins.register(PluginId.UnaryServiceMiddleware, [refuseListProjects]);
  plugins.register(PluginId.CustomerHeaderMatcher, (key) => (key === "x-tenant" ? "tenant" : undefined));
  plugins.register(PluginId.AdditionalGRPCService, [additionalService(EchoService, { echo: (req) => ({ text: req.text }) })]);
  server = await createServer({
    config: {
      server: { host: "127.0.0.1", httpPort: 0, grpc: { port: 0 }, gracefulShutdownTimeoutSeconds: 2 },
      database: { url: `file:${join(dir, "admin.db")}` },
      storage: { local: { path: join(dir, "blobs") } },
    },
    plugins,
    log: createLogger("debug", (line) => lines.push(line)),
  });
  baseUrl = `http://127.0.0.1:${server.ports[1]}`;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a server with plugins", () => {
  test("WorkflowExecutor: executions go to the plugin; the built-in executor is never built", async () => {
    const admin = createClient(AdminService, createGrpcTransport({ baseUrl }));
    await registerTwoNodeWorkflow(admin, { defaults: { name: "x" } });
    const { id } = await admin.createExecution({
      project: "flytesnacks",
      domain: "development",
      name: "by-plugin",
      spec: {
        launchPlan: { resourceType: ResourceType.LAUNCH_PLAN, project: "flytesnacks", domain: "development", name: "workflows.example.wf", version: "v1" },
      },
    });
    expect(id?.name).toBe("by-plugin");
    expect(launched.map((r) => r.executionId.name)).toEqual(["by-plugin"]);
    expect(lines.some((l) => l.includes("no Kubernetes cluster configured"))).toBe(false);
  });

  test("DataProxy: the plugin wraps the built-in implementation", async () => {
    const proxy = createClient(DataProxyService, createGrpcTransport({ baseUrl }));
    const res = await proxy.createUploadLocation({ project: "flytesnacks", domain: "development", filenameRoot: "root", filename: "f.txt" });
    expect(res.signedUrl).toContain("/f.txt");
    expect(uploads).toBe(1);
  });

  test("UnaryServiceMiddleware runs inside ours: its headers go out, its failure is answered Internal and logged", async () => {
    const admin = createClient(AdminService, createGrpcTransport({ baseUrl }));
    const seen = new Headers();
    await admin.getVersion(
      {},
      {
        onHeader: (h) =>
          h.forEach((v, k) => {
            seen.set(k, v);
          }),
      },
    );
    expect(seen.get("x-plugin")).toBe("seen");
    const e = await failure(admin.listProjects({}));
    expect(Code[e.code]).toBe("Internal");
    expect(e.rawMessage).toMatch(/^internal error \(request id a-\w+\)$/);
    expect(lines.some((l) => l.includes("plugin failed reading /etc/secret"))).toBe(true);
    const rest = await fetch(`${baseUrl}/api/v1/version`, { headers: { accept: "application/json" } });
    expect(rest.headers.get("grpc-metadata-x-plugin")).toBe("seen");
  });

  test("CustomerHeaderMatcher: a REST header it names reaches the call as metadata; others do not", async () => {
    const rest = await fetch(`${baseUrl}/api/v1/version`, { headers: { accept: "application/json", "x-tenant": "blue", "x-other": "no" } });
    expect(rest.headers.get("grpc-metadata-x-tenant-seen")).toBe("blue");
    const without = await fetch(`${baseUrl}/api/v1/version`, { headers: { accept: "application/json" } });
    expect(without.headers.get("grpc-metadata-x-tenant-seen")).toBeNull();
  });

  test("AdditionalGRPCService: served over gRPC and, through its google.api.http option, REST", async () => {
    expect((await createClient(EchoService, createGrpcTransport({ baseUrl })).echo({ text: "hi" })).text).toBe("hi");
    const rest = await fetch(`${baseUrl}/api/v1/echo`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ text: "over rest" }),
    });
    expect(rest.status).toBe(200);
    expect(await rest.json()).toEqual({ text: "over rest" });
    expect(rest.headers.get("grpc-metadata-x-plugin")).toBe("seen");
  });
});

describe("createServer", () => {
  test("config is validated as a config file is, naming the key", async () => {
    const typo = JSON.parse('{"server": {"httpPrt": 1}}') as ConfigInput;
    await expect(createServer({ config: typo })).rejects.toThrow(new ConfigError('unknown config key "server.httpPrt" in createServer\'s config'));
    const wrong = JSON.parse('{"server": {"httpPort": "x"}}') as ConfigInput;
    await expect(createServer({ config: wrong })).rejects.toThrow(/^invalid value for config key "server.httpPort" \(from createServer's config\)/);
  });
});
