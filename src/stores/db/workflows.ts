// Workflow rows and their description rows: I/O only.
import type { Db } from "./client";
import { descriptionEntities, workflows } from "./schema";
import { dbError } from "./errors";
import { descriptionRow } from "./tasks";
import { getByKey, listNames, listRows } from "./versioned";
import type { WorkflowRecord, WorkflowStore } from "../../ports/workflows";

interface WorkflowRowSql {
  id: number;
  project: string;
  domain: string;
  name: string;
  version: string;
  typed_interface: ArrayBuffer | Uint8Array | null;
  remote_closure_identifier: string;
  digest: ArrayBuffer | Uint8Array | null;
  short_description: string;
  created_at: string;
}

const bytes = (b: ArrayBuffer | Uint8Array | null) => (b ? new Uint8Array(b) : new Uint8Array());

function fromSql(r: WorkflowRowSql): WorkflowRecord {
  return {
    id: Number(r.id),
    project: r.project,
    domain: r.domain,
    name: r.name,
    version: r.version,
    typedInterface: bytes(r.typed_interface),
    remoteClosureIdentifier: r.remote_closure_identifier,
    digest: bytes(r.digest),
    shortDescription: r.short_description,
    createdAt: r.created_at,
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
      const row = await getByKey<WorkflowRowSql>(db, workflows, key);
      return row && fromSql(row);
    },
    async list(q) {
      return (await listRows<WorkflowRowSql>(db, workflows, q)).map(fromSql);
    },
    listNames: (q) => listNames(db, workflows, q),
  };
}
