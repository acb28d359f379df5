// Rewrites README.md's configuration table from the config schema:  bun scripts/readme-config.ts
// (test/config.test.ts fails when the README's table differs from what this writes.)
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configKeys, envName } from "../src/config/keys";

const header = "| key | default | environment | meaning |\n|---|---|---|---|\n";

export function configTable(): string {
  return `${header + configKeys.map((k) => `| \`${k.key}\` | \`${JSON.stringify(k.default)}\` | \`${envName(k.key)}\` | ${k.doc} |`).join("\n")}\n`;
}

/** The table as it stands in the README text. */
export function readmeTable(readme: string): string {
  const start = readme.indexOf(header);
  if (start < 0) return "";
  const rest = readme.slice(start);
  const end = rest.search(/\n(?!\|)/);
  return rest.slice(0, end + 1);
}

if (import.meta.main) {
  const path = join(import.meta.dir, "../README.md");
  const readme = readFileSync(path, "utf8");
  const current = readmeTable(readme);
  if (!current) throw new Error("README.md has no configuration table header");
  writeFileSync(path, readme.replace(current, configTable()));
  console.log(`README.md: ${configKeys.length} config keys`);
}
