// Unit: the REST gateway as grpc-gateway v2.28 behaves in flyteadmin: routes derived from the
// google.api.http options, path/query/body binding, content negotiation, JSON shape, errors.
import { beforeEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  create,
  createFileRegistry,
  fromBinary,
  setExtension,
  toBinary,
  type DescMessage,
  type DescMethod,
  type DescMethodUnary,
  type DescService,
  type Message,
  type MessageShape,
} from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, MethodOptionsSchema, anyUnpack, type FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createRouterTransport, type ServiceImpl } from "@connectrpc/connect";
import { Hono } from "hono";
import { ObjectGetRequestSchema, ResourceListRequestSchema, type Sort_Direction } from "../src/gen/flyteidl/admin/common_pb";
import { type LabelsSchema, NotificationSchema } from "../src/gen/flyteidl/admin/common_pb";
import { ProjectDomainAttributesDeleteRequestSchema } from "../src/gen/flyteidl/admin/project_domain_attributes_pb";
import { InactiveProjectSchema, ProjectListRequestSchema, ProjectRegisterRequestSchema, ProjectSchema } from "../src/gen/flyteidl/admin/project_pb";
import { NamedEntityListRequestSchema } from "../src/gen/flyteidl/admin/common_pb";
import { TaskSchema } from "../src/gen/flyteidl/admin/task_pb";
import { type ExecutionClosureSchema, ExecutionSpecSchema } from "../src/gen/flyteidl/admin/execution_pb";
import { ArrayNodeSchema } from "../src/gen/flyteidl/core/workflow_pb";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { WorkflowExecution_Phase } from "../src/gen/flyteidl/core/execution_pb";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { AuthMetadataService } from "../src/gen/flyteidl/service/auth_pb";
import { CreateDownloadLocationRequestSchema, DataProxyService } from "../src/gen/flyteidl/service/dataproxy_pb";
import { IdentityService } from "../src/gen/flyteidl/service/identity_pb";
import { SignalService } from "../src/gen/flyteidl/service/signal_pb";
import { http } from "../src/gen/google/api/annotations_pb";
import { HttpRuleSchema, type HttpRule } from "../src/gen/google/api/http_pb";
import { StatusSchema } from "../src/gen/google/rpc/status_pb";
import { toGatewayJsonText } from "../src/edge/gateway-json";
import { httpStatusFromCode, mountRestGateway, type RestRoute } from "../src/edge/rest";

const services: DescService[] = [AdminService, SignalService, DataProxyService, AuthMetadataService, IdentityService];
const maxBodyBytes = 2048;

// ---- a fake backend that records what reached it ------------------------------------------------------

let lastRequest: Message | undefined;
let lastHeaders: Headers | undefined;

function seen<D extends DescMessage>(schema: D): MessageShape<D> {
  if (!lastRequest || lastRequest.$typeName !== schema.typeName) throw new Error(`no ${schema.typeName} was received`);
  return lastRequest as MessageShape<D>;
}

function record(req: Message, headers: Headers): void {
  lastRequest = req;
  lastHeaders = headers;
}

const admin: Partial<ServiceImpl<typeof AdminService>> = {
  getVersion: (req, ctx) => {
    record(req, ctx.requestHeader);
    ctx.responseHeader.set("x-request-id", ctx.requestHeader.get("x-request-id") ?? "made-up");
    ctx.responseHeader.set("server-note", "hello");
    return { controlPlaneVersion: { Version: "v1" } };
  },
  listTasks: (req, ctx) => (record(req, ctx.requestHeader), { tasks: [], token: "next" }),
  getTask: (req, ctx) => (record(req, ctx.requestHeader), { id: req.id }),
  listNamedEntities: (req, ctx) => (record(req, ctx.requestHeader), {}),
  listProjects: (req, ctx) => {
    record(req, ctx.requestHeader);
    return { projects: [{ id: "p", name: "P", labels: { values: { b: "1", a: "2", "10": "x", "9": "y" } } }] };
  },
  registerProject: (req, ctx) => (record(req, ctx.requestHeader), {}),
  updateProject: (req, ctx) => (record(req, ctx.requestHeader), {}),
  deleteProjectDomainAttributes: (req, ctx) => (record(req, ctx.requestHeader), {}),
  getProject: (req) => {
    throw new ConnectError(`project [${req.id}] not found`, Code.NotFound, undefined, [{ desc: InactiveProjectSchema, value: { id: req.id, org: "o" } }]);
  },
  getDomains: () => {
    throw new ConnectError("token expired", Code.Unauthenticated);
  },
  updateExecution: () => {
    // a detail of a type nobody here knows, as if passed on from elsewhere
    const err = new ConnectError("odd detail", Code.Internal);
    err.details.push({ type: "no.such.Detail", value: new Uint8Array([8, 1]) });
    throw err;
  },
  getExecution: (req) => ({
    id: req.id,
    closure: {
      phase: WorkflowExecution_Phase.RUNNING,
      startedAt: { seconds: 1700000000n, nanos: 0 },
      duration: { seconds: 1n, nanos: 500_000_000 },
    },
  }),
  getExecutionData: () => ({ outputs: { url: "s3://bucket/out", bytes: 1234567890123n } }),
};

