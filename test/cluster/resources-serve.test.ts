// cluster_resources.inServe: the sync loop inside serve. A project registered after start-up gets its
// namespaces and the example templates' objects at the next refresh, and /metrics counts the syncs.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { startFakeKube, type FakeKube } from "../helpers/fake-k8s";
import { startTestServer, type TestServer } from "../helpers/server";

const examples = join(import.meta.dir, "../../examples/cluster-resources");
let kube: FakeKube;
let ts: TestServer;

beforeAll(async () => {
  kube = await startFakeKube();
  process.env.CLUSTER_SERVE_QUOTA_MEMORY = "8Gi";
  ts = await startTestServer({
    "server.kube-config": kube.writeKubeconfig(),
    "cluster_resources.inServe": "true",
    "cluster_resources.templatePath": examples,
    "cluster_resources.refreshInterval": "200ms",
    "cluster_resources.templateData": JSON.stringify({
      projectQuotaCpu: { value: "2" },
      projectQuotaMemory: { valueFrom: { env: "CLUSTER_SERVE_QUOTA_MEMORY" } },
    }),
  });
});
afterAll(async () => {
  await ts?.close();
  await kube?.close();
  delete process.env.CLUSTER_SERVE_QUOTA_MEMORY;
});

const metric = (text: string, name: string) => Number(new RegExp(`^${name.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);

test("a project registered while serving gets its namespaces and objects at the next refresh; /metrics counts them", async () => {
  await ts.admin().registerProject({ project: { id: "serve-sync", name: "serve-sync" } });
  const quota = "/api/v1/namespaces/serve-sync-production/resourcequotas/project-quota";
  const created = async () => metric(await (await fetch(`${ts.httpUrl}/metrics`)).text(), 'flyteadmin_cluster_resources_objects_total{outcome="created"}');
  // Three namespaces of three objects each; the sync that made them has finished once the counter says so.
  const deadline = Date.now() + 10_000;
  while (!((await created()) >= 9) && Date.now() < deadline) await Bun.sleep(50);
  expect((kube.resources.get(quota) as { spec: unknown } | undefined)?.spec).toEqual({ hard: { "limits.cpu": "2", "limits.memory": "8Gi" } });
  for (const d of ["development", "staging", "production"]) expect(kube.resources.has(`/api/v1/namespaces/serve-sync-${d}`)).toBe(true);
  const text = await (await fetch(`${ts.httpUrl}/metrics`)).text();
  expect(metric(text, "flyteadmin_cluster_resources_syncs_total")).toBeGreaterThanOrEqual(1);
  expect(metric(text, 'flyteadmin_cluster_resources_objects_total{outcome="created"}')).toBeGreaterThanOrEqual(9);
  expect(metric(text, "flyteadmin_cluster_resources_namespace_failures_total")).toBe(0);
  expect(metric(text, "flyteadmin_cluster_resources_last_sync_timestamp_seconds")).toBeGreaterThan(Date.now() / 1000 - 60);
});
