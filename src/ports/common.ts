// Shapes every store shares: a versioned entity's key and a list query (filters, order, page).
import type { Filter } from "../kernel/lists/filters";
import type { SortOrder } from "../kernel/lists/page";

export interface EntityKey {
  project: string;
  domain: string;
  name: string;
  version: string;
}

export interface ListQuery {
  filters: Filter[];
  order?: SortOrder;
  limit: number;
  offset: number;
}