const dataProxy: Partial<ServiceImpl<typeof DataProxyService>> = {
  createDownloadLocation: (req, ctx) => (record(req, ctx.requestHeader), {}),
};

const transport = createRouterTransport((router) => {
  router.service(AdminService, admin);
  router.service(DataProxyService, dataProxy);
  router.service(SignalService, {});
  router.service(AuthMetadataService, {});
  router.service(IdentityService, {});
});

const app = new Hono();
const routes: RestRoute[] = mountRestGateway(app, services, transport, { maxBodyBytes });

beforeEach(() => {
  lastRequest = undefined;
  lastHeaders = undefined;
});

interface CallInit {
  headers?: Record<string, string>;
  body?: string | Uint8Array | ReadableStream<Uint8Array>;
}

async function call(verb: string, path: string, init: CallInit = {}): Promise<Response> {
  return app.request(path, { method: verb, headers: init.headers, body: init.body });
}

const asJson = { accept: "application/json" };
const asBinary = { accept: "application/octet-stream" };

async function statusOf(res: Response): Promise<{ code: number; message: string; details: Array<Record<string, unknown>> }> {
  return (await res.json()) as { code: number; message: string; details: Array<Record<string, unknown>> };
}

// ---- routes -------------------------------------------------------------------------------------------

describe("routes come from the google.api.http options", () => {
  const protoDir = join(import.meta.dir, "../node_modules/@flyteorg/flyteidl/protos/flyteidl/service");
  const protoBindings = ["admin", "signal", "dataproxy", "auth", "identity"].flatMap((f) =>
    [...readFileSync(join(protoDir, `${f}.proto`), "utf8").matchAll(/^\s*(get|post|put|delete|patch):\s*"([^"]+)"/gm)].map(
      (m) => `${m[1].toUpperCase()} ${m[2]}`,
    ),
  );

  test("one route per binding, additional bindings included", () => {
    expect(protoBindings.length).toBe(69);
    expect(routes.length).toBe(protoBindings.length);
    expect(routes.map((r) => `${r.verb} ${r.path}`).sort()).toEqual([...protoBindings].sort());
  });

  test("each route names its method and body", () => {
    const relaunch = routes.find((r) => r.path === "/api/v1/executions/relaunch");
    expect(relaunch).toEqual({
      verb: "POST",
      path: "/api/v1/executions/relaunch",
      service: "flyteidl.service.AdminService",
      method: "RelaunchExecution",
      body: "*",
    });
    expect(
      routes
        .filter((r) => r.method === "ListTasks")
        .map((r) => r.path)
        .sort(),
    ).toEqual(["/api/v1/tasks/{id.project}/{id.domain}", "/api/v1/tasks/{id.project}/{id.domain}/{id.name}"]);
  });

  test("httpStatusFromCode is grpc-gateway's table", () => {
    const expected: Array<[Code, number]> = [
      [Code.Canceled, 499],
      [Code.Unknown, 500],
      [Code.InvalidArgument, 400],
      [Code.DeadlineExceeded, 504],
      [Code.NotFound, 404],
      [Code.AlreadyExists, 409],
      [Code.PermissionDenied, 403],
      [Code.ResourceExhausted, 429],
      [Code.FailedPrecondition, 400],
      [Code.Aborted, 409],
      [Code.OutOfRange, 400],
      [Code.Unimplemented, 501],
      [Code.Internal, 500],
      [Code.Unavailable, 503],
      [Code.DataLoss, 500],
      [Code.Unauthenticated, 401],
    ];
    for (const [code, status] of expected) expect(httpStatusFromCode(code)).toBe(status);
  });
});

