// `npm run test:clients`: installs the pinned real clients (tools.ts), then runs every
// test/clients/*.client.ts through scripts/test.ts, which ends with "N passed, N failed".
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { ensureTools, repoRoot } from "./tools";

try {
  ensureTools();
} catch (e) {
  console.error(`[clients] cannot install the real clients: ${(e as Error).message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

const only = process.argv.slice(2);
const files = readdirSync(import.meta.dir)
  .filter((f) => f.endsWith(".client.ts") && (only.length === 0 || only.some((o) => f.includes(o))))
  .map((f) => `./test/clients/${f}`);
const proc = Bun.spawn([process.execPath, join(repoRoot, "scripts", "test.ts"), "--timeout", "300000", ...files], {
  cwd: repoRoot,
  stdio: ["ignore", "inherit", "inherit"],
});
process.exit(await proc.exited);
