// Projects and domains end to end, over every protocol and port, with upstream's codes and messages.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { ProjectListRequestSchema, ProjectRegisterRequestSchema, ProjectsSchema, Project_ProjectState } from "../src/gen/flyteidl/admin/project_pb";
import { Sort_Direction } from "../src/gen/flyteidl/admin/common_pb";
import { startTestServer, type TestServer } from "./helpers/server";

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts.close();
});

async function expectCode(p: Promise<unknown>, code: Code, message?: string | RegExp): Promise<ConnectError> {
  try {
    await p;
  } catch (e) {
    const err = ConnectError.from(e);
    expect(Code[err.code]).toBe(Code[code]);
    if (typeof message === "string") expect(err.rawMessage).toBe(message);
    else if (message) expect(err.rawMessage).toMatch(message);
    return err;
  }
  throw new Error(`expected ${Code[code]}, call succeeded`);
}

describe("projects over every protocol", () => {
  const kinds = ["grpc (h2c, gRPC port)", "grpc (h2c, HTTP port)", "connect json (HTTP/1.1)", "connect binary (h2c)", "grpc-web (HTTP/1.1)"];
  for (const [i, kind] of kinds.entries()) {
    test(kind, async () => {
      const admin = createClient(AdminService, ts.transports[kind]);
      const id = `proto-${i}`;
      await admin.registerProject({
        project: { id, name: `Project ${i}`, description: "made by a test", labels: { values: { team: "ml" } } },
      });
      const got = await admin.getProject({ id });
      expect(got.id).toBe(id);
      expect(got.name).toBe(`Project ${i}`);
      expect(got.description).toBe("made by a test");
      expect(got.labels?.values).toEqual({ team: "ml" });
      expect(got.state).toBe(Project_ProjectState.ACTIVE);
      expect(got.domains.map((d) => d.id)).toEqual(["development", "staging", "production"]);

      const listed = await admin.listProjects({ filters: `eq(identifier,${id})` });
      expect(listed.projects.map((p) => p.id)).toEqual([id]);

      await admin.updateProject({ id, state: Project_ProjectState.ARCHIVED });
      const archived = await admin.getProject({ id });
      expect(archived.state).toBe(Project_ProjectState.ARCHIVED);
      // Absent fields in an update keep their stored values, as upstream.
      expect(archived.name).toBe(`Project ${i}`);
      expect(archived.labels?.values).toEqual({ team: "ml" });
      expect((await admin.listProjects({})).projects.map((p) => p.id)).not.toContain(id);

      await admin.updateProject({ id, state: Project_ProjectState.ACTIVE, description: "back" });
      expect((await admin.getProject({ id })).description).toBe("back");
      expect((await admin.listProjects({})).projects.map((p) => p.id)).toContain(id);

      const domains = await admin.getDomains({});
      expect(domains.domains.map((d) => d.name)).toEqual(["development", "staging", "production"]);
      const version = await admin.getVersion({});
      expect(version.controlPlaneVersion?.Version).toBeTruthy();
    });
  }
});

describe("project validation", () => {
  test("register: missing project, name, id; bad id; long fields; domains; labels", async () => {
    const admin = ts.admin();
    await expectCode(admin.registerProject({}), Code.InvalidArgument, "missing project");
    await expectCode(admin.registerProject({ project: { id: "x" } }), Code.InvalidArgument, "missing project_name");
    await expectCode(admin.registerProject({ project: { name: "x" } }), Code.InvalidArgument, "missing project_id");
    await expectCode(
      admin.registerProject({ project: { id: "Bad_Id", name: "x" } }),
      Code.InvalidArgument,
      /^invalid project id \[Bad_Id\]: \[a lowercase RFC 1123 label must consist of/,
    );
    await expectCode(admin.registerProject({ project: { id: "a".repeat(64), name: "x" } }), Code.InvalidArgument, /must be no more than 63 characters/);
    await expectCode(
      admin.registerProject({ project: { id: "long-name", name: "n".repeat(65) } }),
      Code.InvalidArgument,
      "project_name cannot exceed 64 characters",
    );
    await expectCode(
      admin.registerProject({ project: { id: "long-desc", name: "x", description: "d".repeat(301) } }),
      Code.InvalidArgument,
      "project_description cannot exceed 300 characters",
    );
    await expectCode(
      admin.registerProject({ project: { id: "doms", name: "x", domains: [{ id: "a", name: "a" }] } }),
      Code.InvalidArgument,
      "Domains are currently only set system wide. Please retry without domains included in your request.",
    );
    await expectCode(
      admin.registerProject({ project: { id: "lab", name: "x", labels: { values: { "bad key!": "v" } } } }),
      Code.InvalidArgument,
      /^invalid label key \[bad key!\]/,
    );
    await expectCode(
      admin.registerProject({ project: { id: "lab", name: "x", labels: { values: { k: "-bad" } } } }),
      Code.InvalidArgument,
      /^invalid label value \[-bad\]/,
    );
    const many = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, "v"]));
    await expectCode(
      admin.registerProject({ project: { id: "lab", name: "x", labels: { values: many } } }),
      Code.InvalidArgument,
      "labels map cannot exceed 16 entries",
    );
  });

  test("duplicate register is AlreadyExists", async () => {
    const admin = ts.admin();
    await admin.registerProject({ project: { id: "dup", name: "dup" } });
    await expectCode(admin.registerProject({ project: { id: "dup", name: "dup" } }), Code.AlreadyExists, /already exists/);
  });

  test("get and update of unknown or empty ids", async () => {
    const admin = ts.admin();
    await expectCode(admin.getProject({ id: "nope" }), Code.NotFound, "project [nope] not found");
    await expectCode(admin.getProject({ id: "" }), Code.InvalidArgument, "missing project_id");
    await expectCode(admin.updateProject({ id: "nope", name: "x" }), Code.NotFound, "project [nope] not found");
    await expectCode(admin.updateProject({ id: "" }), Code.InvalidArgument, "missing project_id");
  });
});

