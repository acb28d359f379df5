// Named entities over the wire: names of registered tasks with their metadata, archive/unarchive,
// filters (state treats "no metadata" as ACTIVE, system .flytegen names hidden by default), pages.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code } from "@connectrpc/connect";
import { NamedEntityState, Sort_Direction } from "../src/gen/flyteidl/admin/common_pb";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { pythonTask } from "./fixtures/pyflyte";
import { failure } from "./helpers/calls";
import { startTestServer, type TestServer } from "./helpers/server";

let ts: TestServer;
const scope = { project: "flytesnacks", domain: "development" };
beforeAll(async () => {
  ts = await startTestServer();
  const admin = ts.admin();
  await admin.registerProject({ project: { id: "flytesnacks", name: "flytesnacks" } });
  for (const name of ["n.alpha", "n.beta", "n.gamma", ".flytegen.n.alpha"]) {
    await admin.createTask(pythonTask({ name, version: "v1" }));
    await admin.createTask(pythonTask({ name, version: "v2" }));
  }
});
afterAll(async () => {
  await ts.close();
});

describe("named entities", () => {
  test("get, update description and state, get again", async () => {
    const admin = ts.admin();
    const id = { ...scope, name: "n.beta" };
    const before = await admin.getNamedEntity({ resourceType: ResourceType.TASK, id });
    expect(before.metadata?.state).toBe(NamedEntityState.NAMED_ENTITY_ACTIVE);
    expect(before.metadata?.description).toBe("");
    await admin.updateNamedEntity({
      resourceType: ResourceType.TASK,
      id,
      metadata: { description: "beta task", state: NamedEntityState.NAMED_ENTITY_ARCHIVED },
    });
    const after = await admin.getNamedEntity({ resourceType: ResourceType.TASK, id });
    expect(after.metadata).toMatchObject({ description: "beta task", state: NamedEntityState.NAMED_ENTITY_ARCHIVED });
    // an empty description leaves the stored one, the state is always written
    await admin.updateNamedEntity({ resourceType: ResourceType.TASK, id, metadata: { state: NamedEntityState.NAMED_ENTITY_ACTIVE } });
    expect((await admin.getNamedEntity({ resourceType: ResourceType.TASK, id })).metadata).toMatchObject({ description: "beta task", state: 0 });
    await admin.updateNamedEntity({ resourceType: ResourceType.TASK, id, metadata: { state: NamedEntityState.NAMED_ENTITY_ARCHIVED } });
  });

  test("list hides .flytegen names unless filtered, filters by state with ACTIVE as default", async () => {
    const admin = ts.admin();
    const all = await admin.listNamedEntities({
      resourceType: ResourceType.TASK,
      ...scope,
      limit: 10,
      sortBy: { key: "name", direction: Sort_Direction.ASCENDING },
    });
    expect(all.entities.map((e) => e.id?.name)).toEqual(["n.alpha", "n.beta", "n.gamma"]);
    const active = await admin.listNamedEntities({
      resourceType: ResourceType.TASK,
      ...scope,
      limit: 10,
      filters: "eq(state,0)",
      sortBy: { key: "name", direction: Sort_Direction.ASCENDING },
    });
    expect(active.entities.map((e) => e.id?.name)).toEqual([".flytegen.n.alpha", "n.alpha", "n.gamma"]);
    const archived = await admin.listNamedEntities({ resourceType: ResourceType.TASK, ...scope, limit: 10, filters: "eq(state,1)" });
    expect(archived.entities.map((e) => e.id?.name)).toEqual(["n.beta"]);
    const page = await admin.listNamedEntities({
      resourceType: ResourceType.TASK,
      ...scope,
      limit: 2,
      filters: "contains(name,n.)",
      sortBy: { key: "name", direction: Sort_Direction.ASCENDING },
    });
    expect(page.entities).toHaveLength(2);
    expect(page.token).toBe("2");
  });

  test("errors", async () => {
    const admin = ts.admin();
    expect((await failure(admin.getNamedEntity({ resourceType: ResourceType.TASK, id: { ...scope, name: "none" } }))).code).toBe(Code.NotFound);
    expect((await failure(admin.getNamedEntity({ id: { ...scope, name: "n.alpha" } }))).rawMessage).toBe("invalid value for resource_type");
    expect((await failure(admin.listNamedEntities({ resourceType: ResourceType.TASK, ...scope }))).rawMessage).toBe("invalid value for limit");
    expect((await failure(admin.listNamedEntities({ resourceType: ResourceType.TASK, ...scope, limit: 1, filters: "eq(version,1)" }))).rawMessage).toBe(
      "'entities.version' is invalid filter",
    );
    expect((await failure(admin.updateNamedEntity({ resourceType: ResourceType.TASK, id: { ...scope, name: "n.alpha" } }))).rawMessage).toBe(
      "missing metadata",
    );
    expect((await failure(admin.updateNamedEntity({ resourceType: ResourceType.TASK, id: { ...scope, name: "ghost" }, metadata: {} }))).code).toBe(
      Code.NotFound,
    );
  });

  test("REST: enum resource type in the path by number or name", async () => {
    for (const rt of ["1", "TASK"]) {
      const res = await fetch(`${ts.httpUrl}/api/v1/named_entities/${rt}/flytesnacks/development?limit=10`, { headers: { accept: "application/json" } });
      expect(res.status).toBe(200);
      const json = (await res.json()) as { entities: Array<{ resource_type: string; id: { name: string } }> };
      expect(json.entities.length).toBe(3);
      expect(json.entities[0].resource_type).toBe("TASK");
    }
  });
});
