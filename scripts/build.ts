// `npm run build`: one self-contained executable, dist/flyteadmin, that runs from any directory with no
// node_modules: code, migrations (imported as text) and the libSQL native addon are all inside.
//   bun scripts/build.ts [--target bun-linux-x64|bun-linux-arm64|...] [--outfile dist/flyteadmin]
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { BunPlugin } from "bun";

const root = join(import.meta.dir, "..");
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const target = (arg("target") ?? `bun-linux-${process.arch}`) as Bun.Build.CompileTarget;
const outfile = arg("outfile") ?? join(root, "dist/flyteadmin");

/** The libsql package for the target, e.g. bun-linux-x64 → @libsql/linux-x64-gnu (Bun wants glibc). */
function libsqlPackage(t: string): string {
  const m = /^bun-(linux|darwin|windows)-(x64|arm64)(-musl)?/.exec(t);
  if (!m) throw new Error(`unsupported build target ${t}`);
  const [, os, cpu, musl] = m;
  if (os === "linux") return `@libsql/linux-${cpu}-${musl ? "musl" : "gnu"}`;
  if (os === "darwin") return `@libsql/darwin-${cpu}`;
  return `@libsql/win32-${cpu}-msvc`;
}

// libsql picks its native addon with require(`@libsql/${target}`), which a bundler cannot follow;
// name the package statically so the addon is embedded in the executable.
const libsqlAddon: BunPlugin = {
  name: "libsql-static-addon",
  setup(build) {
    const pkg = libsqlPackage(target);
    build.onLoad({ filter: /[\\/]node_modules[\\/]libsql[\\/](index|promise)\.js$/ }, async (args) => {
      const source = await Bun.file(args.path).text();
      const patched = source.replace("require(`@libsql/${target}`)", `require(${JSON.stringify(`${pkg}/index.node`)})`);
      if (patched === source) throw new Error(`libsql's native addon require was not found in ${args.path}; update scripts/build.ts`);
      return { contents: patched, loader: "js" };
    });
  },
};

function gitCommit(): string {
  const r = Bun.spawnSync(["git", "rev-parse", "--short", "HEAD"], { cwd: root, stderr: "ignore" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : "unknown";
}

const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
const build = { version, build: gitCommit(), buildTime: new Date().toISOString() };

const t0 = performance.now();
const result = await Bun.build({
  entrypoints: [join(root, "src/main.ts")],
  compile: { target, outfile },
  minify: true,
  sourcemap: "none",
  bytecode: true,
  define: { FLYTEADMIN_BUILD: JSON.stringify(build) },
  plugins: [libsqlAddon],
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
const mb = (statSync(outfile).size / 1024 / 1024).toFixed(1);
console.log(`built ${outfile} (${target}, ${mb} MB) in ${Math.round(performance.now() - t0)} ms: ${JSON.stringify(build)}`);
