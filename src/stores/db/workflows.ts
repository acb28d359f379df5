// Workflow rows and their description rows: I/O only.
import type { Db } from "./client";
import { descriptionEntities, workflows } from "./schema";
import { dbError } from "./errors";
import { bytes } from "./rows";
import { descriptionRow } from "./tasks";
import { getByKey, listNames, listRows } from "./versioned";
import type { WorkflowRecord, WorkflowStore } from "../../ports/workflows";

type Row = typeof workflows.$inferSelect;

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

export function workflowStore(db: Db): WorkflowStore {
  return {
    async create(w, description) {
      const now = new Date().toISOString();
      try {
        await db.transaction(async (tx) => {
          await tx.insert(workflows).values({
            project: w.project,
            domain: w.domain,
            name: w.name,
            version: w.version,
            typedInterface: Buffer.from(w.typedInterface),
            remoteClosureIdentifier: w.remoteClosureIdentifier,
            digest: Buffer.from(w.digest),
            shortDescription: w.shortDescription,
            createdAt: now,
            updatedAt: now,
          });
          if (description) await tx.insert(descriptionEntities).values(descriptionRow(description, now)).onConflictDoNothing();
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