// ---- path and query binding ---------------------------------------------------------------------------

describe("path variables and query parameters", () => {
  test("nested path variables, dotted query names in proto and JSON spelling", async () => {
    const res = await call("GET", "/api/v1/tasks/proj/dev?limit=5&token=t1&sort_by.key=name&sortBy.direction=ASCENDING&filters=eq(a,1)");
    expect(res.status).toBe(200);
    const req = seen(ResourceListRequestSchema);
    expect(req.id?.project).toBe("proj");
    expect(req.id?.domain).toBe("dev");
    expect(req.limit).toBe(5);
    expect(req.token).toBe("t1");
    expect(req.filters).toBe("eq(a,1)");
    expect(req.sortBy?.key).toBe("name");
    expect(req.sortBy?.direction).toBe(1 as Sort_Direction); // ASCENDING
  });

  test("the additional binding with one more variable", async () => {
    expect((await call("GET", "/api/v1/tasks/p/d/my_task")).status).toBe(200);
    expect(seen(ResourceListRequestSchema).id).toMatchObject({ project: "p", domain: "d", name: "my_task" });
  });

  test("enum path variables by number and by name; an undeclared number is rejected", async () => {
    expect((await call("GET", "/api/v1/named_entities/2/p/d")).status).toBe(200);
    expect(seen(NamedEntityListRequestSchema).resourceType).toBe(ResourceType.WORKFLOW);
    expect((await call("GET", "/api/v1/named_entities/LAUNCH_PLAN/p/d?sort_by.direction=1")).status).toBe(200);
    expect(seen(NamedEntityListRequestSchema).resourceType).toBe(ResourceType.LAUNCH_PLAN);
    expect(seen(NamedEntityListRequestSchema).sortBy?.direction).toBe(1 as Sort_Direction);
    const bad = await call("GET", "/api/v1/named_entities/99/p/d", { headers: asJson });
    expect(bad.status).toBe(400);
    expect((await statusOf(bad)).message).toBe("type mismatch, parameter: resource_type, error: 99 is not valid");
  });

  test("a nested enum variable is parsed field by field, with that wording", async () => {
    // GetDescriptionEntity has no fake: reaching the backend at all means the path was bound
    expect((await call("GET", "/api/v1/description_entities/TASK/p/d/n/v")).status).toBe(501);
    const bad = await call("GET", "/api/v1/description_entities/BOGUS/p/d/n/v", { headers: asJson });
    expect(bad.status).toBe(400);
    expect((await statusOf(bad)).message).toBe(
      'type mismatch, parameter: id.resource_type, error: parsing field "resource_type": "BOGUS" is not a valid value',
    );
  });

  test("query strings unescape as Go's url.ParseQuery does", async () => {
    expect((await call("GET", "/api/v1/projects?filters=eq(name,a%2Bb)+x&token=%E2%9C%93")).status).toBe(200);
    expect(seen(ProjectListRequestSchema)).toMatchObject({ filters: "eq(name,a+b) x", token: "\u2713" });
    const badEscape = await call("GET", "/api/v1/projects?filters=%zz", { headers: asJson });
    expect(badEscape.status).toBe(400);
    expect((await statusOf(badEscape)).message).toBe('invalid URL escape "%zz"');
    const semicolon = await call("GET", "/api/v1/projects?limit=1;token=2", { headers: asJson });
    expect((await statusOf(semicolon)).message).toBe("invalid semicolon separator in query");
  });

  test("escaped path characters are decoded", async () => {
    expect((await call("GET", "/api/v1/tasks/p/d/a%2Fb%20c/v%2B1")).status).toBe(200);
    expect(seen(ObjectGetRequestSchema).id).toMatchObject({ name: "a/b c", version: "v+1" });
  });

  test("query parameters naming no field are ignored; a path variable cannot be overridden", async () => {
    expect((await call("GET", "/api/v1/tasks/p/d?bogus=1&id.project=other&id.name=n")).status).toBe(200);
    expect(seen(ResourceListRequestSchema).id).toMatchObject({ project: "p", domain: "d", name: "n" });
  });

  test("badly typed query values are InvalidArgument with Go's wording", async () => {
    const res = await call("GET", "/api/v1/projects?limit=abc", { headers: asJson });
    expect(res.status).toBe(400);
    expect(await statusOf(res)).toEqual({
      code: Code.InvalidArgument,
      message: 'parsing field "limit": strconv.ParseUint: parsing "abc": invalid syntax',
      details: [],
    });
    const twice = await call("GET", "/api/v1/projects?limit=1&limit=2", { headers: asJson });
    expect((await statusOf(twice)).message).toBe('too many values for field "limit": 1, 2');
    const message = await call("GET", "/api/v1/projects?sort_by=x", { headers: asJson });
    expect((await statusOf(message)).message).toBe('parsing field "sort_by": unsupported message type: "flyteidl.admin.Sort"');
  });

  test("Durations in Go's text form", async () => {
    expect((await call("GET", "/api/v1/dataproxy/artifact_urn?native_url=s3://b/k&expires_in=1h30m0.5s")).status).toBe(200);
    const req = seen(CreateDownloadLocationRequestSchema);
    expect(req.nativeUrl).toBe("s3://b/k");
    expect(req.expiresIn).toMatchObject({ seconds: 5400n, nanos: 500_000_000 });
    const bad = await call("GET", "/api/v1/dataproxy/artifact_urn?expires_in=5", { headers: asJson });
    expect((await statusOf(bad)).message).toBe('parsing field "expires_in": time: missing unit in duration "5"');
  });
});

