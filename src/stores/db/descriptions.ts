// Description entity rows: I/O only.
import type { Db } from "./client";
import { descriptionEntities } from "./schema";
import { listRows } from "./versioned";
import { eq } from "../../kernel/lists/filters";
import type { DescriptionStore } from "../../ports/descriptions";
import type { DescriptionRecord } from "../../ports/descriptions";

interface DescriptionRowSql {
  resource_type: number;
  project: string;
  domain: string;
  name: string;
  version: string;
  short_description: string;
  long_description: ArrayBuffer | Uint8Array | null;
  link: string;
}

function fromSql(r: DescriptionRowSql): DescriptionRecord {
  return {
    resourceType: Number(r.resource_type),
    project: r.project,
    domain: r.domain,
    name: r.name,
    version: r.version,
    shortDescription: r.short_description,
    longDescription: r.long_description ? new Uint8Array(r.long_description) : null,
    link: r.link,
  };
}

export function descriptionStore(db: Db): DescriptionStore {
  return {
    async get(key) {
      const filters = [
        eq("task", "resource_type", String(key.resourceType)),
        ...(["project", "domain", "name", "version"] as const).map((f) => eq("task", f, key[f])),
      ];
      return (await listRows<DescriptionRowSql>(db, descriptionEntities, { filters, limit: 1, offset: 0 })).map(fromSql)[0];
    },
    async list(q) {
      return (await listRows<DescriptionRowSql>(db, descriptionEntities, q)).map(fromSql);
    },
  };
}
