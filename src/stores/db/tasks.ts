// Task rows and their description rows: I/O only.
import type { SqlEngine } from "./engine";
import { descriptionEntities, tasks } from "./schema";
import { dbError } from "./errors";
import { TableWriter } from "./raw-sql";
import { bytes } from "./rows";
import { getByKey, listNames, listRows } from "./versioned";
import type { DescriptionRecord } from "../../ports/descriptions";
import type { TaskRecord, TaskStore } from "../../ports/tasks";

type Row = typeof tasks.$inferSelect;
const writer = new TableWriter(tasks);
export const descriptions = new TableWriter(descriptionEntities);

function fromRow(r: Row): TaskRecord {
  return {
    id: r.id,
    project: r.project,
    domain: r.domain,
    name: r.name,
    version: r.version,
    closure: bytes(r.closure),
    digest: bytes(r.digest),
    type: r.type,
    shortDescription: r.shortDescription,
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
    longDescription: d.longDescription ?? null,
    link: d.link,
    createdAt: now,
    updatedAt: now,
  };
}

export function taskStore(db: SqlEngine): TaskStore {
  return {
    async create(task, description) {
      const now = new Date().toISOString();
      try {
        await db.transaction(async (tx) => {
          await writer.insert(tx, {
            project: task.project,
            domain: task.domain,
            name: task.name,
            version: task.version,
            closure: task.closure,
            digest: task.digest,
            type: task.type,
            shortDescription: task.shortDescription,
            createdAt: now,
            updatedAt: now,
          });
          // A description already stored for this version (an earlier, failed registration) is kept.
          if (description) await descriptions.insert(tx, descriptionRow(description, now), { ignoreConflict: true });
        });
      } catch (e) {
        throw dbError(e, "tasks_pkey");
      }
    },

    async get(key) {
      const row = await getByKey(db, tasks, key);
      return row && fromRow(row);
    },
    async list(q) {
      return (await listRows(db, tasks, q)).map(fromRow);
    },

    listNames: (q) => listNames(db, tasks, q),
  };
}
