// Description entities: the short/long description and source link saved with each task or workflow
// version, as upstream's description entity manager.
import { create, fromBinary } from "@bufbuild/protobuf";
import { ResourceType, type Identifier } from "../../gen/flyteidl/core/identifier_pb";
import {
  DescriptionEntitySchema,
  DescriptionSchema,
  type DescriptionEntity,
  type DescriptionEntityListRequest,
} from "../../gen/flyteidl/admin/description_entity_pb";
import { invalidValue, missingArgument, notFound } from "../../kernel/errors";
import { validateIdentifierFields } from "../../kernel/identifiers";
import { parseFilters, resourceTypeIs, scopeFilters } from "../../kernel/lists/filters";
import { nextToken, parseSort, parseToken, requireLimit } from "../../kernel/lists/page";
import { requireId } from "../../kernel/validate";
import type { DescriptionRecord, DescriptionStore } from "../../ports/descriptions";

/** Filters and sort keys of a description list use the described entity's columns, as upstream. */
const entityOf = (t: ResourceType) => (t === ResourceType.WORKFLOW ? "workflow" : "task");

function validType(t: ResourceType): void {
  if (t === ResourceType.UNSPECIFIED || ResourceType[t] === undefined) throw invalidValue("resource_type");
}

export class DescriptionManager {
  constructor(private readonly store: DescriptionStore) {}

  private toEntity(r: DescriptionRecord): DescriptionEntity {
    return create(DescriptionEntitySchema, {
      id: { resourceType: r.resourceType, project: r.project, domain: r.domain, name: r.name, version: r.version },
      shortDescription: r.shortDescription,
      longDescription: r.longDescription ? fromBinary(DescriptionSchema, r.longDescription) : undefined,
      sourceCode: { link: r.link },
    });
  }

  async get(id: Identifier | undefined): Promise<DescriptionEntity> {
    if (!id) throw missingArgument("id");
    validType(id.resourceType);
    validateIdentifierFields(id);
    const { resourceType, project, domain, name, version } = id;
    const r = await this.store.get({ resourceType, project, domain, name, version });
    if (!r) throw notFound("entry not found");
    return this.toEntity(r);
  }

  async list(req: DescriptionEntityListRequest): Promise<{ descriptionEntities: DescriptionEntity[]; token: string }> {
    if (!req.id) throw missingArgument("id");
    requireId(req.id.project, "project");
    requireId(req.id.domain, "domain");
    requireId(req.id.name, "name");
    requireLimit(req.limit);
    const entity = entityOf(req.resourceType);
    const filters = [
      // Only descriptions of the asked resource type (upstream lists tasks' and workflows' alike).
      resourceTypeIs(entity, req.resourceType),
      ...scopeFilters(entity, { project: req.id.project, domain: req.id.domain, name: req.id.name }),
      ...parseFilters(req.filters, entity),
    ];
    const order = parseSort(req.sortBy, entity);
    // Upstream names the wrong RPC in this message; clients only show it.
    const offset = parseToken(req.token, "ListWorkflows");
    const rows = await this.store.list({ filters, order, limit: req.limit, offset });
    return { descriptionEntities: rows.map((r) => this.toEntity(r)), token: nextToken(offset, rows.length, req.limit) };
  }
}
