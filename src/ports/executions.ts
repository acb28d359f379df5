// What the execution rules need from storage; stores/db implements it.
import type { ListQuery } from "./common";

export interface ExecutionKey {
  project: string;
  domain: string;
  name: string;
}

export interface ExecutionRecord extends ExecutionKey {
  /** Row id, referenced by relaunches, child executions and node executions. */
  id?: number;
  launchPlanId: number | null;
  workflowId: number | null;
  taskId: number | null;
  /** core.WorkflowExecution.Phase name. */
  phase: string;
  /** Binary admin.ExecutionSpec. */
  spec: Uint8Array;
  /** Binary admin.ExecutionClosure. */
  closure: Uint8Array;
  /** RFC 3339 UTC timestamps. */
  startedAt: string | null;
  executionCreatedAt: string;
  executionUpdatedAt: string;
  /** Nanoseconds. */
  duration: number;
  abortCause: string;
  mode: number;
  sourceExecutionId: number | null;
  parentNodeExecutionId: number | null;
  cluster: string;
  inputsUri: string;
  userInputsUri: string;
  errorKind: string | null;
  errorCode: string | null;
  user: string;
  /** admin.ExecutionState: ACTIVE=0, ARCHIVED=1. */
  state: number;
  launchEntity: "launch_plan" | "task";
}

/**
 * The stored state a read-check-write was computed from. Every accepted event rewrites the closure, so
 * phase, cluster and closure bytes together tell whether anything changed since the read.
 */
export interface ExecutionVersion {
  phase: string;
  cluster: string;
  closure: Uint8Array;
}

export type ExecutionPatch = Partial<Omit<ExecutionRecord, keyof ExecutionKey | "id">> & {
  /** When set, the update applies only while the row still holds this state, else StaleRecord. */
  readFrom?: ExecutionVersion;
};

/**
 * A conditional write lost to a concurrent one: the row changed (or was created) since it was read. The
 * caller handles its request again from a fresh read, so racing calls get the answers they would have
 * had one after another.
 */
export class StaleRecord extends Error {
  override readonly name = "StaleRecord";
}

export interface ExecutionTag {
  key: string;
  value: string;
}

export interface ExecutionStore {
  /** Inserts the execution and its tags in one transaction; AlreadyExists when the name is taken. */
  create(e: ExecutionRecord, tags: ExecutionTag[]): Promise<ExecutionRecord>;
  get(key: ExecutionKey): Promise<ExecutionRecord | undefined>;
  /** Just the cluster column (event checks need nothing else); undefined when there is no such execution. */
  clusterOf(key: ExecutionKey): Promise<string | undefined>;
  getById(id: number): Promise<ExecutionRecord | undefined>;
  /** With `patch.readFrom`, a compare-and-set: StaleRecord when the row no longer holds that state. */
  update(key: ExecutionKey, patch: ExecutionPatch): Promise<void>;
  /** Rows joined (when a filter names them) to launch plans, workflows, tasks and tags. */
  list(q: ListQuery): Promise<ExecutionRecord[]>;
  count(q: Pick<ListQuery, "filters">): Promise<number>;
  /** Appends to execution_events; a repeated phase is ignored (the table is write-only history). */
  recordEvent(key: ExecutionKey, e: { phase: string; requestId: string; occurredAt: string }): Promise<void>;
}
