// What the workflow rules need from storage; stores/db implements it.
import type { EntityKey, ListQuery } from "./common";
import type { DescriptionRecord } from "./descriptions";

export interface WorkflowRecord extends EntityKey {
  /** Row id, referenced by launch plans. */
  id?: number;
  /** Binary core.TypedInterface of the template. */
  typedInterface: Uint8Array;
  /** Blob URI of the offloaded admin.WorkflowClosure. */
  remoteClosureIdentifier: string;
  digest: Uint8Array;
  shortDescription: string;
  /** RFC 3339. */
  createdAt?: string;
}

export interface WorkflowStore {
  create(workflow: WorkflowRecord, description?: DescriptionRecord): Promise<void>;
  get(key: EntityKey): Promise<WorkflowRecord | undefined>;
  list(q: ListQuery): Promise<WorkflowRecord[]>;
  listNames(q: ListQuery): Promise<Array<{ project: string; domain: string; name: string }>>;
}
