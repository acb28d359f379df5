// What the task rules need from storage; stores/db implements it.
import type { Filter } from "../lists/filters";
import type { SortOrder } from "../lists/page";

export interface EntityKey {
  project: string;
  domain: string;
  name: string;
  version: string;
}

export interface TaskRecord extends EntityKey {
  /** Row id, referenced by single-task executions. */
  id?: number;
  /** Binary admin.TaskClosure. */
  closure: Uint8Array;
  digest: Uint8Array;
  type: string;
  shortDescription: string;
}

/** A description_entities row written with the entity it describes. */
export interface DescriptionRecord extends EntityKey {
  resourceType: number;
  shortDescription: string;
  /** Binary admin.Description. */
  longDescription: Uint8Array | null;
  link: string;
}

export interface ListQuery {
  filters: Filter[];
  order?: SortOrder;
  limit: number;
  offset: number;
}

export interface TaskStore {
  /** Inserts the task (and its description) in one transaction; AlreadyExists when the id is taken. */
  create(task: TaskRecord, description?: DescriptionRecord): Promise<void>;
  get(key: EntityKey): Promise<TaskRecord | undefined>;
  list(q: ListQuery): Promise<TaskRecord[]>;
  /** Distinct (project, domain, name) of the rows matching the filters. */
  listNames(q: ListQuery): Promise<Array<{ project: string; domain: string; name: string }>>;
}
