// `flyteadmin clusterresource sync` and `run` as a user runs them: projects seeded into the embedded
// database, the example templates of examples/cluster-resources, the stand-in Kubernetes API.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeKube, type FakeKube } from "../helpers/fake-k8s";

const main = join(import.meta.dir, "../../src/main.ts");
const examples = join(import.meta.dir, "../../examples/cluster-resources");
const dir = mkdtempSync(join(tmpdir(), "clusterresource-cli-"));
let kube: FakeKube;
let config: string;

// Asynchronous: the stand-in API answers from this process while the command runs.
async function run(args: string[]) {
  const proc = Bun.spawn([process.execPath, main, ...args, "--config", config], {
    cwd: dir,
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, QUOTA_MEMORY: "32Gi" },
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, out, err };
}

beforeAll(async () => {
  kube = await startFakeKube();
  config = join(dir, "flyteadmin.yaml");
  writeFileSync(
    config,
    JSON.stringify({
      server: { "kube-config": kube.writeKubeconfig() },
      cluster_resources: {
        templatePath: examples,
        templateData: { projectQuotaCpu: { value: "4" }, projectQuotaMemory: { valueFrom: { env: "QUOTA_MEMORY" } } },
        customData: { production: { projectQuotaCpu: { value: "16" } } },
        refreshInterval: "200ms",
      },
    }),
  );
  const seeded = Bun.spawnSync([process.execPath, main, "migrate", "seed-projects", "alpha", "beta", "--config", config], { cwd: dir, stderr: "pipe" });
  expect(seeded.exitCode).toBe(0);
});
afterAll(() => kube.close());

describe("clusterresource", () => {
  test("sync creates every namespace and object of the example templates, then exits 0", async () => {
    const r = await run(["clusterresource", "sync"]);
    expect([r.code, r.err]).toEqual([0, ""]);
    const namespaces = [...kube.resources.keys()].filter((k) => /^\/api\/v1\/namespaces\/[^/]+$/.test(k)).sort();
    expect(namespaces).toEqual(["alpha", "beta"].flatMap((p) => ["development", "production", "staging"].map((d) => `/api/v1/namespaces/${p}-${d}`)));
    const quota = (ns: string) => (kube.resources.get(`/api/v1/namespaces/${ns}/resourcequotas/project-quota`) as { spec: unknown }).spec;
    expect(quota("alpha-production")).toEqual({ hard: { "limits.cpu": "16", "limits.memory": "32Gi" } });
    expect(quota("beta-staging")).toEqual({ hard: { "limits.cpu": "4", "limits.memory": "32Gi" } });
    expect(kube.resources.has("/apis/rbac.authorization.k8s.io/v1/namespaces/beta-staging/rolebindings/flyte-tasks-edit")).toBe(true);
    expect(JSON.parse(r.out.trim().split("\n").at(-1) ?? "")).toMatchObject({ msg: "cluster resources synced", namespaces: 6, created: 24, failed: [] });
  });

  test("a namespace that fails is printed and the exit code is 1; the others are synced", async () => {
    kube.failNext(1, 500, "InternalError", "etcd is sad", (q) => q.method === "POST" && JSON.stringify(q.body).includes('"alpha-development"'));
    const r = await run(["clusterresource", "sync"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("namespace alpha-development: 00-namespace.yaml: creating Namespace alpha-development: 500 InternalError: etcd is sad\n");
    expect(r.out).toContain('"unchanged":23');
  });

  test("no cluster configured: a one-line reason", async () => {
    const r = await run(["clusterresource", "sync", "--server.kube-config", join(dir, "absent")]);
    expect(r.code).not.toBe(0);
    expect(r.err.trim().split("\n")).toHaveLength(1);
  });

  test("run syncs every refreshInterval until SIGTERM", async () => {
    const proc = Bun.spawn([process.execPath, main, "clusterresource", "run", "--config", config], {
      cwd: dir,
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, QUOTA_MEMORY: "32Gi" },
    });
    const reader = proc.stdout.getReader();
    let text = "";
    while ((text.match(/cluster resources synced/g) ?? []).length < 2) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    // The second pass in the same process sends nothing: every file's checksum is known.
    const passes = text
      .split("\n")
      .filter((l) => l.includes("cluster resources synced"))
      .map((l) => JSON.parse(l));
    expect(passes[1]).toMatchObject({ skipped: 18, created: 0, patched: 0, unchanged: 0 });
  }, 20_000);
});
