// What the matchable-attribute rules need from storage; stores/db implements it.
export interface ResourceKey {
  project: string;
  domain: string;
  workflow: string;
  launchPlan: string;
  /** admin.MatchableResource name. */
  resourceType: string;
}

export interface ResourceRecord extends ResourceKey {
  priority: number;
  /** Binary admin.MatchingAttributes. */
  attributes: Uint8Array;
}

export interface ResourceStore {
  /** Insert, or replace the attributes of the row with the same key. */
  upsert(r: ResourceRecord): Promise<void>;
  /** The exact row, if any. */
  getExact(key: ResourceKey): Promise<ResourceRecord | undefined>;
  /** Rows of a type matching the scope or any broader one ("" in a column), most specific first. */
  matching(key: ResourceKey): Promise<ResourceRecord[]>;
  /** Deletes every row of the type whose set columns equal the key's non-empty ones. */
  deleteWhere(key: Partial<ResourceKey> & { resourceType: string }): Promise<void>;
  listAll(resourceType: string): Promise<ResourceRecord[]>;
  /** Every row of any type that could match one of the given scopes ("" or a listed value per column). */
  candidates(scope: { project: string; domain: string; workflows: string[]; launchPlans: string[] }): Promise<ResourceRecord[]>;
}
