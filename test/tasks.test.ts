// Tasks over the wire with pyflyte-shaped payloads: register, re-register identical and changed,
// validation failures, get, list with filters/sort/pages, list ids — through gRPC and REST.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { Sort_Direction } from "../src/gen/flyteidl/admin/common_pb";
import { TaskCreateRequestSchema, TaskListSchema } from "../src/gen/flyteidl/admin/task_pb";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { InactiveProjectSchema, Project_ProjectState } from "../src/gen/flyteidl/admin/project_pb";
import { pythonTask, intType } from "./fixtures/pyflyte";
import { failure } from "./helpers/calls";
import { startTestServer, type TestServer } from "./helpers/server";

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
  await ts.admin().registerProject({ project: { id: "flytesnacks", name: "flytesnacks" } });
  await ts.admin().registerProject({ project: { id: "old", name: "old", state: Project_ProjectState.ARCHIVED } });
});
afterAll(async () => {
  await ts.close();
});

describe("CreateTask", () => {
  test("register, then identical is AlreadyExists, changed is InvalidArgument with a diff", async () => {
    const admin = ts.admin();
    await admin.createTask(pythonTask({ description: "says hello" }));
    const same = await failure(admin.createTask(pythonTask({ description: "says hello" })));
    expect(Code[same.code]).toBe("AlreadyExists");
    expect(same.rawMessage).toBe("task with identical structure already exists");
    const changed = await failure(admin.createTask(pythonTask({ image: "my/image:2" })));
    expect(Code[changed.code]).toBe("InvalidArgument");
    expect(changed.rawMessage).toStartWith(
      "workflows.example.say_hello task with different structure already exists. (Please register a new version of the task):\n",
    );
    expect(changed.rawMessage).toContain("/template/container/image:\n\t- cr.flyte.org/flyteorg/flytekit:py3.11-1.16.1 \n\t+ my/image:2");
  });

  test("get returns the compiled closure, short description and id", async () => {
    const t = await ts
      .admin()
      .getTask({ id: { resourceType: ResourceType.TASK, project: "flytesnacks", domain: "development", name: "workflows.example.say_hello", version: "v1" } });
    expect(t.shortDescription).toBe("says hello");
    expect(t.closure?.compiledTask?.template?.id?.version).toBe("v1");
    expect(t.closure?.compiledTask?.template?.target.case).toBe("container");
    expect(t.closure?.createdAt).toBeDefined();
  });

  test("validation failures name the problem", async () => {
    const admin = ts.admin();
    const wrongType = pythonTask({ version: "bad" });
    wrongType.id!.resourceType = ResourceType.WORKFLOW;
    expect((await failure(admin.createTask(wrongType))).rawMessage).toStartWith("unexpected resource type workflow for identifier");
    expect((await failure(admin.createTask(pythonTask({ project: "nope" })))).rawMessage).toBe(
      "failed to validate that project [nope] and domain [development] are registered, err: [project [nope] not found]",
    );
    const archived = await failure(admin.createTask(pythonTask({ project: "old" })));
    expect(archived.rawMessage).toBe("project [old] is not active");
    expect(archived.findDetails(InactiveProjectSchema).map((d) => d.id)).toEqual(["old"]);
    expect((await failure(admin.createTask(pythonTask({ domain: "qa" })))).rawMessage).toBe("domain [qa] is unrecognized by system");
    expect((await failure(admin.createTask(pythonTask({ image: "", version: "noimg" })))).rawMessage).toBe("missing image");
    const noArgs = pythonTask({ version: "noargs" });
    const target = noArgs.spec!.template!.target;
    if (target.case === "container") target.value.args = [];
    expect((await failure(admin.createTask(noArgs))).rawMessage).toBe(
      "task failed compilation with Collected Errors: 1\n\tError 0: Code: ValueRequired, Node Id: container, Description: Value required [command].\n",
    );
    const noSpec = pythonTask({ version: "nospec" });
    noSpec.spec = undefined;
    expect((await failure(admin.createTask(noSpec))).rawMessage).toBe("missing spec");
  });
});

