// Schedules from activation, through the real managers: what activation records for the runner, what it
// refuses (a schedule that can never run), and a tick of the runner through the real ExecutionManager.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sql } from "drizzle-orm";
import { create } from "@bufbuild/protobuf";
import { ProjectSchema } from "../../src/gen/flyteidl/admin/project_pb";
import { LaunchPlanState, LaunchPlanUpdateRequestSchema } from "../../src/gen/flyteidl/admin/launch_plan_pb";
import { ScheduleSchema, FixedRateUnit } from "../../src/gen/flyteidl/admin/schedule_pb";
import { ExecutionMetadata_ExecutionMode } from "../../src/gen/flyteidl/admin/execution_pb";
import { WorkflowExecutionIdentifierSchema } from "../../src/gen/flyteidl/core/identifier_pb";
import { IdentifierSchema, ResourceType } from "../../src/gen/flyteidl/core/identifier_pb";
import { loadConfig } from "../../src/config/load";
import { buildStores } from "../../src/compose/stores";
import { buildManagers, type Managers } from "../../src/compose/managers";
import { MemBlobStore } from "../../src/stores/blob/mem";
import { scheduleStore } from "../../src/stores/db/schedules";
import type { Database } from "../../src/stores/db/client";
import { ErrorCode } from "../../src/kernel/errors";
import { executionName } from "../../src/scheduler/names";
import { ScheduleRunner } from "../../src/scheduler/runner";
import { silentLogger } from "../../src/kernel/log";
import { launchPlanFor, pythonTask, twoNodeWorkflow } from "../fixtures/pyflyte";
import { refusal } from "../managers/harness";
import { baseSettings, clockAt, memoryDatabase } from "./helpers";

let database: Database;
let m: Managers;
const scope = { project: "flytesnacks", domain: "development" };
const lpId = (name: string, version = "v1") => create(IdentifierSchema, { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name, version });
const activate = (name: string, version = "v1") =>
  m.launchPlans.update(create(LaunchPlanUpdateRequestSchema, { id: lpId(name, version), state: LaunchPlanState.ACTIVE }));

async function scheduled(name: string, version: string, schedule: Parameters<typeof create<typeof ScheduleSchema>>[1]) {
  const req = launchPlanFor({}, { name, version, defaults: { name: "world" } });
  if (req.spec) req.spec.entityMetadata = { $typeName: "flyteidl.admin.LaunchPlanMetadata", schedule: create(ScheduleSchema, schedule), notifications: [] };
  await m.launchPlans.create(req);
}

beforeAll(async () => {
  database = await memoryDatabase();
  const stores = buildStores(database, { store: new MemBlobStore("test") });
  m = buildManagers(loadConfig({ flags: {} }), stores, {
    launcher: { clusterFor: () => "", launch: async () => ({ cluster: "" }), abort: async () => {} },
  });
  await m.projects.register(create(ProjectSchema, { id: "flytesnacks", name: "flytesnacks" }));
  await m.tasks.create(pythonTask({ name: "workflows.example.t1" }));
  await m.tasks.create(pythonTask({ name: "workflows.example.t2" }));
  await m.workflows.create(twoNodeWorkflow());
});
afterAll(() => database.close());