// ---- bodies -------------------------------------------------------------------------------------------

describe("bodies", () => {
  test("body * is the request; path variables overwrite it; the query string is ignored", async () => {
    const res = await call("PUT", "/api/v1/projects/from-path?name=from-query&description=q", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "from-body", name: "from-body", description: "d" }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(seen(ProjectSchema)).toMatchObject({ id: "from-path", name: "from-body", description: "d" });
  });

  test("an empty body is an empty message", async () => {
    expect((await call("DELETE", "/api/v1/project_domain_attributes/p/d", { headers: { "content-type": "application/json" } })).status).toBe(200);
    expect(seen(ProjectDomainAttributesDeleteRequestSchema)).toMatchObject({ project: "p", domain: "d", resourceType: 0 });
  });

  test("JSON input accepts proto and JSON names, enum names and numbers", async () => {
    const res = await call("DELETE", "/api/v1/project_domain_attributes/p/d", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ resource_type: "EXECUTION_QUEUE", org: "o" }),
    });
    expect(res.status).toBe(200);
    expect(seen(ProjectDomainAttributesDeleteRequestSchema)).toMatchObject({ resourceType: 2, org: "o" });
    await call("DELETE", "/api/v1/project_domain_attributes/p/d", { headers: { "content-type": "application/json" }, body: '{"resourceType": 3}' });
    expect(seen(ProjectDomainAttributesDeleteRequestSchema).resourceType).toBe(3);
  });

  test("application/json rejects unknown fields, naming them; the default marshaller drops them", async () => {
    const body = JSON.stringify({ project: { id: "u", name: "u" }, bogus: 1 });
    const strict = await call("POST", "/api/v1/projects", { headers: { "content-type": "application/json" }, body });
    expect(strict.status).toBe(400);
    const status = await statusOf(strict);
    expect(status.code).toBe(Code.InvalidArgument);
    expect(status.message).toContain("bogus");
    const lenient = await call("POST", "/api/v1/projects", { headers: { "content-type": "text/plain" }, body });
    expect(lenient.status).toBe(200);
    expect(seen(ProjectRegisterRequestSchema).project?.id).toBe("u");
  });

  test("malformed JSON and wrongly typed fields are InvalidArgument", async () => {
    const broken = await call("POST", "/api/v1/projects", { headers: { "content-type": "application/json" }, body: "{" });
    expect(broken.status).toBe(400);
    const typed = await call("POST", "/api/v1/projects", {
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ project: { id: 5 } }),
    });
    expect(typed.status).toBe(400);
    expect((await statusOf(typed)).message).toContain("flyteidl.admin.Project.id");
  });

  test("octet-stream in and out", async () => {
    const body = toBinary(ProjectRegisterRequestSchema, create(ProjectRegisterRequestSchema, { project: { id: "bin", name: "Bin" } }));
    const res = await call("POST", "/api/v1/projects", {
      headers: { "content-type": "application/octet-stream", accept: "application/octet-stream" },
      body,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    expect((await res.arrayBuffer()).byteLength).toBe(0); // an empty ProjectRegisterResponse
    expect(seen(ProjectRegisterRequestSchema).project).toMatchObject({ id: "bin", name: "Bin" });

    const task = await call("GET", "/api/v1/tasks/p/d/n/v", { headers: asBinary });
    expect(task.headers.get("content-type")).toBe("application/octet-stream");
    expect(fromBinary(TaskSchema, new Uint8Array(await task.arrayBuffer())).id).toMatchObject({ project: "p", version: "v" });

    const garbage = await call("POST", "/api/v1/projects", {
      headers: { "content-type": "application/octet-stream" },
      body: new Uint8Array([0xff, 0xff, 0xff]),
    });
    expect(garbage.status).toBe(400);
  });

  test("a body over the limit is ResourceExhausted, 429, whether its length is declared or streamed", async () => {
    const big = JSON.stringify({ project: { id: "big", description: "x".repeat(maxBodyBytes) } });
    const declared = await call("POST", "/api/v1/projects", { headers: { "content-type": "application/json" }, body: big });
    expect(declared.status).toBe(429);
    const status = await statusOf(declared);
    expect(status.code).toBe(Code.ResourceExhausted);
    expect(status.message).toContain(`${maxBodyBytes} bytes`);

    const bytes = new TextEncoder().encode(big);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 512) controller.enqueue(bytes.slice(i, i + 512));
        controller.close();
      },
    });
    const streamed = await call("POST", "/api/v1/projects", { headers: { "content-type": "application/json" }, body: stream });
    expect(streamed.status).toBe(429);
    expect(lastRequest).toBeUndefined();
  });
});

