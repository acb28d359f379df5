// The house rules that a reader should not have to check by hand: the floors of src/ (no import runs
// back up, no cycle: .dependency-cruiser.cjs), no hand-written source file over 400 lines, and the
// formatter and linter (biome.json) passing on the whole tree.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync, realpathSync } from "node:fs";
import { join, relative } from "node:path";

const root = join(import.meta.dir, "..");

test("no import runs back up a floor and there is no cycle (dependency-cruiser)", () => {
  // dependency-cruiser's own launcher refuses Node 20; under Bun it runs as is.
  const cli = realpathSync(join(root, "node_modules/.bin/depcruise"));
  const run = Bun.spawnSync([process.execPath, cli, "--config", ".dependency-cruiser.cjs", "--output-type", "err", "src"], { cwd: root });
  const out = `${run.stdout.toString()}${run.stderr.toString()}`;
  expect(out).toContain("no dependency violations found");
  expect(run.exitCode).toBe(0);
}, 30_000); // under the full suite's load a spawn alone can pass the default 5 s

test("no source file outside src/gen is over 400 lines", () => {
  const long: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (relative(root, path) !== join("src", "gen")) walk(path);
      } else if (e.name.endsWith(".ts")) {
        const lines = readFileSync(path, "utf8").split("\n").length - 1;
        if (lines > 400) long.push(`${relative(root, path)}: ${lines} lines`);
      }
    }
  };
  walk(join(root, "src"));
  expect(long).toEqual([]);
});

test("the whole tree passes the formatter and the linter (biome ci)", () => {
  const biome = realpathSync(join(root, "node_modules/.bin/biome"));
  const run = Bun.spawnSync([biome, "ci", "--colors=off"], { cwd: root });
  const out = `${run.stdout.toString()}${run.stderr.toString()}`;
  if (run.exitCode !== 0) console.error(out);
  expect(run.exitCode).toBe(0);
}, 30_000);
