// The schedule runner inside `serve`, in real time: a launch plan with a one-minute fixed rate, activated,
// runs once a minute with mode SCHEDULED and upstream's deterministic name. Bounded: one tick, under 2 min.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ExecutionMetadata_ExecutionMode } from "../../src/gen/flyteidl/admin/execution_pb";
import { create } from "@bufbuild/protobuf";
import { LaunchPlanMetadataSchema, LaunchPlanState } from "../../src/gen/flyteidl/admin/launch_plan_pb";
import { FixedRateUnit } from "../../src/gen/flyteidl/admin/schedule_pb";
import { ResourceType } from "../../src/gen/flyteidl/core/identifier_pb";
import { launchPlanFor, pythonTask, twoNodeWorkflow } from "../fixtures/pyflyte";
import { startTestServer, type TestServer } from "../helpers/server";

const scope = { project: "flytesnacks", domain: "development" };
let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(() => ts?.close());

test("a one-minute rate schedule fires within its minute through serve", async () => {
  const admin = ts.admin();
  await admin.registerProject({ project: { id: "flytesnacks", name: "flytesnacks" } });
  await admin.createTask(pythonTask({ name: "workflows.example.t1" }));
  await admin.createTask(pythonTask({ name: "workflows.example.t2" }));
  await admin.createWorkflow(twoNodeWorkflow());
  const lp = launchPlanFor({}, { name: "every_minute", defaults: { name: "tick" } });
  if (!lp.spec) throw new Error("fixture has no spec");
  lp.spec.entityMetadata = create(LaunchPlanMetadataSchema, {
    schedule: { ScheduleExpression: { case: "rate", value: { value: 1, unit: FixedRateUnit.MINUTE } } },
  });
  await admin.createLaunchPlan(lp);
  const activatedAt = Date.now();
  await admin.updateLaunchPlan({
    id: { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name: "every_minute", version: "v1" },
    state: LaunchPlanState.ACTIVE,
  });
  let names: string[] = [];
  while (Date.now() - activatedAt < 100_000) {
    const list = await admin.listExecutions({ id: scope, limit: 10 });
    names = list.executions.filter((e) => e.spec?.metadata?.mode === ExecutionMetadata_ExecutionMode.SCHEDULED).map((e) => e.id?.name ?? "");
    if (names.length > 0) break;
    await Bun.sleep(1000);
  }
  expect(names).toHaveLength(1);
  expect(names[0]).toMatch(/^f[0-9a-f]{16}000$/);
  const e = await admin.getExecution({ id: { ...scope, name: names[0] } });
  const scheduledAt = Number(e.spec?.metadata?.scheduledAt?.seconds ?? 0n) * 1000;
  // The first tick is a minute after activation (to the second), and the run came right after it.
  expect(Math.abs(scheduledAt - (activatedAt + 60_000))).toBeLessThan(2_000);
  const metrics = await (await fetch(`${ts.httpUrl}/metrics`)).text();
  expect(metrics).toContain("flyteadmin_scheduler_executions_created_total 1");
}, 120_000);