// ---- content negotiation and JSON shape ---------------------------------------------------------------

describe("JSON as grpc-gateway writes it", () => {
  test("application/json: snake_case, every field, null for unset messages, enums by name", async () => {
    const res = await call("GET", "/api/v1/tasks/p/d/n/v", { headers: asJson });
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe(
      '{"id":{"resource_type":"UNSPECIFIED","project":"p","domain":"d","name":"n","version":"v","org":""},"closure":null,"short_description":""}',
    );
  });

  test("the default marshaller (no or another Accept): lowerCamelCase, same nulls", async () => {
    const expected = '{"id":{"resourceType":"UNSPECIFIED","project":"p","domain":"d","name":"n","version":"v","org":""},"closure":null,"shortDescription":""}';
    const variants: Array<Record<string, string>> = [{}, { accept: "*/*" }, { accept: "application/json, text/plain" }];
    for (const headers of variants) {
      expect(await (await call("GET", "/api/v1/tasks/p/d/n/v", { headers })).text()).toBe(expected);
    }
  });

  test("without an Accept match the Content-Type picks the marshaller", async () => {
    const res = await call("GET", "/api/v1/tasks/p/d/n/v", { headers: { "content-type": "application/json; charset=utf-8" } });
    expect(await res.text()).toContain('"short_description":""');
  });

  test("int64 as strings, Timestamps, Durations, unset oneofs left out, empty lists", async () => {
    const data = (await (await call("GET", "/api/v1/data/executions/p/d/n", { headers: asJson })).json()) as Record<string, unknown>;
    expect(data.outputs).toEqual({ url: "s3://bucket/out", bytes: "1234567890123" });
    expect(data.full_inputs).toBeNull();

    const exec = (await (await call("GET", "/api/v1/executions/p/d/n", { headers: asJson })).json()) as {
      closure: Record<string, unknown>;
      spec: unknown;
    };
    expect(exec.spec).toBeNull();
    expect(exec.closure.phase).toBe("RUNNING");
    expect(exec.closure.started_at).toBe("2023-11-14T22:13:20Z");
    expect(exec.closure.duration).toBe("1.500s");
    expect(exec.closure.created_at).toBeNull();
    expect(exec.closure.notifications).toEqual([]);
    for (const member of ["outputs", "error", "abort_cause", "abort_metadata", "output_data"]) expect(member in exec.closure).toBe(false);
  });

  test("map entries sorted as Go sorts them", async () => {
    const text = await (await call("GET", "/api/v1/projects", { headers: asJson })).text();
    expect(text).toContain('"labels":{"values":{"10":"x","9":"y","a":"2","b":"1"}}');
  });

  test("float fields print their float32 digits", () => {
    const node = create(ArrayNodeSchema, { successCriteria: { case: "minSuccessRatio", value: 0.9 } });
    expect(toGatewayJsonText(ArrayNodeSchema, node, { protoNames: true })).toContain('"min_success_ratio":0.9');
  });
});

