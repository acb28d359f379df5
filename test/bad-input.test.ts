// What malformed requests answer on the wire: enums out of range, oversized identifiers, values echoed in
// messages, deprecated schedules. Every one is a clear status naming the field, never Internal with SQL
// or a status message larger than a client's metadata limit.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { LaunchPlanMetadataSchema, LaunchPlanState } from "../src/gen/flyteidl/admin/launch_plan_pb";
import type { MatchableResource } from "../src/gen/flyteidl/admin/matchable_resource_pb";
import { answerOf } from "./helpers/calls";
import { startTestServer, type TestServer } from "./helpers/server";
import { launchPlanFor, registerTwoNodeWorkflow } from "./fixtures/pyflyte";

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
  await registerTwoNodeWorkflow(ts.admin());
});
afterAll(async () => {
  await ts.close();
});

const scope = { project: "flytesnacks", domain: "development" };

describe("enums out of range", () => {
  test("matchable attributes with resource_type 9999 or -7 are InvalidArgument, not Internal with SQL", async () => {
    // Before: INTERNAL with the SQL text and its parameters.
    const admin = ts.admin();
    for (const resourceType of [9999, -7] as unknown as MatchableResource[]) {
      const calls = [
        admin.getProjectAttributes({ project: scope.project, resourceType }),
        admin.deleteProjectAttributes({ project: scope.project, resourceType }),
        admin.getProjectDomainAttributes({ ...scope, resourceType }),
        admin.deleteProjectDomainAttributes({ ...scope, resourceType }),
        admin.getWorkflowAttributes({ ...scope, workflow: "workflows.example.wf", resourceType }),
        admin.deleteWorkflowAttributes({ ...scope, workflow: "workflows.example.wf", resourceType }),
        admin.listMatchableAttributes({ resourceType }),
      ];
      // All answered before any is checked: a refusal left unawaited would be an unhandled rejection.
      for (const answer of await Promise.all(calls.map(answerOf))) expect(answer).toEqual(["InvalidArgument", "invalid value for resource_type"]);
    }
  });

  test("phases and states out of range are InvalidArgument naming the field", async () => {
    // Before: a workflow event with phase 9999 answered Internal, a task event Internal "undefined cannot
    // be passed as argument to the database", and states 9999 were stored as they came.
    const admin = ts.admin();
    const inputs = {
      literals: {
        name: {
          value: { case: "scalar" as const, value: { value: { case: "primitive" as const, value: { value: { case: "stringValue" as const, value: "x" } } } } },
        },
      },
    };
    await admin.createExecution({
      ...scope,
      name: "enums",
      spec: { launchPlan: { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name: "workflows.example.wf", version: "v1" } },
      inputs,
    });
    const executionId = { ...scope, name: "enums" };
    const task = { resourceType: ResourceType.TASK, ...scope, name: "workflows.example.t1", version: "v1" };
    const occurredAt = { seconds: 1n };
    const bad = 9999 as never;
    const invalid = (field: string): [string, string] => ["InvalidArgument", `invalid value for ${field}`];
    expect(await answerOf(admin.createWorkflowEvent({ event: { executionId, phase: bad, occurredAt, producerId: "propeller" } }))).toEqual(invalid("phase"));
    expect(await answerOf(admin.createNodeEvent({ event: { id: { executionId, nodeId: "n0" }, phase: bad, occurredAt, producerId: "propeller" } }))).toEqual(
      invalid("phase"),
    );
    expect(
      await answerOf(
        admin.createTaskEvent({
          event: { taskId: task, parentNodeExecutionId: { executionId, nodeId: "n0" }, phase: bad, occurredAt, producerId: "propeller" },
        }),
      ),
    ).toEqual(invalid("phase"));
    expect(await answerOf(admin.updateProject({ id: scope.project, name: scope.project, state: bad }))).toEqual(invalid("state"));
    expect(
      await answerOf(
        admin.updateNamedEntity({ resourceType: ResourceType.WORKFLOW, id: { ...scope, name: "workflows.example.wf" }, metadata: { state: bad } }),
      ),
    ).toEqual(invalid("state"));
    expect(await answerOf(admin.updateExecution({ id: executionId, state: bad }))).toEqual(invalid("state"));
    const [code, message] = await answerOf(admin.getWorkflow({ id: { resourceType: bad, ...scope, name: "x", version: "v" } }));
    expect([code, message]).toEqual([
      "InvalidArgument",
      `unexpected resource type 9999 for identifier [resource_type:9999 project:"flytesnacks" domain:"development" name:"x" version:"v"], expected workflow instead`,
    ]);
  });

  test("GetDescriptionEntity with resource_type unset is upstream's InvalidArgument", async () => {
    // Before: the type was taken to be TASK and the answer was NotFound "entry not found".
    const id = { ...scope, name: "workflows.example.t1", version: "v1" };
    expect(await answerOf(ts.admin().getDescriptionEntity({ id }))).toEqual(["InvalidArgument", "invalid value for resource_type"]);
    expect((await answerOf(ts.admin().getDescriptionEntity({ id: { ...id, resourceType: ResourceType.TASK } })))[0]).not.toBe("InvalidArgument");
  });
});

