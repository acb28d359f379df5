// `npm run db:generate`, after drizzle-kit: rewrites src/stores/db/migrations.ts, the embedded list of
// migrations, from drizzle-kit's journal (drizzle/meta/_journal.json). Each journal entry needs its
// forward SQL (drizzle/NNNN_tag.sql, written by drizzle-kit) and the reverse SQL written by hand beside
// it (drizzle/NNNN_tag.down.sql); a missing one stops the run before anything is written.
//   bun scripts/embed-migrations.ts           write the file
//   bun scripts/embed-migrations.ts --check   exit 1 if the file is not what would be written
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dir, "..");
export const target = join(root, "src/stores/db/migrations.ts");

interface Journal {
  entries: Array<{ idx: number; tag: string }>;
}

const header = `// The migrations, embedded: forward SQL written by drizzle-kit (drizzle/NNNN_tag.sql) and the reverse
// SQL we write beside it (drizzle/NNNN_tag.down.sql). A new migration adds one entry here; a test checks
// this list against drizzle-kit's journal so none can be forgotten.
`;

const footer = `
export interface Migration {
  tag: string;
  up: string;
  down: string;
}

export const migrations: Migration[] = [
%ENTRIES%];

/** drizzle-kit separates statements with this marker. */
export function statements(sqlText: string): string[] {
  return sqlText
    .split("--> statement-breakpoint")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
`;

/** The file's text for the journal under `dir` (the drizzle folder); throws when a SQL file is missing. */
export function render(dir = join(root, "drizzle")): string {
  const journal = JSON.parse(readFileSync(join(dir, "meta/_journal.json"), "utf8")) as Journal;
  const missing: string[] = [];
  const imports: string[] = [];
  const entries: string[] = [];
  for (const { idx, tag } of journal.entries) {
    const name = `m${String(idx).padStart(4, "0")}`;
    for (const file of [`${tag}.sql`, `${tag}.down.sql`]) {
      if (!existsSync(join(dir, file))) missing.push(relative(root, join(dir, file)));
    }
    imports.push(`import ${name} from "../../../drizzle/${tag}.sql" with { type: "text" };`);
    imports.push(`import ${name}down from "../../../drizzle/${tag}.down.sql" with { type: "text" };`);
    entries.push(`  { tag: "${tag}", up: ${name}, down: ${name}down },\n`);
  }
  if (missing.length > 0) {
    throw new Error(`missing migration SQL: ${missing.join(", ")} (write each .down.sql by hand: the statements that undo its .sql)`);
  }
  return `${header}${imports.join("\n")}\n${footer.replace("%ENTRIES%", () => entries.join(""))}`;
}

if (import.meta.main) {
  const check = process.argv.includes("--check");
  let text: string;
  try {
    text = render();
  } catch (e) {
    console.error(`embed-migrations: ${(e as Error).message}`);
    process.exit(1);
  }
  const current = existsSync(target) ? readFileSync(target, "utf8") : "";
  if (check) {
    if (current !== text) {
      console.error(`embed-migrations: ${relative(root, target)} is out of date; run npm run db:generate`);
      process.exit(1);
    }
  } else if (current !== text) {
    writeFileSync(target, text);
    console.log(`embed-migrations: wrote ${relative(root, target)}`);
  } else {
    console.log(`embed-migrations: ${relative(root, target)} is up to date`);
  }
}