// ---- errors -------------------------------------------------------------------------------------------

describe("errors", () => {
  test("google.rpc.Status in JSON, details as Any with @type", async () => {
    const res = await call("GET", "/api/v1/projects/x", { headers: asJson });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe(
      '{"code":5,"message":"project [x] not found","details":[{"@type":"type.googleapis.com/flyteidl.admin.InactiveProject","id":"x","org":"o"}]}',
    );
  });

  test("google.rpc.Status in binary for octet-stream clients", async () => {
    const res = await call("GET", "/api/v1/projects/x", { headers: asBinary });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/octet-stream");
    const status = fromBinary(StatusSchema, new Uint8Array(await res.arrayBuffer()));
    expect(status.code).toBe(Code.NotFound);
    expect(status.message).toBe("project [x] not found");
    expect(anyUnpack(status.details[0], InactiveProjectSchema)?.id).toBe("x");
  });

  test("unimplemented methods are 501", async () => {
    const res = await call("GET", "/api/v1/launch_plans/p/d", { headers: asJson });
    expect(res.status).toBe(501);
    expect((await statusOf(res)).code).toBe(Code.Unimplemented);
  });

  test("Unauthenticated is 401 with WWW-Authenticate", async () => {
    const res = await call("GET", "/api/v1/domains");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("token expired");
  });

  test("a detail JSON cannot render gets grpc-gateway's fallback body; binary still carries it", async () => {
    const res = await call("PUT", "/api/v1/executions/p/d/n", { headers: asJson });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('{"code": 13, "message": "failed to marshal error message"}');
    const bin = await call("PUT", "/api/v1/executions/p/d/n", { headers: asBinary });
    expect(bin.status).toBe(500);
    expect(fromBinary(StatusSchema, new Uint8Array(await bin.arrayBuffer())).details[0].typeUrl).toBe("type.googleapis.com/no.such.Detail");
  });

  test("a path served with another verb is grpc-gateway's Method Not Allowed (HTTP 501)", async () => {
    const res = await call("GET", "/api/v1/executions/relaunch", { headers: asJson });
    expect(res.status).toBe(501);
    expect(await statusOf(res)).toEqual({ code: Code.Unimplemented, message: "Method Not Allowed", details: [] });
  });

  test("a malformed grpc-timeout is InvalidArgument", async () => {
    const res = await call("GET", "/api/v1/version", { headers: { "grpc-timeout": "soon" } });
    expect(res.status).toBe(400);
    expect((await statusOf(res)).message).toBe("invalid grpc-timeout: soon");
  });
});

// ---- headers ------------------------------------------------------------------------------------------

