// What the task execution rules need from storage; stores/db implements it.
import type { EntityKey, ListQuery } from "./common";
import type { NodeExecutionKey } from "./nodeexecutions";

export interface TaskExecutionKey {
  task: EntityKey;
  node: NodeExecutionKey;
  retryAttempt: number;
}

export interface TaskExecutionRecord extends TaskExecutionKey {
  id?: number;
  /** core.TaskExecution.Phase name. */
  phase: string;
  phaseVersion: number;
  inputUri: string;
  /** Binary admin.TaskExecutionClosure. */
  closure: Uint8Array;
  startedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Nanoseconds. */
  duration: number;
  /** Read-only: whether node executions name this one as their parent task. */
  hasChildren?: boolean;
}

export type TaskExecutionPatch = Partial<Omit<TaskExecutionRecord, keyof TaskExecutionKey | "id" | "hasChildren">>;

/** The stored state an event was checked against; every accepted event rewrites these. */
export interface TaskExecutionVersion {
  phase: string;
  phaseVersion: number;
  closure: Uint8Array;
}

export interface TaskExecutionStore {
  /** StaleRecord when the row exists already (another event created it since it was read). */
  create(r: TaskExecutionRecord): Promise<void>;
  get(key: TaskExecutionKey): Promise<TaskExecutionRecord | undefined>;
  /** With `readFrom`, a compare-and-set: StaleRecord when the row no longer holds that state. */
  update(key: TaskExecutionKey, patch: TaskExecutionPatch, readFrom?: TaskExecutionVersion): Promise<void>;
  /** Filters may name task_execution, task, node_execution and execution columns. */
  list(q: ListQuery): Promise<TaskExecutionRecord[]>;
  /** For the event path, one read: the execution's cluster, whether the node exists, and the attempt's row. */
  withExecution(key: TaskExecutionKey): Promise<{ cluster: string; nodeExists: boolean; task: TaskExecutionRecord | undefined } | undefined>;
}
