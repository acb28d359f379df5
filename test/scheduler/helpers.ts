// A schedule runner over a fresh in-memory database on a hand-moved clock, with a CreateExecution
// stand-in that records requests and answers AlreadyExists for a name it has seen.
import { openDatabase, type Database } from "../../src/stores/db/client";
import { scratchDatabaseUrl } from "../helpers/test-database";
import { migrateUp } from "../../src/stores/db/migrate";
import { TableWriter } from "../../src/stores/db/raw-sql";
import { schedulableEntities } from "../../src/stores/db/schema";
import { scheduleStore } from "../../src/stores/db/schedules";
import { alreadyExists, invalidArgument } from "../../src/kernel/errors";
import { silentLogger, type Logger } from "../../src/kernel/log";
import { ScheduleRunner, type RunnerSettings } from "../../src/scheduler/runner";
import type { ExecutionCreateRequest } from "../../src/gen/flyteidl/admin/execution_pb";

export const t0 = Date.parse("2026-01-01T00:00:00Z");
export const minute = 60_000;

export interface Clock {
  now(): number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function clockAt(start: number): Clock {
  let t = start;
  return { now: () => t, set: (ms) => (t = ms), advance: (ms) => (t += ms) };
}

export async function memoryDatabase(): Promise<Database> {
  const database = await openDatabase({ url: await scratchDatabaseUrl() });
  await migrateUp(database.db);
  return database;
}

export async function addSchedule(
  database: Database,
  s: { name: string; version?: string; cron?: string; rate?: number; unit?: number; kickoff?: string; activatedAt: number },
): Promise<void> {
  const at = new Date(s.activatedAt).toISOString();
  await new TableWriter(schedulableEntities).insert(database.db, {
    project: "flytesnacks",
    domain: "development",
    name: s.name,
    version: s.version ?? "v1",
    cronExpression: s.cron ?? null,
    fixedRateValue: s.rate ?? null,
    unit: s.rate === undefined ? null : (s.unit ?? 0),
    kickoffTimeInputArg: s.kickoff ?? "",
    active: 1,
    createdAt: at,
    updatedAt: at,
  });
}

/** What the runner asked for, with AlreadyExists for a repeated name (the shared "database" of executions). */
export class Executions {
  readonly created: ExecutionCreateRequest[] = [];
  readonly names = new Set<string>();
  /** Launch plan names whose creates fail (a transient error). */
  readonly failing = new Set<string>();
  /** Launch plan names whose creates are refused (InvalidArgument, as for an archived project). */
  readonly refused = new Set<string>();
  async create(req: ExecutionCreateRequest): Promise<void> {
    const lp = req.spec?.launchPlan?.name ?? "";
    if (this.failing.has(lp)) throw new Error(`boom for ${lp}`);
    if (this.refused.has(lp)) throw invalidArgument(`project [flytesnacks] is not active`);
    if (this.names.has(req.name)) throw alreadyExists(`execution ${req.name} already exists`);
    this.names.add(req.name);
    this.created.push(req);
  }
  /** Scheduled times (ISO) of the created executions of launch plan `name`. */
  ticksOf(name: string): string[] {
    return this.created
      .filter((r) => r.spec?.launchPlan?.name === name)
      .map((r) => new Date(Number(r.spec?.metadata?.scheduledAt?.seconds ?? 0n) * 1000).toISOString());
  }
}

export const baseSettings: RunnerSettings = {
  holder: "a",
  leaseName: "schedule-runner",
  leaseMs: 15_000,
  renewMs: 5_000,
  pollMs: 30_000,
  catchUp: { policy: "last", windowMs: 24 * 3_600_000, graceMs: 60_000 },
  defaultZone: "UTC",
  tps: 0,
  burst: 10,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  concurrency: 4,
};

export function runnerOn(database: Database, clock: Clock, executions: Executions, settings: Partial<RunnerSettings> = {}, log: Logger = silentLogger) {
  return new ScheduleRunner(
    { store: scheduleStore(database.db), createExecution: (r) => executions.create(r), now: clock.now, log },
    { ...baseSettings, ...settings },
  );
}

/** Turns the runner every `stepMs` from now until `untilMs`. */
export async function runUntil(runner: ScheduleRunner, clock: Clock, untilMs: number, stepMs = 1_000): Promise<void> {
  for (; clock.now() <= untilMs; clock.advance(stepMs)) await runner.runOnce();
}