describe("schedules from activation", () => {
  test("a rate of 0 is refused at activation, naming the launch plan and the reason; nothing is switched", async () => {
    await scheduled("zero", "v1", { ScheduleExpression: { case: "rate", value: { value: 1, unit: FixedRateUnit.MINUTE } } });
    await activate("zero", "v1");
    await scheduled("zero", "v2", { ScheduleExpression: { case: "rate", value: { value: 0, unit: FixedRateUnit.MINUTE } } });
    const e = await refusal(activate("zero", "v2"));
    expect(ErrorCode[e.code]).toBe("InvalidArgument");
    expect(e.message).toContain("zero");
    expect(e.message).toContain("schedule rate value must be positive, found 0");
    expect((await m.launchPlans.get(lpId("zero", "v1"))).closure?.state).toBe(LaunchPlanState.ACTIVE);
    expect((await scheduleStore(database.db).listActive()).map((s) => `${s.name}@${s.version}`)).toContain("zero@v1");
  });

  test("a cron with a CRON_TZ prefix is recorded as written; an unknown zone is refused at creation", async () => {
    await scheduled("tz", "v1", { ScheduleExpression: { case: "cronSchedule", value: { schedule: "CRON_TZ=Europe/Paris 0 2 * * *" } } });
    await activate("tz");
    const row = (await scheduleStore(database.db).listActive()).find((s) => s.name === "tz");
    expect(row?.cronExpression).toBe("CRON_TZ=Europe/Paris 0 2 * * *");
    const bad = await refusal(scheduled("tz", "v2", { ScheduleExpression: { case: "cronSchedule", value: { schedule: "CRON_TZ=Nowhere/Land 0 2 * * *" } } }));
    expect(bad.message).toBe("Invalid cron expression: unknown time zone Nowhere/Land");
  });

  test("with eventScheduler.scheme noop, activation checks the schedule but records none", async () => {
    const noop = buildManagers(
      loadConfig({ flags: { "scheduler.eventScheduler.scheme": "noop" } }),
      buildStores(database, { store: new MemBlobStore("test") }),
    );
    await scheduled("quiet", "v1", { ScheduleExpression: { case: "rate", value: { value: 5, unit: FixedRateUnit.MINUTE } } });
    await noop.launchPlans.update(create(LaunchPlanUpdateRequestSchema, { id: lpId("quiet"), state: LaunchPlanState.ACTIVE }));
    expect((await noop.launchPlans.get(lpId("quiet"))).closure?.state).toBe(LaunchPlanState.ACTIVE);
    expect((await scheduleStore(database.db).listActive()).map((s) => s.name)).not.toContain("quiet");
    await scheduled("quiet", "v2", { ScheduleExpression: { case: "rate", value: { value: 0, unit: FixedRateUnit.MINUTE } } });
    const e = await refusal(noop.launchPlans.update(create(LaunchPlanUpdateRequestSchema, { id: lpId("quiet", "v2"), state: LaunchPlanState.ACTIVE })));
    expect(ErrorCode[e.code]).toBe("InvalidArgument");
  });

  test("deactivation takes the schedule away from the runner", async () => {
    await m.launchPlans.update(create(LaunchPlanUpdateRequestSchema, { id: lpId("tz"), state: LaunchPlanState.INACTIVE }));
    expect((await scheduleStore(database.db).listActive()).map((s) => s.name)).not.toContain("tz");
  });

  test("the runner over the real ExecutionManager: SCHEDULED executions, a tick fired twice is AlreadyExists", async () => {
    await scheduled("every", "v1", { ScheduleExpression: { case: "rate", value: { value: 1, unit: FixedRateUnit.MINUTE } } });
    await activate("every");
    const s = (await scheduleStore(database.db).listActive()).find((r) => r.name === "every");
    if (!s) throw new Error("schedule not recorded");
    const clock = clockAt(s.updatedAtMs + 61_000);
    const settings = { ...baseSettings, catchUp: { policy: "all" as const, windowMs: 3_600_000, graceMs: 60_000 } };
    const runner = new ScheduleRunner(
      { store: scheduleStore(database.db), createExecution: (r) => m.executions.create(r), now: clock.now, log: silentLogger },
      settings,
    );
    await runner.runOnce();
    // "every" and, activated a moment before it in this file, "zero".
    expect(runner.metrics.created).toBe(2);
    const tick = s.updatedAtMs + 60_000;
    const got = await m.executions.get(create(WorkflowExecutionIdentifierSchema, { ...scope, name: executionName(s, tick) }));
    expect(got.spec?.metadata?.mode).toBe(ExecutionMetadata_ExecutionMode.SCHEDULED);
    expect(Number(got.spec?.metadata?.scheduledAt?.seconds)).toBe(Math.floor(tick / 1000));
    await database.db.run(sql`DELETE FROM schedule_fire_times`);
    await runner.release();
    const again = new ScheduleRunner(
      { store: scheduleStore(database.db), createExecution: (r) => m.executions.create(r), now: clock.now, log: silentLogger },
      { ...settings, holder: "b" },
    );
    await again.runOnce();
    expect([again.metrics.created, again.metrics.alreadyDone]).toEqual([0, 2]);
  });
});
