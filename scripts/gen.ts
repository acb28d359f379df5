// Regenerates src/gen/ from the .proto files shipped in npm packages, fully offline.
//   bun scripts/gen.ts            write src/gen/
//   bun scripts/gen.ts --check    exit 1 when src/gen/ differs from a fresh generation
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const root = join(import.meta.dir, "..");
const nm = join(root, "node_modules");

/** Where each proto comes from: [source in node_modules or proto/, destination under the staging root]. */
const sources: Array<[string, string]> = [
  [join(nm, "@flyteorg/flyteidl/protos/flyteidl"), "flyteidl"],
  [join(nm, "google-proto-files/google/api/annotations.proto"), "google/api/annotations.proto"],
  [join(nm, "google-proto-files/google/api/http.proto"), "google/api/http.proto"],
  [join(nm, "google-proto-files/google/rpc/status.proto"), "google/rpc/status.proto"],
  [join(nm, "grpc-health-check/proto/health/v1/health.proto"), "grpc/health/v1/health.proto"],
  [join(nm, "@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto"), "grpc/reflection/v1/reflection.proto"],
  [join(nm, "@grpc/reflection/build/proto/grpc/reflection/v1alpha/reflection.proto"), "grpc/reflection/v1alpha/reflection.proto"],
  [join(root, "proto/protoc-gen-openapiv2"), "protoc-gen-openapiv2"],
];

function generate(outDir: string): void {
  const stage = mkdtempSync(join(tmpdir(), "flyteadmin-gen-"));
  try {
    const protos = join(stage, "proto");
    for (const [from, to] of sources) {
      mkdirSync(join(protos, to, ".."), { recursive: true });
      cpSync(from, join(protos, to), { recursive: true, filter: (p) => statSync(p).isDirectory() || p.endsWith(".proto") });
    }
    writeFileSync(join(protos, "buf.yaml"), "version: v2\n");
    writeFileSync(
      join(stage, "buf.gen.yaml"),
      [
        "version: v2",
        "inputs: [{directory: proto}]",
        "clean: true",
        "plugins:",
        `  - local: ${join(nm, ".bin/protoc-gen-es")}`,
        `    out: ${outDir}`,
        "    opt: [target=ts, import_extension=none]",
        "",
      ].join("\n"),
    );
    const r = Bun.spawnSync([join(nm, ".bin/buf"), "generate"], { cwd: stage, stdout: "inherit", stderr: "inherit" });
    if (r.exitCode !== 0) throw new Error(`buf generate failed with exit code ${r.exitCode}`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function listFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out;
}

const target = join(root, "src/gen");
if (process.argv.includes("--check")) {
  const fresh = mkdtempSync(join(tmpdir(), "flyteadmin-gen-check-"));
  try {
    generate(fresh);
    const a = listFiles(fresh);
    let b: Map<string, string>;
    try {
      b = listFiles(target);
    } catch {
      b = new Map();
    }
    const diff = [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
    if (diff.length > 0) {
      console.error(`src/gen/ is stale; run 'npm run gen'. Differing files:\n  ${diff.join("\n  ")}`);
      process.exit(1);
    }
    console.log(`src/gen/ is up to date (${a.size} files)`);
  } finally {
    rmSync(fresh, { recursive: true, force: true });
  }
} else {
  const t0 = performance.now();
  generate(target);
  console.log(`generated ${listFiles(target).size} files into src/gen/ in ${Math.round(performance.now() - t0)} ms`);
}
