// Sort and pagination exactly as upstream: sort keys are the primary entity's columns; the token is a
// decimal offset; a next token is returned only when the page came back full.
import type { Sort } from "../../gen/flyteidl/admin/common_pb";
import { Sort_Direction } from "../../gen/flyteidl/admin/common_pb";
import { invalidArgument, invalidValue } from "../errors";
import { entityColumns, type Entity } from "./entities";

export interface SortOrder {
  column: string;
  direction: "asc" | "desc";
}

export function parseSort(sort: Sort | undefined, entity: Entity): SortOrder | undefined {
  if (!sort) return undefined;
  if (!entityColumns[entity].has(sort.key)) throw invalidArgument(`invalid sort key '${sort.key}'`);
  switch (sort.direction) {
    case Sort_Direction.DESCENDING:
      return { column: sort.key, direction: "desc" };
    case Sort_Direction.ASCENDING:
      return { column: sort.key, direction: "asc" };
    default:
      throw invalidArgument(`invalid sort order specified: ${sort.direction}`);
  }
}

/** Empty token = offset 0; anything but a non-negative decimal integer is refused. */
export function parseToken(token: string, rpc: string): number {
  if (token === "") return 0;
  if (!/^[+-]?\d+$/.test(token)) throw invalidArgument(`invalid pagination token ${token} for ${rpc}`);
  const offset = Number(token);
  if (offset < 0 || !Number.isSafeInteger(offset)) throw invalidArgument(`Invalid token value: ${token}`);
  return offset;
}

/** Every list but ListProjects requires a limit. */
export function requireLimit(limit: number): number {
  if (limit === 0) throw invalidValue("limit");
  return limit;
}

export function nextToken(offset: number, pageLength: number, limit: number): string {
  // Upstream compares the page length with the limit as is, so ListProjects with limit 0 and no rows says "0".
  return pageLength === limit ? String(offset + pageLength) : "";
}
