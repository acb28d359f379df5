// What the task rules need from storage; stores/db implements it.
import type { EntityKey, ListQuery } from "./common";
import type { DescriptionRecord } from "./descriptions";

export interface TaskRecord extends EntityKey {
  /** Row id, referenced by single-task executions. */
  id?: number;
  /** Binary admin.TaskClosure. */
  closure: Uint8Array;
  digest: Uint8Array;
  type: string;
  shortDescription: string;
}

export interface TaskStore {
  /** Inserts the task (and its description) in one transaction; AlreadyExists when the id is taken. */
  create(task: TaskRecord, description?: DescriptionRecord): Promise<void>;
  get(key: EntityKey): Promise<TaskRecord | undefined>;
  list(q: ListQuery): Promise<TaskRecord[]>;
  /** Distinct (project, domain, name) of the rows matching the filters. */
  listNames(q: ListQuery): Promise<Array<{ project: string; domain: string; name: string }>>;
}
