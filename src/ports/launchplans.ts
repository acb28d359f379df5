// What the launch plan rules need from storage; stores/db implements it.
import type { EntityKey, ListQuery } from "./common";

export interface LaunchPlanRecord extends EntityKey {
  /** Row id, referenced by executions. */
  id?: number;
  /** Binary admin.LaunchPlanSpec (default_inputs replaced by the expected inputs). */
  spec: Uint8Array;
  /** Binary admin.LaunchPlanClosure{expected_inputs, expected_outputs}. */
  closure: Uint8Array;
  workflowId: number;
  state: number;
  digest: Uint8Array;
  scheduleType: "NONE" | "CRON" | "RATE";
  launchConditionType: string | null;
  createdAt?: string;
  updatedAt?: string;
}

/** A schedule as the native scheduler reads it from schedulable_entities. */
export interface ScheduleRecord extends EntityKey {
  cronExpression: string | null;
  fixedRateValue: number | null;
  /** admin.FixedRateUnit: MINUTE=0, HOUR=1, DAY=2. */
  unit: number | null;
  kickoffTimeInputArg: string;
}

export interface Activation {
  /** Made ACTIVE; every other version of its name goes INACTIVE in the same transaction. */
  activate: EntityKey;
  /** The new version's schedule, if it has one (upserted active). */
  schedule?: ScheduleRecord;
  /** Schedules to switch off (the former version's, or the one being deactivated). */
  unschedule: EntityKey[];
}

export interface LaunchPlanStore {
  create(lp: LaunchPlanRecord): Promise<void>;
  get(key: EntityKey): Promise<LaunchPlanRecord | undefined>;
  /** Rows joined to their workflows, so filters may use workflow.* columns. */
  list(q: ListQuery): Promise<LaunchPlanRecord[]>;
  listNames(q: ListQuery): Promise<Array<{ project: string; domain: string; name: string }>>;
  findActive(project: string, domain: string, name: string): Promise<LaunchPlanRecord | undefined>;
  /**
   * Applies state and schedule changes atomically. Activating a version also deactivates and unschedules
   * every other version of its name, serialized per name, so racing activations leave one active.
   */
  setStates(change: Activation | { deactivateOnly: EntityKey; unschedule: EntityKey[] }): Promise<void>;
}