describe("ListProjects", () => {
  beforeAll(async () => {
    const admin = ts.admin();
    for (const id of ["page-c", "page-a", "page-b", "page-d"]) {
      await admin.registerProject({ project: { id, name: id.toUpperCase(), description: `desc ${id}` } });
    }
  });

  test("default order is identifier ascending; limit 0 means all", async () => {
    const all = await ts.admin().listProjects({ filters: "contains(identifier,page-)" });
    expect(all.projects.map((p) => p.id)).toEqual(["page-a", "page-b", "page-c", "page-d"]);
  });

  test("pages: token is a decimal offset, next token only for a full page", async () => {
    const admin = ts.admin();
    const f = "contains(identifier,page-)";
    const p1 = await admin.listProjects({ filters: f, limit: 3 });
    expect(p1.projects.map((p) => p.id)).toEqual(["page-a", "page-b", "page-c"]);
    expect(p1.token).toBe("3");
    const p2 = await admin.listProjects({ filters: f, limit: 3, token: p1.token });
    expect(p2.projects.map((p) => p.id)).toEqual(["page-d"]);
    expect(p2.token).toBe("");
    const exact = await admin.listProjects({ filters: f, limit: 2, token: "2" });
    expect(exact.token).toBe("4");
  });

  test("sort_by and filter operators", async () => {
    const admin = ts.admin();
    const desc = await admin.listProjects({
      filters: "contains(identifier,page-)",
      sortBy: { key: "name", direction: Sort_Direction.DESCENDING },
    });
    expect(desc.projects.map((p) => p.id)).toEqual(["page-d", "page-c", "page-b", "page-a"]);
    const within = await admin.listProjects({ filters: "value_in(identifier,page-a;page-c)" });
    expect(within.projects.map((p) => p.id)).toEqual(["page-a", "page-c"]);
    const combined = await admin.listProjects({ filters: "contains(identifier,page-)+ne(identifier,page-b)+lte(name,PAGE-C)" });
    expect(combined.projects.map((p) => p.id)).toEqual(["page-a", "page-c"]);
    const notIn = await admin.listProjects({ filters: "value_not_in(identifier,page-a;page-b)+contains(description,desc page)" });
    expect(notIn.projects.map((p) => p.id)).toEqual(["page-c", "page-d"]);
  });

  test("archived projects are hidden unless a filter asks", async () => {
    const admin = ts.admin();
    await admin.registerProject({ project: { id: "gone", name: "gone", state: Project_ProjectState.ARCHIVED } });
    expect((await admin.listProjects({})).projects.map((p) => p.id)).not.toContain("gone");
    const onlyArchived = await admin.listProjects({ filters: "eq(state,1)" });
    expect(onlyArchived.projects.map((p) => p.id)).toEqual(["gone"]);
  });

  test("bad filters, sort keys and tokens are InvalidArgument naming the problem", async () => {
    const admin = ts.admin();
    await expectCode(admin.listProjects({ filters: "eq(bogus,1)" }), Code.InvalidArgument, "'project.bogus' is invalid filter");
    await expectCode(admin.listProjects({ filters: "eq(task.name,1)" }), Code.InvalidArgument, "'task' entity is not allowed in filters");
    await expectCode(admin.listProjects({ filters: "like(name,1)" }), Code.InvalidArgument, "unrecognized filter function: like");
    await expectCode(admin.listProjects({ filters: "eq(name,a;b)" }), Code.InvalidArgument, "invalid single value filter expression: equal");
    await expectCode(admin.listProjects({ filters: "nonsense" }), Code.InvalidArgument, "invalid value for filters");
    await expectCode(admin.listProjects({ sortBy: { key: "bogus", direction: Sort_Direction.ASCENDING } }), Code.InvalidArgument, "invalid sort key 'bogus'");
    await expectCode(admin.listProjects({ token: "abc" }), Code.InvalidArgument, "invalid pagination token abc for ListProjects");
    await expectCode(admin.listProjects({ token: "-1" }), Code.InvalidArgument, "Invalid token value: -1");
  });
});

