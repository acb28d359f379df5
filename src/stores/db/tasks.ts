// Task rows and their description rows: I/O only.
import type { Db } from "./client";
import { descriptionEntities, tasks } from "./schema";
import { dbError } from "./errors";
import { getByKey, listNames, listRows } from "./versioned";
import type { DescriptionRecord } from "../../ports/descriptions";
import type { TaskRecord, TaskStore } from "../../ports/tasks";

interface TaskRowSql {
  id: number;
  project: string;
  domain: string;
  name: string;
  version: string;
  closure: ArrayBuffer | Uint8Array;
  digest: ArrayBuffer | Uint8Array | null;
  type: string;
  short_description: string;
}

const bytes = (b: ArrayBuffer | Uint8Array | null | undefined) => (b ? new Uint8Array(b) : new Uint8Array());

function fromSql(r: TaskRowSql): TaskRecord {
  return {
    id: Number(r.id),
    project: r.project,
    domain: r.domain,
    name: r.name,
    version: r.version,
    closure: bytes(r.closure),
    digest: bytes(r.digest),
    type: r.type,
    shortDescription: r.short_description,
  };
}

export function descriptionRow(d: DescriptionRecord, now: string) {
  return {
    resourceType: d.resourceType,
    project: d.project,
    domain: d.domain,
    name: d.name,
    version: d.version,
    shortDescription: d.shortDescription,
    longDescription: d.longDescription ? Buffer.from(d.longDescription) : null,
    link: d.link,
    createdAt: now,
    updatedAt: now,
  };
}

export function taskStore(db: Db): TaskStore {
  return {
    async create(task, description) {
      const now = new Date().toISOString();
      try {
        await db.transaction(async (tx) => {
          await tx.insert(tasks).values({
            project: task.project,
            domain: task.domain,
            name: task.name,
            version: task.version,
            closure: Buffer.from(task.closure),
            digest: Buffer.from(task.digest),
            type: task.type,
            shortDescription: task.shortDescription,
            createdAt: now,
            updatedAt: now,
          });
          // A description already stored for this version (an earlier, failed registration) is kept.
          if (description) await tx.insert(descriptionEntities).values(descriptionRow(description, now)).onConflictDoNothing();
        });
      } catch (e) {
        throw dbError(e, "tasks_pkey");
      }
    },

    async get(key) {
      const row = await getByKey<TaskRowSql>(db, tasks, key);
      return row && fromSql(row);
    },
    async list(q) {
      return (await listRows<TaskRowSql>(db, tasks, q)).map(fromSql);
    },

    listNames: (q) => listNames(db, tasks, q),
  };
}
