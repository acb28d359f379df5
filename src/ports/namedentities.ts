// What the named-entity rules need from storage; stores/db implements it.
import type { Filter } from "../kernel/lists/filters";
import type { SortOrder } from "../kernel/lists/page";

export type EntityTable = "tasks" | "workflows" | "launch_plans";

export interface NamedEntityRecord {
  project: string;
  domain: string;
  name: string;
  description: string;
  state: number;
}

export interface NamedEntityKey {
  resourceType: number;
  project: string;
  domain: string;
  name: string;
}

export interface NamedEntityStore {
  /** The name with its metadata (defaults when none was ever set), or undefined when no version exists. */
  get(table: EntityTable, key: NamedEntityKey): Promise<NamedEntityRecord | undefined>;
  /** Upserts description and state; an empty description keeps the stored one (as upstream). */
  upsert(key: NamedEntityKey, description: string, state: number): Promise<void>;
  /**
   * One page of distinct names in (project, domain) — paged before the filters apply, as upstream's
   * subquery does — joined to their metadata and then filtered.
   */
  list(
    table: EntityTable,
    q: { resourceType: number; project: string; domain: string; filters: Filter[]; order?: SortOrder; limit: number; offset: number },
  ): Promise<NamedEntityRecord[]>;
}