describe("REST gateway for projects", () => {
  test("register, get and list as snake_case JSON", async () => {
    const post = await fetch(`${ts.httpUrl}/api/v1/projects`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ project: { id: "rest-one", name: "Rest One" } }),
    });
    expect(post.status).toBe(200);
    const get = await fetch(`${ts.httpUrl}/api/v1/projects/rest-one`, { headers: { accept: "application/json" } });
    expect(get.status).toBe(200);
    const body = (await get.json()) as Record<string, unknown>;
    expect(body.id).toBe("rest-one");
    expect(body.state).toBe("ACTIVE");
    expect(body.labels).toBeNull();
    expect(body.domains).toHaveLength(3);
    const list = await fetch(`${ts.httpUrl}/api/v1/projects?filters=eq(identifier,rest-one)`, {
      headers: { accept: "application/json" },
    });
    const listed = (await list.json()) as { projects: Array<{ id: string }>; token: string };
    expect(listed.projects.map((p) => p.id)).toEqual(["rest-one"]);
    expect(listed.token).toBe("");
  });

  test("binary protobuf in and out (flyteconsole's encoding)", async () => {
    const req = create(ProjectRegisterRequestSchema, { project: { id: "rest-bin", name: "Rest Bin" } });
    const post = await fetch(`${ts.grpcUrl}/api/v1/projects`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream", accept: "application/octet-stream" },
      body: toBinary(ProjectRegisterRequestSchema, req),
    });
    expect(post.status).toBe(200);
    const list = await fetch(`${ts.grpcUrl}/api/v1/projects?filters=eq(identifier,rest-bin)`, {
      headers: { accept: "application/octet-stream" },
    });
    expect(list.headers.get("content-type")).toContain("application/octet-stream");
    const decoded = fromBinary(ProjectsSchema, new Uint8Array(await list.arrayBuffer()));
    expect(decoded.projects.map((p) => p.id)).toEqual(["rest-bin"]);
  });

  test("errors carry grpc-gateway's shape and HTTP status", async () => {
    const missing = await fetch(`${ts.httpUrl}/api/v1/projects/does-not-exist`, { headers: { accept: "application/json" } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ code: 5, message: "project [does-not-exist] not found", details: [] });
    const dup = await fetch(`${ts.httpUrl}/api/v1/projects`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ project: { id: "rest-one", name: "again" } }),
    });
    expect(dup.status).toBe(409);
    const bad = await fetch(`${ts.httpUrl}/api/v1/projects?limit=2&token=zz`, { headers: { accept: "application/json" } });
    expect(bad.status).toBe(400);
  });

  test("update through PUT /api/v1/projects/{id}", async () => {
    const put = await fetch(`${ts.httpUrl}/api/v1/projects/rest-one`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Renamed", state: "ARCHIVED" }),
    });
    expect(put.status).toBe(200);
    const got = await ts.admin().getProject({ id: "rest-one" });
    expect(got.name).toBe("Renamed");
    expect(got.state).toBe(Project_ProjectState.ARCHIVED);
  });

  test("list request as Connect JSON matches the gRPC answer", async () => {
    const viaGrpc = await ts.admin().listProjects(create(ProjectListRequestSchema, { limit: 2 }));
    const res = await fetch(`${ts.httpUrl}/flyteidl.service.AdminService/ListProjects`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ limit: 2 }),
    });
    const json = (await res.json()) as { projects: Array<{ id: string }> };
    expect(json.projects.map((p) => p.id)).toEqual(viaGrpc.projects.map((p) => p.id));
  });
});
