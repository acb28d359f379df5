// Tables, as upstream's models (flyteadmin/pkg/repositories/models) mapped to SQLite: an integer surrogate
// `id` as the rowid primary key, the natural key as a UNIQUE index, timestamps as RFC 3339 UTC text so
// string comparison in list filters orders them correctly.
import { sql } from "drizzle-orm";
import { blob, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

const baseModel = {
  id: integer("id").primaryKey({ autoIncrement: true }),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
  deletedAt: text("deleted_at"),
};

export const projects = sqliteTable(
  "projects",
  {
    ...baseModel,
    identifier: text("identifier").notNull().unique(),
    name: text("name").notNull().default(""),
    description: text("description").notNull().default(""),
    /** The whole admin.Project message (binary), as upstream; only its labels are read back. */
    labels: blob("labels", { mode: "buffer" }),
    state: integer("state").notNull().default(sql`0`),
  },
  (t) => [index("projects_state_idx").on(t.state), index("projects_deleted_at_idx").on(t.deletedAt)],
);

export type ProjectRow = typeof projects.$inferSelect;
