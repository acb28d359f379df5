// Generated code is committed; this fails when regenerating from the pinned .proto files would change it.
import { expect, test } from "bun:test";
import { join } from "node:path";

test("src/gen is what scripts/gen.ts produces", () => {
  const r = Bun.spawnSync([process.execPath, join(import.meta.dir, "../scripts/gen.ts"), "--check"], { stderr: "pipe", stdout: "pipe" });
  expect(r.stderr.toString()).toBe("");
  expect(r.exitCode).toBe(0);
}, 60_000);
