// Workflow rows and their description rows: I/O only.
import type { SqlEngine } from "./engine";
import { workflows } from "./schema";
import { dbError } from "./errors";
import { TableWriter } from "./raw-sql";
import { bytes } from "./rows";
import { descriptionRow, descriptions } from "./tasks";
import { getByKey, listNames, listRows } from "./versioned";
import type { WorkflowRecord, WorkflowStore } from "../../ports/workflows";

type Row = typeof workflows.$inferSelect;
const writer = new TableWriter(workflows);

function fromRow(r: Row): WorkflowRecord {
  return {
    id: r.id,
    project: r.project,
    domain: r.domain,
    name: r.name,
    version: r.version,
    typedInterface: bytes(r.typedInterface),
    remoteClosureIdentifier: r.remoteClosureIdentifier,
    digest: bytes(r.digest),
    shortDescription: r.shortDescription,
    createdAt: r.createdAt,
  };
}

export function workflowStore(db: SqlEngine): WorkflowStore {
  return {
    async create(w, description) {
      const now = new Date().toISOString();
      try {
        await db.transaction(async (tx) => {
          await writer.insert(tx, {
            project: w.project,
            domain: w.domain,
            name: w.name,
            version: w.version,
            typedInterface: w.typedInterface,
            remoteClosureIdentifier: w.remoteClosureIdentifier,
            digest: w.digest,
            shortDescription: w.shortDescription,
            createdAt: now,
            updatedAt: now,
          });
          if (description) await descriptions.insert(tx, descriptionRow(description, now), { ignoreConflict: true });
        });
      } catch (e) {
        throw dbError(e, "workflows_pkey");
      }
    },
    async get(key) {
      const row = await getByKey(db, workflows, key);
      return row && fromRow(row);
    },
    async list(q) {
      return (await listRows(db, workflows, q)).map(fromRow);
    },
    listNames: (q) => listNames(db, workflows, q),
  };
}
