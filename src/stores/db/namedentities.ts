// Named entities: distinct names of tasks/workflows/launch plans joined to named_entity_metadata.
import { sql, type SQL } from "drizzle-orm";
import type { SqlEngine } from "./engine";
import { filterOn, filterSql } from "./list-sql";
import { dbError } from "./errors";
import type { Filter } from "../../kernel/lists/filters";
import type { EntityTable, NamedEntityRecord, NamedEntityStore } from "../../ports/namedentities";

const metadataFields = new Set(["description", "state"]);

/** description/state live in the metadata table (a missing row means ACTIVE); the rest in the names. */
function namedFilterSql(f: Filter): SQL {
  // The coalesced state, so state filters treat "no metadata" as ACTIVE.
  if (f.field === "state") return filterOn(coalescedState, f, true);
  return filterSql(f, metadataFields.has(f.field) ? "named_entity_metadata" : "entities");
}

const coalescedState = sql`COALESCE(named_entity_metadata.state, 0)`;
const select = sql`SELECT entities.project AS project, entities.domain AS domain, entities.name AS name,
  COALESCE(named_entity_metadata.description, '') AS description, COALESCE(named_entity_metadata.state, 0) AS state`;

const join = (resourceType: number) => sql`LEFT JOIN named_entity_metadata ON named_entity_metadata.resource_type = ${resourceType}
  AND named_entity_metadata.project = entities.project AND named_entity_metadata.domain = entities.domain
  AND named_entity_metadata.name = entities.name`;

const upsertStateSql = `INSERT INTO named_entity_metadata (resource_type, project, domain, name, description, state, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (resource_type, project, domain, name)
  DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`;
const upsertDescriptionSql = `${upsertStateSql}, description = excluded.description`;

export function namedEntityStore(db: SqlEngine): NamedEntityStore {
  return {
    async get(table: EntityTable, key) {
      const rows = await db.all<NamedEntityRecord>(sql`${select} FROM (SELECT project, domain, name FROM ${sql.identifier(table)}
        WHERE project = ${key.project} AND domain = ${key.domain} AND name = ${key.name} LIMIT 1) AS entities ${join(key.resourceType)}`);
      return rows[0];
    },

    async upsert(key, description, state) {
      const now = new Date().toISOString();
      try {
        // An empty description leaves the stored one as it is.
        await db.exec(description === "" ? upsertStateSql : upsertDescriptionSql, [
          key.resourceType,
          key.project,
          key.domain,
          key.name,
          description,
          state,
          now,
          now,
        ]);
      } catch (e) {
        throw dbError(e, "named_entity_metadata_pkey");
      }
    },

    async list(table, q) {
      const innerOrder =
        q.order && ["project", "domain", "name"].includes(q.order.column)
          ? sql` ORDER BY ${sql.identifier(q.order.column)} ${sql.raw(q.order.direction)}`
          : sql``;
      const inner = sql`SELECT project, domain, name FROM ${sql.identifier(table)} WHERE project = ${q.project} AND domain = ${q.domain}
        GROUP BY project, domain, name${innerOrder} LIMIT ${q.limit} OFFSET ${q.offset}`;
      const where = q.filters.length
        ? sql` WHERE ${sql.join(
            q.filters.map((f) => sql`(${namedFilterSql(f)})`),
            sql` AND `,
          )}`
        : sql``;
      const outerOrder = q.order ? sql` ORDER BY ${sql.identifier(q.order.column)} ${sql.raw(q.order.direction)}` : sql``;
      return db.all<NamedEntityRecord>(sql`SELECT project, domain, name, description, state FROM (
        ${select} FROM (${inner}) AS entities ${join(q.resourceType)}${where}
      ) AS named${outerOrder}`);
    },
  };
}
