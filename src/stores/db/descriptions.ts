// Description entity rows: I/O only.
import type { SqlEngine } from "./engine";
import { descriptionEntities } from "./schema";
import { bytesOrNull } from "./rows";
import { listRows } from "./versioned";
import { eq } from "../../kernel/lists/filters";
import type { DescriptionRecord, DescriptionStore } from "../../ports/descriptions";

type Row = typeof descriptionEntities.$inferSelect;

function fromRow(r: Row): DescriptionRecord {
  return {
    resourceType: r.resourceType,
    project: r.project,
    domain: r.domain,
    name: r.name,
    version: r.version,
    shortDescription: r.shortDescription,
    longDescription: bytesOrNull(r.longDescription),
    link: r.link,
  };
}

export function descriptionStore(db: SqlEngine): DescriptionStore {
  return {
    async get(key) {
      const filters = [
        eq("task", "resource_type", String(key.resourceType)),
        ...(["project", "domain", "name", "version"] as const).map((f) => eq("task", f, key[f])),
      ];
      return (await listRows(db, descriptionEntities, { filters, limit: 1, offset: 0 })).map(fromRow)[0];
    },
    async list(q) {
      return (await listRows(db, descriptionEntities, q)).map(fromRow);
    },
  };
}
