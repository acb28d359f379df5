// Matchable attributes straight through the manager: update and get at project-domain and workflow
// level, resolve picks the most specific, delete, and what an unregistered project is told.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { ProjectSchema } from "../../src/gen/flyteidl/admin/project_pb";
import { MatchableResource } from "../../src/gen/flyteidl/admin/matchable_resource_pb";
import {
  ProjectDomainAttributesDeleteRequestSchema,
  ProjectDomainAttributesGetRequestSchema,
  ProjectDomainAttributesUpdateRequestSchema,
} from "../../src/gen/flyteidl/admin/project_domain_attributes_pb";
import { WorkflowAttributesUpdateRequestSchema } from "../../src/gen/flyteidl/admin/workflow_attributes_pb";
import { ErrorCode } from "../../src/kernel/errors";
import { managersOverMemory, refusal, type ManagerHarness } from "./harness";

let h: ManagerHarness;
const scope = { project: "flytesnacks", domain: "development" };
beforeAll(async () => {
  h = await managersOverMemory();
  await h.managers.projects.register(create(ProjectSchema, { id: "flytesnacks", name: "flytesnacks" }));
});
afterAll(() => h.close());

const label = (value: string) => ({ target: { case: "executionClusterLabel" as const, value: { value } } });
const labelOf = (a: { target: { case?: string; value?: unknown } } | undefined) =>
  a?.target.case === "executionClusterLabel" ? (a.target.value as { value: string }).value : undefined;

describe("MatchableAttributesManager", () => {
  test("project-domain attributes: update, get, replace", async () => {
    const m = h.managers.matchable;
    const get = () =>
      m.getProjectDomain(create(ProjectDomainAttributesGetRequestSchema, { ...scope, resourceType: MatchableResource.EXECUTION_CLUSTER_LABEL }));
    await m.updateProjectDomain(create(ProjectDomainAttributesUpdateRequestSchema, { attributes: { ...scope, matchingAttributes: label("cpu") } }));
    expect(labelOf((await get()).matchingAttributes)).toBe("cpu");
    await m.updateProjectDomain(create(ProjectDomainAttributesUpdateRequestSchema, { attributes: { ...scope, matchingAttributes: label("gpu") } }));
    const got = await get();
    expect(got.project).toBe("flytesnacks");
    expect(labelOf(got.matchingAttributes)).toBe("gpu");
  });

  test("resolve: workflow level beats project-domain; a project-domain delete takes the workflow level too", async () => {
    const m = h.managers.matchable;
    await m.updateWorkflow(create(WorkflowAttributesUpdateRequestSchema, { attributes: { ...scope, workflow: "wf", matchingAttributes: label("big") } }));
    const resolve = (workflow?: string) => m.resolve(MatchableResource.EXECUTION_CLUSTER_LABEL, { ...scope, workflow });
    expect(labelOf(await resolve("wf"))).toBe("big");
    expect(labelOf(await resolve("other"))).toBe("gpu");
    await m.deleteProjectDomain(create(ProjectDomainAttributesDeleteRequestSchema, { ...scope, resourceType: MatchableResource.EXECUTION_CLUSTER_LABEL }));
    // As upstream's delete by struct: the empty workflow name does not restrict it.
    expect(await resolve("other")).toBeUndefined();
    expect(await resolve("wf")).toBeUndefined();
  });

  test("attributes for an unregistered project are refused", async () => {
    const e = await refusal(
      h.managers.matchable.updateProjectDomain(
        create(ProjectDomainAttributesUpdateRequestSchema, { attributes: { project: "nope", domain: "development", matchingAttributes: label("x") } }),
      ),
    );
    expect(ErrorCode[e.code]).toBe("InvalidArgument");
    expect(e.message).toBe("failed to validate that project [nope] and domain [development] are registered, err: [project [nope] not found]");
  });
});
