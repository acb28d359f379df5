// Named entities (a task, workflow or launch plan name across its versions) and their metadata:
// description and ACTIVE/ARCHIVED state, as upstream's named entity manager.
import { create } from "@bufbuild/protobuf";
import { ResourceType } from "../../gen/flyteidl/core/identifier_pb";
import {
  NamedEntitySchema,
  NamedEntityState,
  type NamedEntity,
  type NamedEntityGetRequest,
  type NamedEntityIdentifier,
  type NamedEntityListRequest,
  type NamedEntityUpdateRequest,
} from "../../gen/flyteidl/admin/common_pb";
import { invalidArgument, invalidValue, missingArgument, notFound } from "../../kernel/errors";
import { validateNamedEntityIdentifier } from "../../kernel/identifiers";
import { parseFilters } from "../../kernel/lists/filters";
import { nextToken, parseSort, parseToken, requireLimit } from "../../kernel/lists/page";
import { knownEnum, requireId } from "../../kernel/validate";
import type { EntityTable, NamedEntityRecord, NamedEntityStore } from "../../ports/namedentities";

const tables: Partial<Record<ResourceType, EntityTable>> = {
  [ResourceType.TASK]: "tasks",
  [ResourceType.WORKFLOW]: "workflows",
  [ResourceType.LAUNCH_PLAN]: "launch_plans",
};

function validResourceType(t: ResourceType): void {
  if (t === ResourceType.UNSPECIFIED || ResourceType[t] === undefined) throw invalidValue("resource_type");
}

function tableOf(t: ResourceType, what: string): EntityTable {
  const table = tables[t];
  if (!table) throw invalidArgument(`Cannot ${what} for resource type: ${ResourceType[t]}`);
  return table;
}

export class NamedEntityManager {
  constructor(private readonly store: NamedEntityStore) {}

  private toEntity(resourceType: ResourceType, r: NamedEntityRecord): NamedEntity {
    return create(NamedEntitySchema, {
      resourceType,
      id: { project: r.project, domain: r.domain, name: r.name },
      metadata: { description: r.description, state: r.state as NamedEntityState },
    });
  }

  private async find(resourceType: ResourceType, id: NamedEntityIdentifier): Promise<NamedEntityRecord> {
    const { project, domain, name } = id;
    const r = await this.store.get(tableOf(resourceType, "get NamedEntityMetadata"), { resourceType, project, domain, name });
    if (!r) throw notFound("entry not found");
    return r;
  }

  async get(req: NamedEntityGetRequest): Promise<NamedEntity> {
    validResourceType(req.resourceType);
    validateNamedEntityIdentifier(req.id);
    return this.toEntity(req.resourceType, await this.find(req.resourceType, req.id));
  }

  async update(req: NamedEntityUpdateRequest): Promise<void> {
    validResourceType(req.resourceType);
    validateNamedEntityIdentifier(req.id);
    if (!req.metadata) throw missingArgument("metadata");
    knownEnum(NamedEntityState, req.metadata.state, "state");
    if (req.metadata.state !== NamedEntityState.NAMED_ENTITY_ACTIVE && !tables[req.resourceType]) {
      throw invalidArgument(`Resource [${ResourceType[req.resourceType]}] cannot have its state updated`);
    }
    await this.find(req.resourceType, req.id);
    const { project, domain, name } = req.id;
    await this.store.upsert({ resourceType: req.resourceType, project, domain, name }, req.metadata.description, req.metadata.state);
  }

  async list(req: NamedEntityListRequest): Promise<{ entities: NamedEntity[]; token: string }> {
    requireId(req.project, "project");
    requireId(req.domain, "domain");
    validResourceType(req.resourceType);
    requireLimit(req.limit);
    // Without filters the single-task runs' system entities stay out of sight, as upstream.
    const filters = parseFilters(req.filters || "not_like(name,.flytegen%)", "entities", ["entities", "named_entity_metadata"]);
    const order = parseSort(req.sortBy, "entities");
    const offset = parseToken(req.token, "ListNamedEntities");
    const rows = await this.store.list(tableOf(req.resourceType, "list entity names"), {
      resourceType: req.resourceType,
      project: req.project,
      domain: req.domain,
      filters,
      order,
      limit: req.limit,
      offset,
    });
    return { entities: rows.map((r) => this.toEntity(req.resourceType, r)), token: nextToken(offset, rows.length, req.limit) };
  }
}
