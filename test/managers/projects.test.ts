// Projects straight through the manager: register, list with filters and pages, the domains every
// project gets, and the checks registration relies on.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { ProjectListRequestSchema, ProjectSchema, Project_ProjectState } from "../../src/gen/flyteidl/admin/project_pb";
import { ErrorCode } from "../../src/kernel/errors";
import { managersOverMemory, refusal, type ManagerHarness } from "./harness";

let h: ManagerHarness;
beforeAll(async () => {
  h = await managersOverMemory();
});
afterAll(() => h.close());

const project = (id: string, state = Project_ProjectState.ACTIVE) => create(ProjectSchema, { id, name: id, state });

describe("ProjectManager", () => {
  test("register, then list in name order with the configured domains", async () => {
    const projects = h.managers.projects;
    await projects.register(project("beta"));
    await projects.register(project("alpha"));
    const { projects: listed, token } = await projects.list(create(ProjectListRequestSchema, { limit: 10 }));
    expect(listed.map((p) => p.id)).toEqual(["alpha", "beta"]);
    expect(listed[0].domains.map((d) => d.id)).toEqual(["development", "staging", "production"]);
    expect(token).toBe("");
  });

  test("pages; archived projects only when a filter asks for them", async () => {
    const projects = h.managers.projects;
    await projects.register(project("delta"));
    await projects.register(project("gamma", Project_ProjectState.ARCHIVED));
    const first = await projects.list(create(ProjectListRequestSchema, { limit: 2 }));
    expect(first.projects.map((p) => p.id)).toEqual(["alpha", "beta"]);
    const rest = await projects.list(create(ProjectListRequestSchema, { limit: 2, token: first.token }));
    expect(rest.projects.map((p) => p.id)).toEqual(["delta"]);
    const archived = await projects.list(create(ProjectListRequestSchema, { limit: 10, filters: "eq(state,1)" }));
    expect(archived.projects.map((p) => p.id)).toEqual(["gamma"]);
  });

  test("a second registration and a bad id are refused", async () => {
    const projects = h.managers.projects;
    expect(ErrorCode[(await refusal(projects.register(project("alpha")))).code]).toBe("AlreadyExists");
    const bad = await refusal(projects.register(project("Not_A_Label")));
    expect(ErrorCode[bad.code]).toBe("InvalidArgument");
    expect(bad.message).toStartWith("invalid project id [Not_A_Label]:");
  });

  test("requireActive: unknown and archived projects, unknown domains", async () => {
    const projects = h.managers.projects;
    expect((await projects.requireActive("alpha", "development")).id).toBe("alpha");
    expect((await refusal(projects.requireActive("nope", "development"))).message).toBe(
      "failed to validate that project [nope] and domain [development] are registered, err: [project [nope] not found]",
    );
    expect((await refusal(projects.requireActive("gamma", "development"))).message).toBe("project [gamma] is not active");
    expect((await refusal(projects.requireActive("alpha", "qa"))).message).toBe("domain [qa] is unrecognized by system");
  });
});