describe("headers", () => {
  test("request ids, auth and Grpc-Metadata-* reach the call; response metadata comes back", async () => {
    const res = await call("GET", "/api/v1/version", {
      headers: {
        "x-request-id": "rid-1",
        authorization: "Bearer a",
        "flyte-authorization": "Bearer b",
        "grpc-metadata-tenant": "acme",
        "grpc-metadata-grpc-status": "7",
        "user-agent": "test-agent",
        "x-unrelated": "dropped",
      },
    });
    expect(res.status).toBe(200);
    expect(lastHeaders?.get("x-request-id")).toBe("rid-1");
    expect(lastHeaders?.get("authorization")).toBe("Bearer a");
    expect(lastHeaders?.get("flyte-authorization")).toBe("Bearer b");
    expect(lastHeaders?.get("tenant")).toBe("acme");
    expect(lastHeaders?.get("grpcgateway-user-agent")).toBe("test-agent");
    expect(lastHeaders?.get("x-unrelated")).toBeNull();
    expect(lastHeaders?.get("grpc-status")).toBeNull(); // the transport's own keys stay its own
    expect(lastHeaders?.get("x-forwarded-host")).toBe("localhost");
    expect(res.headers.get("x-request-id")).toBe("rid-1");
    expect(res.headers.get("grpc-metadata-server-note")).toBe("hello");
    expect(res.headers.get("grpc-metadata-content-type")).toBeNull();
  });
});

// ---- precedence and templates, on a service made up for the purpose -----------------------------------

describe("templates no flyteidl binding uses today", () => {
  const svc = syntheticService([
    // Registered first, so that registration order alone would pick it for /t/literal/x.
    ["ByParam", ".flyteidl.admin.ObjectGetRequest", { pattern: { case: "get", value: "/t/{id.project}/{id.domain}" } }],
    ["ByLiteral", ".flyteidl.admin.ObjectGetRequest", { pattern: { case: "get", value: "/t/literal/{id.domain}" } }],
    ["Rest", ".flyteidl.admin.ObjectGetRequest", { pattern: { case: "get", value: "/files/{id.name=**}" } }],
    ["BodyField", ".flyteidl.admin.ObjectGetRequest", { pattern: { case: "post", value: "/b/{id.project}" }, body: "id" }],
    ["Notify", ".flyteidl.admin.Notification", { pattern: { case: "get", value: "/notify" } }],
    ["Labels", ".flyteidl.admin.Labels", { pattern: { case: "get", value: "/labels" } }],
    ["Spec", ".flyteidl.admin.ExecutionSpec", { pattern: { case: "get", value: "/spec" } }],
    ["Closure", ".flyteidl.admin.ExecutionClosure", { pattern: { case: "get", value: "/closure" } }],
  ]);
  const calls: Array<[string, Message]> = [];
  const synthTransport = createRouterTransport((router) => {
    for (const method of svc.methods.filter(isUnary)) {
      router.rpc(method, (req: Message) => {
        calls.push([method.name, req]);
        return req;
      });
    }
  });
  const synthApp = new Hono();
  const synthRoutes = mountRestGateway(synthApp, [svc], synthTransport, { maxBodyBytes });
  const lastCall = () => calls[calls.length - 1];

  test("a literal segment wins over a variable at the same position", async () => {
    expect(synthRoutes.map((r) => r.method).indexOf("ByLiteral")).toBeLessThan(synthRoutes.map((r) => r.method).indexOf("ByParam"));
    expect((await synthApp.request("/t/literal/x")).status).toBe(200);
    expect(lastCall()[0]).toBe("ByLiteral");
    expect((await synthApp.request("/t/other/x")).status).toBe(200);
    expect(lastCall()[0]).toBe("ByParam");
  });

  test("{field=**} captures the rest of the path", async () => {
    expect((await synthApp.request("/files/a/b/c.txt")).status).toBe(200);
    expect(lastCall()).toEqual(["Rest", expect.objectContaining({ id: expect.objectContaining({ name: "a/b/c.txt" }) })]);
  });

  test("a body field: the body fills that field, the query may not touch it", async () => {
    const res = await synthApp.request("/b/proj?id.name=ignored", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ domain: "dev", name: "n" }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()) as unknown).toEqual({ id: { resource_type: "UNSPECIFIED", project: "proj", domain: "dev", name: "n", version: "", org: "" } });
  });

  test("repeated fields from repeated parameters, enum lists by name or number, oneof conflicts", async () => {
    expect((await synthApp.request("/notify?phases=SUCCEEDED&phases=6&email.recipients_email=a&email.recipientsEmail=b")).status).toBe(200);
    const n = lastCall()[1] as MessageShape<typeof NotificationSchema>;
    expect(n.phases).toEqual([WorkflowExecution_Phase.SUCCEEDED, WorkflowExecution_Phase.FAILED]);
    expect(n.type.case === "email" ? n.type.value.recipientsEmail : []).toEqual(["a", "b"]);
    const clash = await synthApp.request("/notify?email.recipients_email=a&slack.recipients_email=b", { headers: asJson });
    expect(clash.status).toBe(400);
    expect((await statusOf(clash)).message).toBe('field already set for oneof "type"');
  });

  test("streaming methods get no route", () => {
    const streaming = syntheticService([
      ["Unary", ".flyteidl.admin.Labels", { pattern: { case: "get", value: "/u" } }],
      ["Stream", ".flyteidl.admin.Labels", { pattern: { case: "get", value: "/s" } }, { serverStreaming: true }],
    ]);
    expect(mountRestGateway(new Hono(), [streaming], synthTransport, { maxBodyBytes }).map((r) => r.method)).toEqual(["Unary"]);
  });

  test("wrappers and scalars from their text, a wrapper also through .value", async () => {
    expect((await synthApp.request("/spec?interruptible=false&max_parallelism=-3&overwrite_cache=T")).status).toBe(200);
    expect(lastCall()[1]).toMatchObject({ interruptible: false, maxParallelism: -3, overwriteCache: true });
    expect((await synthApp.request("/spec?interruptible.value=true")).status).toBe(200);
    expect((lastCall()[1] as MessageShape<typeof ExecutionSpecSchema>).interruptible).toBe(true);
    const bad = await synthApp.request("/spec?max_parallelism=3000000000", { headers: asJson });
    expect((await statusOf(bad)).message).toBe('parsing field "max_parallelism": strconv.ParseInt: parsing "3000000000": value out of range');
  });

  test("Timestamps in RFC 3339 with an offset and fractional seconds", async () => {
    expect((await synthApp.request("/closure?started_at=2024-01-02T03:04:05.25%2B01:00&phase=RUNNING")).status).toBe(200);
    const closure = lastCall()[1] as MessageShape<typeof ExecutionClosureSchema>;
    expect(closure.startedAt).toMatchObject({ seconds: BigInt(Date.UTC(2024, 0, 2, 2, 4, 5) / 1000), nanos: 250_000_000 });
    const bad = await synthApp.request("/closure?started_at=2024-02-30T00:00:00Z", { headers: asJson });
    expect(bad.status).toBe(400);
  });

  test("map entries as key[name]=value", async () => {
    expect((await synthApp.request("/labels?values[team]=ml&values[env]=dev")).status).toBe(200);
    expect((lastCall()[1] as MessageShape<typeof LabelsSchema>).values).toEqual({ team: "ml", env: "dev" });
  });
});

