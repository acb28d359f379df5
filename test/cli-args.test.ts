// The command line as a user types it (issue 9 A): --version, help, group words, unknown flags, stray
// arguments, --config read by every command, database.url checked at load, misspelt FLYTE_* variables.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const main = join(import.meta.dir, "../src/main.ts");
const dir = mkdtempSync(join(tmpdir(), "flyteadmin-cli-args-"));

/** Runs the real CLI in `dir` with only the given FLYTE_* variables (the runner's own are dropped). */
async function run(args: string[], env: Record<string, string> = {}) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FLYTE")));
  // The timeout ends a command that wrongly starts serving instead of refusing.
  const proc = Bun.spawn([process.execPath, main, ...args], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { ...base, ...env }, timeout: 15_000 });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

/** Exit 2 with one stderr line that contains `text`. */
async function refused(args: string[], text: string) {
  const r = await run(args);
  expect({ args, code: r.code }).toEqual({ args, code: 2 });
  expect(r.err.trim().split("\n")).toHaveLength(1);
  expect(r.err).toContain(text);
  expect(r.out).toBe("");
}

describe("cli behaves like a cli", () => {
  test("--version and -v print what `version` prints", async () => {
    const [plain, long, short, late] = await Promise.all([run(["version"]), run(["--version"]), run(["-v"]), run(["serve", "--version"])]);
    for (const r of [plain, long, short, late]) {
      expect(r.code).toBe(0);
      expect(Object.keys(JSON.parse(r.out))).toEqual(["version", "build", "buildTime"]);
    }
    expect(JSON.parse(long.out).version).toBe(JSON.parse(plain.out).version);
    await refused(["--version=1"], "flag --version takes no value");
  }, 30_000);

  test("help, help COMMAND, help GROUP", async () => {
    const [all, serve, migrate, unknown] = await Promise.all([run(["help"]), run(["help", "serve"]), run(["help", "migrate"]), run(["help", "frob"])]);
    expect(all.code).toBe(0);
    expect(all.out).toContain("migrate seed-projects");
    expect(all.out).toContain("db backup");
    expect(serve.code).toBe(0);
    expect(serve.out).toContain("usage: flyteadmin serve");
    expect(migrate.code).toBe(0);
    expect(migrate.out).toContain("usage: flyteadmin migrate <command>");
    expect(migrate.out).not.toContain("config docs");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "frob"');
  }, 30_000);

  test("a group word alone prints that group's usage and exits 2", async () => {
    for (const [word, subs] of [
      ["migrate", ["migrate run", "migrate rollback", "migrate seed-projects"]],
      ["config", ["config docs"]],
      ["db", ["db backup"]],
    ] as const) {
      const r = await run([word]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`"${word}" needs a subcommand`);
      expect(r.err).toContain(`usage: flyteadmin ${word} <command>`);
      for (const s of subs) expect(r.err).toContain(s);
      expect(r.err).not.toContain("serve every protocol");
    }
    const bad = await run(["migrate", "frob"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown command "migrate frob"');
    expect(bad.err).toContain("migrate rollback");
  }, 30_000);

  test("unknown flags are refused by every command, with the key they resemble", async () => {
    await Promise.all([
      refused(["version", "--bogus", "1"], "unknown flag --bogus"),
      refused(["config", "docs", "--bogus=1"], "unknown flag --bogus"),
      refused(["serve", "--server.httpport", "0"], "unknown flag --server.httpport (did you mean --server.httpPort?)"),
      refused(["migrate", "run", "-x"], "unknown flag -x"),
      refused(["serve", "--server.httpPort"], "flag --server.httpPort needs a value"),
    ]);
  }, 30_000);

  test("stray arguments are refused, naming the argument", async () => {
    await Promise.all([
      refused(["serve", "extra-arg", "--server.httpPort", "0", "--server.grpc.port", "0"], 'unexpected argument "extra-arg": "serve" takes no arguments'),
      refused(["version", "x"], 'unexpected argument "x"'),
      refused(["config", "docs", "x"], 'unexpected argument "x"'),
      refused(["migrate", "run", "x"], 'unexpected argument "x"'),
      refused(["migrate", "rollback", "x"], 'unexpected argument "x"'),
      refused(["db", "backup"], '"db backup" needs FILE'),
      refused(["db", "backup", "a.db", "b.db"], 'unexpected argument "b.db"'),
    ]);
  }, 30_000);

  test("--config is read by every command, version and config docs included", async () => {
    await Promise.all([
      refused(["version", "--config", "missing.yaml"], "cannot read config file missing.yaml"),
      refused(["--version", "--config", "missing.yaml"], "cannot read config file missing.yaml"),
      refused(["config", "docs", "--config", "missing.yaml"], "cannot read config file missing.yaml"),
    ]);
    const file = join(dir, "bad.yaml");
    writeFileSync(file, "server:\n  httpPortt: 1\n");
    await refused(["version", "--config", file], `unknown config key "server.httpPortt" in ${file}`);
    const good = join(dir, "good.yaml");
    writeFileSync(good, "logger:\n  level: warn\n");
    expect((await run(["version", "--config", good])).code).toBe(0);
  }, 30_000);

  test("a bad database.url names the key and where it came from", async () => {
    await refused(["migrate", "run", "--database.url", "notaurl"], 'invalid value for config key "database.url" (from flag --database.url)');
    await refused(["serve", "--database.url", "http:nohost"], '"database.url"');
    const r = await run(["migrate", "run"], { FLYTE_DATABASE_URL: "mysql://h/db" });
    expect(r.code).toBe(2);
    expect(r.err).toContain("from environment variable FLYTE_DATABASE_URL");
    expect(r.err).not.toContain("URL_INVALID");
    const file = join(dir, "url.yaml");
    writeFileSync(file, "database:\n  url: nonsense\n");
    await refused(["version", "--config", file], `(from config file ${file})`);
    expect((await run(["version", "--database.url", "libsql://db.example.com"])).code).toBe(0);
  }, 30_000);

  test("a FLYTE_* variable under one of our sections that names no key is a warning, with the near key", async () => {
    const r = await run(["version"], {
      FLYTE_SERVER_HTTP_PORT: "9000",
      FLYTE_DATABASE_URLX: "file:x.db",
      FLYTE_STORAGE_NOTHING_LIKE_IT: "1",
      FLYTE_PLATFORM_URL: "dns:///other.component", // not one of our sections: not ours to judge
      FLYTE_SERVER_HTTPPORT: "9001",
      FLYTEADMIN_DEBUG: "1",
    });
    expect(r.code).toBe(0);
    const warnings = r.err.trim().split("\n");
    expect(warnings).toEqual([
      "flyteadmin: warning: environment variable FLYTE_DATABASE_URLX names no config key and is ignored (did you mean FLYTE_DATABASE_URL?)",
      "flyteadmin: warning: environment variable FLYTE_SERVER_HTTP_PORT names no config key and is ignored (did you mean FLYTE_SERVER_HTTPPORT?)",
      "flyteadmin: warning: environment variable FLYTE_STORAGE_NOTHING_LIKE_IT names no config key and is ignored",
    ]);
  }, 30_000);

  test("FLYTEADMIN_DEBUG still adds the stack of an unexpected error", async () => {
    const args = ["serve", "--server.security.secure", "true", "--server.httpPort", "0", "--server.grpc.port", "0"];
    const plain = await run(args);
    const debug = await run(args, { FLYTEADMIN_DEBUG: "1" });
    expect(plain.code).toBe(1);
    expect(plain.err.trim().split("\n")).toHaveLength(1);
    expect(debug.code).toBe(1);
    expect(debug.err).toContain("needs server.security.ssl.certificateFile");
    expect(debug.err).toMatch(/\n\s+at /);
    expect(debug.err).not.toContain("warning");
  }, 30_000);
});
