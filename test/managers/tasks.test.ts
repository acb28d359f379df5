// Tasks straight through the manager: create compiles and stores, get reads it back; the compile
// failure's wording; platform limits from TASK_RESOURCE attributes, else from the config.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { ProjectSchema } from "../../src/gen/flyteidl/admin/project_pb";
import { ProjectDomainAttributesUpdateRequestSchema } from "../../src/gen/flyteidl/admin/project_domain_attributes_pb";
import { IdentifierSchema, ResourceType } from "../../src/gen/flyteidl/core/identifier_pb";
import { ResourcesSchema, Resources_ResourceName } from "../../src/gen/flyteidl/core/tasks_pb";
import type { TaskCreateRequest } from "../../src/gen/flyteidl/admin/task_pb";
import { ErrorCode } from "../../src/kernel/errors";
import { pythonTask } from "../fixtures/pyflyte";
import { managersOverMemory, refusal, type ManagerHarness } from "./harness";

let h: ManagerHarness;
beforeAll(async () => {
  h = await managersOverMemory({ "task_resources.limits.cpu": "2" });
  await h.managers.projects.register(create(ProjectSchema, { id: "flytesnacks", name: "flytesnacks" }));
  await h.managers.projects.register(create(ProjectSchema, { id: "big", name: "big" }));
});
afterAll(() => h.close());

const taskId = (name: string) => ({ resourceType: ResourceType.TASK, project: "flytesnacks", domain: "development", name, version: "v1" });

/** A task asking for `cpu` CPUs. */
function withCpu(req: TaskCreateRequest, cpu: string): TaskCreateRequest {
  const target = req.spec?.template?.target;
  if (target?.case === "container") {
    target.value.resources = create(ResourcesSchema, { requests: [{ name: Resources_ResourceName.CPU, value: cpu }] });
  }
  return req;
}

describe("TaskManager", () => {
  test("create compiles and stores; get reads the compiled closure back", async () => {
    const tasks = h.managers.tasks;
    await tasks.create(pythonTask({ name: "t.hello", description: "says hello" }));
    const t = await tasks.get(create(IdentifierSchema, taskId("t.hello")));
    expect(t.shortDescription).toBe("says hello");
    expect(t.closure?.compiledTask?.template?.id?.name).toBe("t.hello");
    expect(t.closure?.compiledTask?.template?.target.case).toBe("container");
    const again = await refusal(tasks.create(pythonTask({ name: "t.hello", description: "says hello" })));
    expect(ErrorCode[again.code]).toBe("AlreadyExists");
    expect(again.message).toBe("task with identical structure already exists");
  });

  test("a template the compiler refuses is InvalidArgument with the collected errors", async () => {
    const req = pythonTask({ name: "t.noargs" });
    const target = req.spec?.template?.target;
    if (target?.case === "container") target.value.args = [];
    const e = await refusal(h.managers.tasks.create(req));
    expect(ErrorCode[e.code]).toBe("InvalidArgument");
    expect(e.message).toBe(
      "task failed compilation with Collected Errors: 1\n\tError 0: Code: ValueRequired, Node Id: container, Description: Value required [command].\n",
    );
  });

  test("platform limits: the config's, unless TASK_RESOURCE attributes set them", async () => {
    const tasks = h.managers.tasks;
    const tooBig = await refusal(tasks.create(withCpu(pythonTask({ name: "t.big" }), "3")));
    expect(tooBig.message).toStartWith("Requested CPU default [3] is greater than current limit set in the platform configuration [2]");
    await h.managers.matchable.updateProjectDomain(
      create(ProjectDomainAttributesUpdateRequestSchema, {
        attributes: {
          project: "big",
          domain: "development",
          matchingAttributes: { target: { case: "taskResourceAttributes", value: { limits: { cpu: "4" } } } },
        },
      }),
    );
    await tasks.create(withCpu(pythonTask({ project: "big", name: "t.big" }), "3"));
    expect(ErrorCode[(await refusal(tasks.create(withCpu(pythonTask({ project: "big", name: "t.bigger" }), "5")))).code]).toBe("InvalidArgument");
  });
});