describe("bounded messages", () => {
  test("a 100,000-character project is refused early, with a short message every client can read", async () => {
    // Before: a 32,000-character message, which pyflyte's grpcio saw as RESOURCE_EXHAUSTED.
    const huge = "x".repeat(100_000);
    const id = { resourceType: ResourceType.WORKFLOW, project: huge, domain: "development", name: "n", version: "v" };
    for (const kind of Object.keys(ts.transports)) {
      const [code, message] = await answerOf(ts.admin(kind).getWorkflow({ id }));
      expect([code, message]).toEqual(["InvalidArgument", "project cannot exceed 256 characters"]);
    }
    expect(await answerOf(ts.admin().getExecution({ id: { ...scope, name: huge } }))).toEqual(["InvalidArgument", "name cannot exceed 256 characters"]);
    expect(await answerOf(ts.admin().listTasks({ id: { ...scope, name: huge }, limit: 1 }))).toEqual(["InvalidArgument", "name cannot exceed 256 characters"]);
  });

  test("echoed values are cut and a status message stays under 1 KiB", async () => {
    const long = "y".repeat(5000);
    const [code, message] = await answerOf(ts.admin().listExecutions({ id: scope, limit: 1, filters: `eq(${long},1)` }));
    expect(code).toBe("InvalidArgument");
    expect(Buffer.byteLength(message)).toBeLessThan(1024);
    expect(message).toEndWith("…");
  });
});

describe("deprecated schedules", () => {
  test("activating a launch plan whose schedule is a cron_expression is InvalidArgument that names cron_schedule", async () => {
    // Before: INTERNAL, with a stack trace in the log.
    const admin = ts.admin();
    const lp = launchPlanFor({}, { name: "old_cron", version: "c1", defaults: { name: "a" } });
    lp.spec!.entityMetadata = create(LaunchPlanMetadataSchema, { schedule: { ScheduleExpression: { case: "cronExpression", value: "0 * * * *" } } });
    await admin.createLaunchPlan(lp);
    const [code, message] = await answerOf(admin.updateLaunchPlan({ id: lp.id, state: LaunchPlanState.ACTIVE }));
    expect(code).toBe("InvalidArgument");
    expect(message).toContain("use cron_schedule");
    // Another version with a cron_schedule activates, and a version with the old field does not stop that.
    await admin.createLaunchPlan(launchPlanFor({}, { name: "old_cron", version: "c2", cron: "0 * * * *", defaults: { name: "a" } }));
    expect(await answerOf(admin.updateLaunchPlan({ id: { ...lp.id!, version: "c2" }, state: LaunchPlanState.ACTIVE }))).toEqual(["OK", ""]);
  });
});
