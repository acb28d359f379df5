// The two list shapes every versioned entity (tasks, workflows, launch plans) offers: a page of
// versions (ResourceListRequest) and a page of distinct names (NamedEntityIdentifierListRequest).
import { create } from "@bufbuild/protobuf";
import {
  NamedEntityIdentifierSchema,
  type NamedEntityIdentifier,
  type NamedEntityIdentifierListRequest,
  type ResourceListRequest,
} from "../../gen/flyteidl/admin/common_pb";
import { missingArgument } from "../../kernel/errors";
import { parseFilters, scopeFilters, type Filter } from "../../kernel/lists/filters";
import type { Entity } from "../../kernel/lists/entities";
import { nextToken, parseSort, parseToken, requireLimit } from "../../kernel/lists/page";
import { optionalId, requireId } from "../../kernel/validate";
import type { ListQuery } from "../../ports/common";

type VersionedEntity = "task" | "workflow" | "launch_plan";

// Launch plan lists are joined to their workflows, so their filters may also name workflow columns.
const filterable: Record<VersionedEntity, Entity[]> = { task: ["task"], workflow: ["workflow"], launch_plan: ["launch_plan", "workflow"] };

/** project/domain (+ name) equality filters plus the request's own (its `filters` text). */
export function scopedFilters(entity: VersionedEntity, scope: { project: string; domain: string; name?: string }, requestFilters = ""): Filter[] {
  const scoped = scopeFilters(entity, { project: scope.project, domain: scope.domain, name: scope.name || undefined });
  return [...scoped, ...parseFilters(requestFilters, entity, filterable[entity])];
}

export async function listVersions<R, O>(
  entity: VersionedEntity,
  req: ResourceListRequest,
  rpc: string,
  fetch: (q: ListQuery) => Promise<R[]>,
  toMessage: (r: R) => O,
  extraFilters: Filter[] = [],
): Promise<{ items: O[]; token: string }> {
  if (!req.id) throw missingArgument("id");
  requireId(req.id.project, "project");
  requireId(req.id.domain, "domain");
  optionalId(req.id.name, "name");
  optionalId(req.id.org, "org");
  requireLimit(req.limit);
  const filters = [...scopedFilters(entity, req.id, req.filters), ...extraFilters];
  const order = parseSort(req.sortBy, entity);
  const offset = parseToken(req.token, rpc);
  const rows = await fetch({ filters, order, limit: req.limit, offset });
  return { items: rows.map(toMessage), token: nextToken(offset, rows.length, req.limit) };
}

export async function listNames(
  entity: VersionedEntity,
  req: NamedEntityIdentifierListRequest,
  rpc: string,
  fetch: (q: ListQuery) => Promise<Array<{ project: string; domain: string; name: string }>>,
): Promise<{ entities: NamedEntityIdentifier[]; token: string }> {
  requireId(req.project, "project");
  requireId(req.domain, "domain");
  requireLimit(req.limit);
  const order = parseSort(req.sortBy, entity);
  const offset = parseToken(req.token, rpc);
  const names = await fetch({ filters: scopedFilters(entity, req), order, limit: req.limit, offset });
  return { entities: names.map((n) => create(NamedEntityIdentifierSchema, n)), token: nextToken(offset, names.length, req.limit) };
}
