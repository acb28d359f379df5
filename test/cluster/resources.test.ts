// The cluster-resource controller against the stand-in Kubernetes API: templates rendered byte for byte,
// created on the first sync, nothing sent on an unchanged second one, a merge patch after a template or
// attribute change, one failing namespace beside good ones, several clusters, and the namespace ensurer.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ClusterSettings } from "../../src/cluster/executor";
import { ClusterResourceController, SyncError, type ControllerSettings } from "../../src/cluster/resources/controller";
import { parseObjects, renderText, TemplateError } from "../../src/cluster/resources/render";
import type { ResourceSource } from "../../src/cluster/resources/source";
import { resourceTargets, type ResourceTarget } from "../../src/cluster/resources/targets";
import { TemplateConfigError, namespaceValues, readData } from "../../src/cluster/resources/values";
import { silentLogger } from "../../src/kernel/log";
import { startFakeKube, type FakeKube } from "../helpers/fake-k8s";

const dir = mkdtempSync(join(tmpdir(), "cluster-resources-test-"));
const isolated = { env: {}, serviceAccountDir: join(dir, "no-service-account") };
let kube: FakeKube;
let east: FakeKube;
beforeAll(async () => {
  [kube, east] = await Promise.all([startFakeKube(), startFakeKube("east-token")]);
});
afterAll(async () => {
  await Promise.all([kube.close(), east.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const namespaceYaml = `apiVersion: v1
kind: Namespace
metadata:
  name: {{ namespace }}
  labels:
    project: {{project}}
    domain: {{   domain }}
`;
const quotaYaml = `apiVersion: v1
kind: ResourceQuota
metadata:
  name: project-quota
spec:
  hard:
    limits.cpu: "{{ projectQuotaCpu }}"
    limits.memory: "{{ projectQuotaMemory }}"
`;
const accountsYaml = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: default-runner
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: team
data:
  team: "{{ team }}"
`;

let folders = 0;
function templates(files: Record<string, string>): string {
  const d = join(dir, `templates-${++folders}`);
  mkdirSync(d);
  for (const [f, text] of Object.entries(files)) writeFileSync(join(d, f), text);
  return d;
}
const standard = () =>
  templates({ "00-namespace.yaml": namespaceYaml, "10-quota.yaml": quotaYaml, "20-accounts.yaml": accountsYaml, "notes.txt": "not a template" });

const settings = (over: Partial<ControllerSettings> = {}): ControllerSettings => ({
  templatePath: standard(),
  templateData: { projectQuotaCpu: { value: "4" }, projectQuotaMemory: { value: "", valueFrom: { env: "QUOTA_MEMORY", filePath: "" } }, team: { value: "ml" } },
  customData: { production: { projectQuotaCpu: { value: "16" } } },
  namespaceTemplate: "{{ project }}-{{ domain }}",
  domains: [
    { id: "development", name: "development" },
    { id: "production", name: "production" },
  ],
  ensureNamespace: true,
  ...over,
});

/** Projects and attributes as the database would give them; `attrs` may change between syncs. */
class MemSource implements ResourceSource {
  constructor(
    public list: string[],
    public attrs: Record<string, Record<string, string>> = {},
  ) {}
  async projects() {
    return this.list;
  }
  async attributes(project: string, domain: string) {
    return this.attrs[`${project}/${domain}`] ?? {};
  }
}

const single = (k: FakeKube): ResourceTarget[] => {
  const s: ClusterSettings = { kubeConfig: k.writeKubeconfig(), timeoutMs: 5000, clusterConfigs: [], labelClusterMap: {}, defaultExecutionLabel: "" };
  return resourceTargets(s, isolated);
};
const env = { QUOTA_MEMORY: "64Gi" };
const controller = (k: FakeKube, src: ResourceSource, over: Partial<ControllerSettings> = {}) =>
  new ClusterResourceController(settings(over), src, single(k), silentLogger, env);
/** What was sent since `from`, discovery left out (each sync asks it once per API group version). */
const sent = (k: FakeKube, from: number) =>
  k.requests
    .slice(from)
    .map((r) => `${r.method} ${r.path}`)
    .filter((l) => !/^GET \/(api\/v1|apis\/[^/]+\/[^/]+)$/.test(l));
/** The requests naming `namespace` in their path or body, in order: one namespace's share of a parallel sync. */
const sentFor = (k: FakeKube, from: number, namespace: string) =>
  k.requests
    .slice(from)
    .filter((r) => r.path.includes(`/${namespace}`) || JSON.stringify(r.body ?? "").includes(`"${namespace}"`))
    .map((r) => `${r.method} ${r.path}`);

describe("rendering", () => {
  const values = () =>
    namespaceValues(
      readData(settings().templateData, "cluster_resources.templateData", env),
      readData(settings().customData.production, "cluster_resources.customData.production", env),
      { team: "search" },
      { namespace: "flytesnacks-production", project: "flytesnacks", domain: "production" },
    );

  test("placeholders with any spacing; customData over templateData, attributes over both", () => {
    expect(renderText(namespaceYaml, values(), "00-namespace.yaml")).toBe(`apiVersion: v1
kind: Namespace
metadata:
  name: flytesnacks-production
  labels:
    project: flytesnacks
    domain: production
`);
    expect(renderText(quotaYaml, values(), "10-quota.yaml")).toBe(`apiVersion: v1
kind: ResourceQuota
metadata:
  name: project-quota
spec:
  hard:
    limits.cpu: "16"
    limits.memory: "64Gi"
`);
    const text = renderText(accountsYaml, values(), "20-accounts.yaml");
    expect(text).toBe(accountsYaml.replace("{{ team }}", "search"));
    expect(parseObjects(text, "20-accounts.yaml").map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["ServiceAccount/default-runner", "ConfigMap/team"]);
  });

  test("a missing value, an unset env variable and an unreadable file name the file and the key", () => {
    const v = readData(
      { fromEnv: { value: "", valueFrom: { env: "NOPE", filePath: "" } }, fromFile: { value: "", valueFrom: { env: "", filePath: join(dir, "absent") } } },
      "cluster_resources.templateData",
      {},
    );
    expect(() => renderText("a: {{ other }}", v, "x.yaml")).toThrow(
      new TemplateError("x.yaml: {{ other }} has no value (templateData, customData or cluster resource attributes)"),
    );
    expect(() => renderText("a: {{ fromEnv }}", v, "x.yaml")).toThrow(
      "x.yaml: {{ fromEnv }}: cluster_resources.templateData.fromEnv: environment variable NOPE is not set",
    );
    expect(() => renderText("a: {{ fromFile }}", v, "x.yaml")).toThrow(
      `cluster_resources.templateData.fromFile: ${join(dir, "absent")} cannot be read (ENOENT)`,
    );
    writeFileSync(join(dir, "token-value"), "s3cr3t");
    const f = readData({ t: { value: "", valueFrom: { env: "", filePath: join(dir, "token-value") } } }, "w", {});
    expect(renderText("t: {{t}}", f, "x.yaml")).toBe("t: s3cr3t");
  });

  test("reserved keys in the configuration are refused when the controller is built", () => {
    expect(
      () => new ClusterResourceController(settings({ customData: { production: { namespace: { value: "x" } } } }), new MemSource([]), [], silentLogger),
    ).toThrow(TemplateConfigError);
  });
});

describe("sync", () => {
  test("first sync creates every object of every namespace; the second sends nothing", async () => {
    const c = controller(kube, new MemSource(["flytesnacks"]));
    const from = kube.requests.length;
    const r = await c.sync();
    expect(r).toMatchObject({ namespaces: 2, created: 8, patched: 0, unchanged: 0, skipped: 0, failures: [] });
    // Discovery once for the sync (one API group version here), then each namespace's objects in file order.
    expect(kube.requests.slice(from).filter((r) => r.path === "/api/v1").length).toBe(1);
    expect(sent(kube, from).length).toBe(8);
    for (const d of ["development", "production"])
      expect(sentFor(kube, from, `flytesnacks-${d}`)).toEqual([
        "POST /api/v1/namespaces",
        `POST /api/v1/namespaces/flytesnacks-${d}/resourcequotas`,
        `POST /api/v1/namespaces/flytesnacks-${d}/serviceaccounts`,
        `POST /api/v1/namespaces/flytesnacks-${d}/configmaps`,
      ]);
    const quota = kube.resources.get("/api/v1/namespaces/flytesnacks-production/resourcequotas/project-quota") as {
      spec: unknown;
      metadata: { annotations: Record<string, string> };
    };
    expect(quota.spec).toEqual({ hard: { "limits.cpu": "16", "limits.memory": "64Gi" } });
    expect(JSON.parse(quota.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]).spec).toEqual(quota.spec);
    expect((kube.resources.get("/api/v1/namespaces/flytesnacks-development/resourcequotas/project-quota") as { spec: unknown }).spec).toEqual({
      hard: { "limits.cpu": "4", "limits.memory": "64Gi" },
    });
    const again = kube.requests.length;
    expect(await c.sync()).toMatchObject({ created: 0, patched: 0, skipped: 6, failures: [] });
    expect(kube.requests.length).toBe(again);
  });

  test("a new process finds the objects there: one GET each, no patch when nothing changed", async () => {
    const from = kube.requests.length;
    const r = await controller(kube, new MemSource(["flytesnacks"])).sync();
    expect(r).toMatchObject({ created: 0, patched: 0, unchanged: 8, failures: [] });
    expect(sent(kube, from).filter((l) => l.startsWith("PATCH"))).toEqual([]);
  });

  test("an attribute change patches only what it renders into; a template change patches and removes what it dropped", async () => {
    const src = new MemSource(["flytesnacks"]);
    const path = standard();
    const c = controller(kube, src, { templatePath: path });
    await c.sync();
    src.attrs["flytesnacks/development"] = { projectQuotaCpu: "8" };
    let from = kube.requests.length;
    expect(await c.sync()).toMatchObject({ patched: 1, unchanged: 0, skipped: 5, failures: [] });
    const q = "/api/v1/namespaces/flytesnacks-development/resourcequotas/project-quota";
    expect(sent(kube, from)).toEqual([`POST /api/v1/namespaces/flytesnacks-development/resourcequotas`, `GET ${q}`, `PATCH ${q}`]);
    const patch = kube.requests[kube.requests.length - 1];
    expect(patch.contentType).toBe("application/merge-patch+json");
    expect((patch.body as { spec: unknown }).spec).toEqual({ hard: { "limits.cpu": "8" } });
    expect((kube.resources.get(q) as { spec: unknown }).spec).toEqual({ hard: { "limits.cpu": "8", "limits.memory": "64Gi" } });

    writeFileSync(join(path, "10-quota.yaml"), quotaYaml.replace(/\n {4}limits\.memory.*\n/, "\n"));
    from = kube.requests.length;
    expect(await c.sync()).toMatchObject({ patched: 2, skipped: 4, failures: [] });
    expect((kube.requests[kube.requests.length - 1].body as { spec: unknown }).spec).toEqual({ hard: { "limits.memory": null } });
    expect((kube.resources.get(q) as { spec: unknown }).spec).toEqual({ hard: { "limits.cpu": "8" } });
    // The server's own fields of the namespace are left alone.
    expect((kube.resources.get("/api/v1/namespaces/flytesnacks-development") as { spec: unknown }).spec).toEqual({ finalizers: ["kubernetes"] });
    expect(sent(kube, from).filter((l) => l.startsWith("PATCH")).length).toBe(2);
  });

  test("one failing namespace is reported and does not stop the others; the next sync retries it", async () => {
    const c = controller(kube, new MemSource(["alpha", "beta"]), { domains: [{ id: "development", name: "development" }] });
    kube.failNext(1, 500, "InternalError", "etcd is sad", (r) => r.method === "POST" && JSON.stringify(r.body).includes('"alpha-development"'));
    const r = await c.sync();
    // alpha's later files still ran: its namespace was missing, so they failed too, each named.
    const missing = 'namespaces "alpha-development" not found';
    expect(r.failures).toEqual([
      {
        namespace: "alpha-development",
        errors: [
          "00-namespace.yaml: creating Namespace alpha-development: 500 InternalError: etcd is sad",
          `10-quota.yaml: creating ResourceQuota alpha-development/project-quota: 404 NotFound: ${missing}`,
          `20-accounts.yaml: creating ServiceAccount alpha-development/default-runner: 404 NotFound: ${missing}`,
        ],
      },
    ]);
    expect(r.created).toBe(4);
    expect(kube.resources.has("/api/v1/namespaces/beta-development/configmaps/team")).toBe(true);
    const retry = await c.sync();
    expect(retry.failures).toEqual([]);
    expect(kube.resources.has("/api/v1/namespaces/alpha-development/resourcequotas/project-quota")).toBe(true);
  });

  test("a template error fails its file in every namespace and nothing else", async () => {
    const path = templates({ "00-namespace.yaml": namespaceYaml, "50-broken.yaml": "kind: ConfigMap\nmetadata:\n  name: {{ nothing }}\n" });
    const r = await controller(kube, new MemSource(["gamma"]), { templatePath: path }).sync();
    expect(r.failures.map((f) => f.errors)).toEqual([
      ["50-broken.yaml: {{ nothing }} has no value (templateData, customData or cluster resource attributes)"],
      ["50-broken.yaml: {{ nothing }} has no value (templateData, customData or cluster resource attributes)"],
    ]);
    expect(kube.resources.has("/api/v1/namespaces/gamma-production")).toBe(true);
  });

  test("kinds are placed where the cluster's discovery says: irregular plurals, cluster-wide custom kinds, unserved kinds named", async () => {
    kube.serveKind("example.com/v1", { kind: "Mouse", name: "mice", namespaced: true });
    kube.serveKind("example.com/v1", { kind: "Team", name: "teams", namespaced: false });
    const custom = `apiVersion: example.com/v1
kind: Mouse
metadata:
  name: squeak
---
apiVersion: example.com/v1
kind: Team
metadata:
  name: team-{{ namespace }}
`;
    const path = templates({
      "00-namespace.yaml": namespaceYaml,
      "10-custom.yaml": custom,
      "20-unserved.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
      "30-no-api.yaml": "apiVersion: nope.io/v1\nkind: Thing\nmetadata:\n  name: t\n",
    });
    const from = kube.requests.length;
    const r = await controller(kube, new MemSource(["mouse"]), { templatePath: path, domains: [{ id: "development", name: "development" }] }).sync();
    expect(kube.resources.get("/apis/example.com/v1/namespaces/mouse-development/mice/squeak")).toBeDefined();
    expect(kube.resources.get("/apis/example.com/v1/teams/team-mouse-development")).toBeDefined();
    expect(r.failures).toEqual([
      {
        namespace: "mouse-development",
        errors: [
          "20-unserved.yaml: kind Widget is not served by the cluster in apiVersion example.com/v1",
          "30-no-api.yaml: apiVersion nope.io/v1 is not served by the cluster",
        ],
      },
    ]);
    // Each API group version was asked once in the sync.
    expect(
      kube.requests
        .slice(from)
        .filter((q) => q.method === "GET" && /^\/(api|apis\/[^/]+)\/[^/]+$/.test(q.path))
        .map((q) => q.path),
    ).toEqual(["/api/v1", "/apis/example.com/v1", "/apis/nope.io/v1"]);
  });

  test("a discovery failure fails the namespaces waiting on it; the next sync asks again", async () => {
    const path = templates({ "00-namespace.yaml": namespaceYaml });
    const c = controller(kube, new MemSource(["disco"]), { templatePath: path, domains: [{ id: "development", name: "development" }] });
    kube.failNext(1, 503, "ServiceUnavailable", "", (q) => q.path === "/api/v1");
    const r = await c.sync();
    expect(r.failures).toEqual([
      { namespace: "disco-development", errors: ["00-namespace.yaml: discovering apiVersion v1: 503 ServiceUnavailable: injected failure 503"] },
    ]);
    expect((await c.sync()).failures).toEqual([]);
    expect(kube.resources.has("/api/v1/namespaces/disco-development")).toBe(true);
  });

  test("an unreadable template folder fails the sync as a whole", async () => {
    expect(controller(kube, new MemSource(["x"]), { templatePath: join(dir, "absent") }).sync()).rejects.toThrow(SyncError);
  });

  test("every enabled cluster gets the objects; each keeps its own checksums", async () => {
    writeFileSync(join(dir, "kube-token"), kube.token);
    writeFileSync(join(dir, "east-token"), east.token);
    const entry = (name: string, k: FakeKube, token: string, enabled = true) => ({
      name,
      endpoint: k.url,
      auth: { tokenPath: join(dir, token), certPath: "" },
      enabled,
      inCluster: false,
    });
    const targets = resourceTargets(
      {
        kubeConfig: "",
        timeoutMs: 5000,
        clusterConfigs: [entry("west", kube, "kube-token"), entry("east", east, "east-token"), entry("off", east, "east-token", false)],
        labelClusterMap: {},
        defaultExecutionLabel: "",
      },
      isolated,
    );
    expect(targets.map((t) => t.id)).toEqual(["west", "east"]);
    const c = new ClusterResourceController(settings({ domains: [{ id: "staging", name: "staging" }] }), new MemSource(["delta"]), targets, silentLogger, env);
    east.failNext(1, 503, "ServiceUnavailable", "", (r) => r.method === "POST");
    const r = await c.sync();
    expect(r.failures[0].errors[0]).toStartWith("00-namespace.yaml: creating Namespace delta-staging in cluster [east]: 503 ServiceUnavailable");
    expect(kube.resources.has("/api/v1/namespaces/delta-staging/configmaps/team")).toBe(true);
    const from = kube.requests.length;
    expect((await c.sync()).failures).toEqual([]);
    expect(kube.requests.length).toBe(from); // west had them all; only east was tried again
    expect(east.resources.has("/api/v1/namespaces/delta-staging")).toBe(true);
  });
});

describe("namespaces without templates", () => {
  test("sync creates the namespaces; ensureNamespace asks once per process", async () => {
    const c = controller(kube, new MemSource(["epsilon"]), { templatePath: "" });
    expect((await c.sync()).failures).toEqual([]);
    expect(kube.resources.has("/api/v1/namespaces/epsilon-production")).toBe(true);
    const from = kube.requests.length;
    await Promise.all([c.ensureNamespace("zeta-development"), c.ensureNamespace("zeta-development")]);
    await c.ensureNamespace("zeta-development");
    await c.ensureNamespace("epsilon-production");
    // epsilon-production was made by the sync: the same cache answers.
    expect(sent(kube, from)).toEqual(["POST /api/v1/namespaces"]);
    kube.failNext(1, 403, "Forbidden", "no");
    expect(c.ensureNamespace("eta-development")).rejects.toThrow("creating Namespace eta-development: 403 Forbidden: no");
    await c.ensureNamespace("eta-development");
    expect(kube.resources.has("/api/v1/namespaces/eta-development")).toBe(true);
  });
});
