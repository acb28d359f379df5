// What the project rules need from storage; stores/db implements it.
import type { Filter } from "../kernel/lists/filters";
import type { SortOrder } from "../kernel/lists/page";

export interface ProjectRecord {
  identifier: string;
  name: string;
  description: string;
  /** Binary admin.Project holding the labels, or null when it had none (upstream's `labels` column). */
  labels: Uint8Array | null;
  state: number;
}

/** Columns an update writes; absent ones keep their value (upstream updates only non-zero fields). */
export type ProjectPatch = Partial<Omit<ProjectRecord, "identifier">>;

export interface ProjectListQuery {
  filters: Filter[];
  order: SortOrder;
  /** 0 = no limit. */
  limit: number;
  offset: number;
}

export interface ProjectStore {
  /** Throws AlreadyExists when the identifier is taken. */
  create(record: ProjectRecord): Promise<void>;
  get(identifier: string): Promise<ProjectRecord | undefined>;
  update(identifier: string, patch: ProjectPatch): Promise<void>;
  list(query: ProjectListQuery): Promise<ProjectRecord[]>;
  /** Inserts the ones that do not exist yet, in one transaction; returns the identifiers it inserted. */
  seed(records: ProjectRecord[]): Promise<string[]>;
}
