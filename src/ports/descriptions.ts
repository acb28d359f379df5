// What the description-entity rules need from storage; stores/db implements it.
import type { EntityKey, ListQuery } from "./common";

/** A description_entities row written with the entity it describes. */
export interface DescriptionRecord extends EntityKey {
  resourceType: number;
  shortDescription: string;
  /** Binary admin.Description. */
  longDescription: Uint8Array | null;
  link: string;
}

export interface DescriptionStore {
  get(key: Omit<DescriptionRecord, "shortDescription" | "longDescription" | "link">): Promise<DescriptionRecord | undefined>;
  list(q: ListQuery): Promise<DescriptionRecord[]>;
}