describe("listing tasks", () => {
  beforeAll(async () => {
    const admin = ts.admin();
    for (const v of ["a1", "a2", "a3"]) await admin.createTask(pythonTask({ name: "wf.alpha", version: v, inputs: { x: intType } }));
    await admin.createTask(pythonTask({ name: "wf.beta", version: "b1" }));
  });

  test("ListTasks by name, sorted, paged with offset tokens", async () => {
    const admin = ts.admin();
    const p1 = await admin.listTasks({
      id: { project: "flytesnacks", domain: "development", name: "wf.alpha" },
      limit: 2,
      sortBy: { key: "version", direction: Sort_Direction.DESCENDING },
    });
    expect(p1.tasks.map((t) => t.id?.version)).toEqual(["a3", "a2"]);
    expect(p1.token).toBe("2");
    const p2 = await admin.listTasks({
      id: { project: "flytesnacks", domain: "development", name: "wf.alpha" },
      limit: 2,
      token: p1.token,
      sortBy: { key: "version", direction: Sort_Direction.DESCENDING },
    });
    expect(p2.tasks.map((t) => t.id?.version)).toEqual(["a1"]);
    expect(p2.token).toBe("");
    const filtered = await admin.listTasks({
      id: { project: "flytesnacks", domain: "development" },
      limit: 10,
      filters: "value_in(version,a1;b1)",
      sortBy: { key: "name", direction: Sort_Direction.ASCENDING },
    });
    expect(filtered.tasks.map((t) => `${t.id?.name}@${t.id?.version}`)).toEqual(["wf.alpha@a1", "wf.beta@b1"]);
  });

  test("ListTasks refuses a zero limit, bad filters and sort keys", async () => {
    const admin = ts.admin();
    expect((await failure(admin.listTasks({ id: { project: "flytesnacks", domain: "development" } }))).rawMessage).toBe("invalid value for limit");
    expect((await failure(admin.listTasks({ id: { project: "flytesnacks", domain: "development" }, limit: 1, filters: "eq(phase,x)" }))).rawMessage).toBe(
      "'task.phase' is invalid filter",
    );
    expect((await failure(admin.listTasks({ id: { project: "flytesnacks", domain: "development" }, limit: 1, sortBy: { key: "nope" } }))).rawMessage).toBe(
      "invalid sort key 'nope'",
    );
    expect((await failure(admin.listTasks({ id: { project: "flytesnacks" }, limit: 1 }))).rawMessage).toBe("missing domain");
  });

  test("ListTaskIds gives distinct names", async () => {
    const ids = await ts
      .admin()
      .listTaskIds({ project: "flytesnacks", domain: "development", limit: 10, sortBy: { key: "name", direction: Sort_Direction.ASCENDING } });
    expect(ids.entities.map((e) => e.name)).toEqual(["wf.alpha", "wf.beta", "workflows.example.say_hello"]);
  });

  test("through REST: GET with path ids (no resource type), binary bodies", async () => {
    const get = await fetch(`${ts.httpUrl}/api/v1/tasks/flytesnacks/development/wf.beta/b1`, { headers: { accept: "application/json" } });
    expect(get.status).toBe(200);
    const json = (await get.json()) as { id: { resource_type: string }; closure: { compiled_task: { template: { type: string } } } };
    expect(json.id.resource_type).toBe("TASK");
    expect(json.closure.compiled_task.template.type).toBe("python-task");
    const list = await fetch(`${ts.httpUrl}/api/v1/tasks/flytesnacks/development/wf.alpha?limit=5&sort_by.key=version&sort_by.direction=ASCENDING`, {
      headers: { accept: "application/octet-stream" },
    });
    expect(fromBinary(TaskListSchema, new Uint8Array(await list.arrayBuffer())).tasks.map((t) => t.id?.version)).toEqual(["a1", "a2", "a3"]);
    const post = await fetch(`${ts.httpUrl}/api/v1/tasks`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream", accept: "application/json" },
      body: toBinary(TaskCreateRequestSchema, create(TaskCreateRequestSchema, pythonTask({ name: "wf.gamma" }))),
    });
    expect(post.status).toBe(200);
    const again = await fetch(`${ts.httpUrl}/api/v1/tasks`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream", accept: "application/json" },
      body: toBinary(TaskCreateRequestSchema, pythonTask({ name: "wf.gamma" })),
    });
    expect(again.status).toBe(409);
    const missing = await fetch(`${ts.httpUrl}/api/v1/tasks/flytesnacks/development/wf.beta/zzz`, { headers: { accept: "application/json" } });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { message: string }).message).toBe(
      'missing entity of type TASK with identifier project:"flytesnacks" domain:"development" name:"wf.beta" version:"zzz"',
    );
  });
});

describe("description entities saved with tasks", () => {
  test("get and list, REST path without resource type in id", async () => {
    const admin = ts.admin();
    const d = await admin.getDescriptionEntity({
      id: { resourceType: ResourceType.TASK, project: "flytesnacks", domain: "development", name: "workflows.example.say_hello", version: "v1" },
    });
    expect(d.shortDescription).toBe("says hello");
    expect(d.longDescription?.content).toEqual({ case: "value", value: "says hello at length" });
    const list = await admin.listDescriptionEntities({
      resourceType: ResourceType.TASK,
      id: { project: "flytesnacks", domain: "development", name: "workflows.example.say_hello" },
      limit: 5,
    });
    expect(list.descriptionEntities.map((e) => e.id?.version)).toEqual(["v1"]);
    const rest = await fetch(`${ts.httpUrl}/api/v1/description_entities/TASK/flytesnacks/development/workflows.example.say_hello/v1`, {
      headers: { accept: "application/json" },
    });
    expect(rest.status).toBe(200);
    expect(((await rest.json()) as { short_description: string }).short_description).toBe("says hello");
    const missing = await failure(
      admin.getDescriptionEntity({ id: { resourceType: ResourceType.TASK, project: "flytesnacks", domain: "development", name: "wf.beta", version: "b1" } }),
    );
    expect(Code[missing.code]).toBe("NotFound");
  });
});
