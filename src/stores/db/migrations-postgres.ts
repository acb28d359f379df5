// The PostgreSQL migrations: hand-written DDL (migrations-postgres/NNNN_tag.sql and .down.sql) equal to the
// SQLite migrations drizzle-kit writes, tag for tag, so both engines reach the same tables, columns and indexes
// and roll back alike. test/schema-postgres.test.ts checks they stay equal; a new migration adds one entry here.
import type { Migration } from "./migrations";
import m0000 from "../../../migrations-postgres/0000_projects.sql" with { type: "text" };
import m0000down from "../../../migrations-postgres/0000_projects.down.sql" with { type: "text" };
import m0001 from "../../../migrations-postgres/0001_registration.sql" with { type: "text" };
import m0001down from "../../../migrations-postgres/0001_registration.down.sql" with { type: "text" };
import m0002 from "../../../migrations-postgres/0002_executions.sql" with { type: "text" };
import m0002down from "../../../migrations-postgres/0002_executions.down.sql" with { type: "text" };
import m0003 from "../../../migrations-postgres/0003_execution_list_index.sql" with { type: "text" };
import m0003down from "../../../migrations-postgres/0003_execution_list_index.down.sql" with { type: "text" };
import m0004 from "../../../migrations-postgres/0004_oauth_grants.sql" with { type: "text" };
import m0004down from "../../../migrations-postgres/0004_oauth_grants.down.sql" with { type: "text" };
import m0005 from "../../../migrations-postgres/0005_scheduler.sql" with { type: "text" };
import m0005down from "../../../migrations-postgres/0005_scheduler.down.sql" with { type: "text" };

export const postgresMigrations: Migration[] = [
  { tag: "0000_projects", up: m0000, down: m0000down },
  { tag: "0001_registration", up: m0001, down: m0001down },
  { tag: "0002_executions", up: m0002, down: m0002down },
  { tag: "0003_execution_list_index", up: m0003, down: m0003down },
  { tag: "0004_oauth_grants", up: m0004, down: m0004down },
  { tag: "0005_scheduler", up: m0005, down: m0005down },
];