function isUnary(method: DescMethod): method is DescMethodUnary {
  return method.methodKind === "unary";
}

type Binding = [name: string, inputType: string, rule: Partial<Pick<HttpRule, "pattern" | "body">>, kind?: { serverStreaming?: boolean }];

/** A service built at run time, each method echoing its request, with the given google.api.http rules. */
function syntheticService(bindings: Binding[]): DescService {
  // protobuf-es names files without their .proto suffix; imports name them with it
  const deps = new Map([ObjectGetRequestSchema.file, NotificationSchema.file, ExecutionSpecSchema.file].map((f) => [`${f.name}.proto`, f]));
  const file: FileDescriptorProto = create(FileDescriptorProtoSchema, {
    name: "test/synthetic.proto",
    package: "test",
    syntax: "proto3",
    dependency: [...deps.keys()],
    service: [
      {
        name: "Synthetic",
        method: bindings.map(([name, type, rule, kind]) => {
          const options = create(MethodOptionsSchema);
          setExtension(options, http, create(HttpRuleSchema, rule));
          return { name, inputType: type, outputType: type, options, serverStreaming: kind?.serverStreaming ?? false };
        }),
      },
    ],
  });
  const registry = createFileRegistry(file, (name) => deps.get(name));
  const svc = registry.getService("test.Synthetic");
  if (!svc) throw new Error("synthetic service missing");
  return svc;
}
