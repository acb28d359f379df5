// The migrations, embedded: forward SQL written by drizzle-kit (drizzle/NNNN_tag.sql) and the reverse
// SQL we write beside it (drizzle/NNNN_tag.down.sql). A new migration adds one entry here; a test checks
// this list against drizzle-kit's journal so none can be forgotten.
import m0000 from "../../../drizzle/0000_projects.sql" with { type: "text" };
import m0000down from "../../../drizzle/0000_projects.down.sql" with { type: "text" };
import m0001 from "../../../drizzle/0001_registration.sql" with { type: "text" };
import m0001down from "../../../drizzle/0001_registration.down.sql" with { type: "text" };
import m0002 from "../../../drizzle/0002_executions.sql" with { type: "text" };
import m0002down from "../../../drizzle/0002_executions.down.sql" with { type: "text" };
import m0003 from "../../../drizzle/0003_execution_list_index.sql" with { type: "text" };
import m0003down from "../../../drizzle/0003_execution_list_index.down.sql" with { type: "text" };
import m0004 from "../../../drizzle/0004_oauth_grants.sql" with { type: "text" };
import m0004down from "../../../drizzle/0004_oauth_grants.down.sql" with { type: "text" };
import m0005 from "../../../drizzle/0005_scheduler.sql" with { type: "text" };
import m0005down from "../../../drizzle/0005_scheduler.down.sql" with { type: "text" };

export interface Migration {
  tag: string;
  up: string;
  down: string;
}

export const migrations: Migration[] = [
  { tag: "0000_projects", up: m0000, down: m0000down },
  { tag: "0001_registration", up: m0001, down: m0001down },
  { tag: "0002_executions", up: m0002, down: m0002down },
  { tag: "0003_execution_list_index", up: m0003, down: m0003down },
  { tag: "0004_oauth_grants", up: m0004, down: m0004down },
  { tag: "0005_scheduler", up: m0005, down: m0005down },
];

/** drizzle-kit separates statements with this marker. */
export function statements(sqlText: string): string[] {
  return sqlText
    .split("--> statement-breakpoint")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
