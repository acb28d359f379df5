// The embedded migration list (src/stores/db/migrations.ts) is what scripts/embed-migrations.ts writes
// from drizzle-kit's journal, and the drizzle schema has nothing drizzle-kit would add a migration for.
import { describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render, target } from "../scripts/embed-migrations";

const root = join(import.meta.dir, "..");
const drizzleDir = join(root, "drizzle");

describe("embedded migrations", () => {
  test("migrations.ts is exactly what embed-migrations writes", () => {
    expect(readFileSync(target, "utf8")).toBe(render());
  });

  test("a migration without its hand-written .down.sql stops the run", () => {
    const dir = mkdtempSync(join(tmpdir(), "flyteadmin-embed-"));
    try {
      cpSync(drizzleDir, dir, { recursive: true });
      rmSync(join(dir, "0003_execution_list_index.down.sql"));
      expect(() => render(dir)).toThrow("0003_execution_list_index.down.sql");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("drizzle-kit generate on the schema finds nothing to migrate", () => {
    // On a copy of drizzle/, so a drift shows as a new file there and leaves the tree alone. drizzle-kit
    // takes --out relative to its working directory, hence the cwd.
    const dir = mkdtempSync(join(tmpdir(), "flyteadmin-dkit-"));
    try {
      cpSync(drizzleDir, join(dir, "out"), { recursive: true });
      const cli = realpathSync(join(root, "node_modules/.bin/drizzle-kit"));
      const run = Bun.spawnSync(
        [process.execPath, cli, "generate", "--dialect", "sqlite", "--schema", join(root, "src/stores/db/schema.ts"), "--out", "./out"],
        { cwd: dir },
      );
      expect(run.stdout.toString()).toContain("No schema changes");
      expect(run.exitCode).toBe(0);
      const list = (d: string) => (readdirSync(d, { recursive: true, encoding: "utf8" }) as string[]).sort();
      expect(list(join(dir, "out"))).toEqual(list(drizzleDir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
