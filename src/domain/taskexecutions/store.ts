// What the task execution rules need from storage; stores/db implements it.
import type { EntityKey, ListQuery } from "../tasks/store";
import type { NodeExecutionKey } from "../nodeexecutions/store";

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

export interface TaskExecutionStore {
  create(r: TaskExecutionRecord): Promise<void>;
  get(key: TaskExecutionKey): Promise<TaskExecutionRecord | undefined>;
  update(key: TaskExecutionKey, patch: TaskExecutionPatch): Promise<void>;
  /** Filters may name task_execution, task, node_execution and execution columns. */
  list(q: ListQuery): Promise<TaskExecutionRecord[]>;
  /** For the event path, one read: the execution's cluster, whether the node exists, and the attempt's row. */
  withExecution(key: TaskExecutionKey): Promise<{ cluster: string; nodeExists: boolean; task: TaskExecutionRecord | undefined } | undefined>;
}
