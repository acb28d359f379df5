// What the node execution rules need from storage; stores/db implements it.
import type { ListQuery } from "./common";
import type { ExecutionKey } from "./executions";

export interface NodeExecutionKey extends ExecutionKey {
  nodeId: string;
}

export interface NodeExecutionRecord extends NodeExecutionKey {
  id?: number;
  /** core.NodeExecution.Phase name. */
  phase: string;
  inputUri: string;
  /** Binary admin.NodeExecutionClosure. */
  closure: Uint8Array;
  startedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Nanoseconds. */
  duration: number;
  /** Binary admin.NodeExecutionMetaData. */
  metadata: Uint8Array;
  parentId: number | null;
  parentTaskExecutionId: number | null;
  errorKind: string | null;
  errorCode: string | null;
  cacheStatus: string | null;
  dynamicWorkflowRemoteClosureReference: string;
  /** The event version propeller reported when the row was created. */
  eventVersion: number;
  /** Read-only: whether other rows name this one as parent. */
  hasChildren?: boolean;
}

export type NodeExecutionPatch = Partial<Omit<NodeExecutionRecord, keyof NodeExecutionKey | "id" | "hasChildren">>;

/** The stored state an event was checked against; every accepted event rewrites phase and closure. */
export interface NodeExecutionVersion {
  phase: string;
  closure: Uint8Array;
}

export interface NodeExecutionStore {
  /** StaleRecord when the row exists already (another event created it since it was read). */
  create(r: NodeExecutionRecord): Promise<void>;
  get(key: NodeExecutionKey): Promise<NodeExecutionRecord | undefined>;
  /** With `readFrom`, a compare-and-set: StaleRecord when the row no longer holds that state. */
  update(key: NodeExecutionKey, patch: NodeExecutionPatch, readFrom?: NodeExecutionVersion): Promise<void>;
  /** Filters may name node_execution and execution columns; `topLevel` keeps rows without parents. */
  list(q: ListQuery & { topLevel?: boolean }): Promise<NodeExecutionRecord[]>;
  recordEvent(key: NodeExecutionKey, e: { phase: string; requestId: string; occurredAt: string }): Promise<void>;
  /** The execution's cluster and the node row in one read; undefined when the execution does not exist. */
  withExecution(key: NodeExecutionKey): Promise<{ cluster: string; node: NodeExecutionRecord | undefined } | undefined>;
}
