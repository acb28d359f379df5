// The executor against stand-in Kubernetes API servers that speak the real paths: create (201, 409),
// delete (200, 404), typed failures, timeouts, TLS and client certificates, the pod's service account,
// several clusters chosen by label and weight, the per-cluster client settings, and the noop executor.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ClusterError, TokenBucket } from "../../src/cluster/client";
import {
  ClusterConfigError,
  clusterSettings,
  createExecutor,
  type ClusterConfigEntry,
  type ClusterSettings,
  type WorkflowExecutor,
} from "../../src/cluster/executor";
import { loadConfig } from "../../src/config/load";
import { createLogger, silentLogger } from "../../src/kernel/log";
import { hasOpenssl, startFakeKube, type FakeKube } from "../helpers/fake-k8s";

const dir = mkdtempSync(join(tmpdir(), "executor-test-"));
const noServiceAccount = join(dir, "no-service-account");
const isolated = { env: {}, serviceAccountDir: noServiceAccount };
let kube: FakeKube;
let west: FakeKube;

beforeAll(async () => {
  [kube, west] = await Promise.all([startFakeKube(), startFakeKube("west-token")]);
});
afterAll(async () => {
  await Promise.all([kube.close(), west.close()]);
});

const settings = (over: Partial<ClusterSettings> = {}): ClusterSettings => ({
  kubeConfig: "",
  timeoutMs: 5000,
  clusterConfigs: [],
  labelClusterMap: {},
  defaultExecutionLabel: "",
  ...over,
});
/** A FlyteWorkflow as the builder makes it: upstream's Go struct spells the kind in lower case. */
const resource = (name: string, namespace = "p-d") => ({
  apiVersion: "flyte.lyft.com/v1alpha1",
  kind: "flyteworkflow",
  metadata: { name, namespace },
  spec: { id: "x" },
});
const run = (e: WorkflowExecutor, name: string, clusterLabel?: string, namespace = "p-d") =>
  e.execute({ executionName: name, namespace, resource: resource(name, namespace), clusterLabel });
const failure = async (p: Promise<unknown>): Promise<ClusterError> => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ClusterError);
  return e as ClusterError;
};
const single = (k: FakeKube, o: Parameters<FakeKube["writeKubeconfig"]>[0] = {}, over: Partial<ClusterSettings> = {}) =>
  createExecutor(settings({ kubeConfig: k.writeKubeconfig(o), ...over }), silentLogger, isolated);
const captureLog = () => {
  const lines: Array<{ level: string; msg: string } & Record<string, unknown>> = [];
  return { lines, log: createLogger("debug", (l) => lines.push(JSON.parse(l))) };
};

describe("noop", () => {
  test("no cluster anywhere: executions are accepted, nothing is sent, and the log says so once", async () => {
    const { lines, log } = captureLog();
    const e = createExecutor(settings(), log, isolated);
    expect(e.kind).toBe("noop");
    const before = kube.requests.length;
    expect(await run(e, "queued")).toEqual({ cluster: "" });
    await e.abort({ cluster: "", namespace: "p-d", executionName: "queued" });
    expect(kube.requests.length).toBe(before);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [
        "warn",
        "no Kubernetes cluster configured (server.kube-config, clusters.clusterConfigs, a pod's service account or KUBECONFIG): executions are accepted and stay queued",
      ],
    ]);
  });
});

describe("one cluster", () => {
  test("create: the FlyteWorkflow kind on the wire, 201; again: 409 AlreadyExists is success", async () => {
    const e = single(kube);
    expect(e.kind).toBe("k8s");
    expect(await run(e, "exec-a")).toEqual({ cluster: "" });
    const post = kube.requests.at(-1)!;
    expect([post.method, post.path, post.authorization, post.contentType]).toEqual([
      "POST",
      "/apis/flyte.lyft.com/v1alpha1/namespaces/p-d/flyteworkflows",
      `Bearer ${kube.token}`,
      "application/json",
    ]);
    expect(post.body).toEqual({
      apiVersion: "flyte.lyft.com/v1alpha1",
      kind: "FlyteWorkflow",
      metadata: { name: "exec-a", namespace: "p-d" },
      spec: { id: "x" },
    });
    const stored = kube.objects.get("p-d/exec-a") as { metadata: { uid: string; resourceVersion: string } };
    expect(stored.metadata.uid).toBeString();
    expect(await run(e, "exec-a")).toEqual({ cluster: "" });
    expect(kube.requests.at(-1)?.method).toBe("POST");
    expect(kube.objects.get("p-d/exec-a")).toBe(stored); // the first one stays
  });

  test("abort: DELETE with background propagation; already gone (404 NotFound) is success", async () => {
    const e = single(kube);
    await run(e, "exec-b");
    await e.abort({ cluster: "", namespace: "p-d", executionName: "exec-b" });
    const del = kube.requests.at(-1)!;
    expect([del.method, del.path, del.body]).toEqual([
      "DELETE",
      "/apis/flyte.lyft.com/v1alpha1/namespaces/p-d/flyteworkflows/exec-b",
      { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" },
    ]);
    expect(kube.objects.has("p-d/exec-b")).toBe(false);
    await e.abort({ cluster: "", namespace: "p-d", executionName: "exec-b" });
    expect(kube.requests.at(-1)?.method).toBe("DELETE");
    await e.abort({ cluster: "id", namespace: "p-d", executionName: "exec-b" }); // upstream's legacy in-cluster id
  });

  test("a cluster label, or another cluster's id, is refused as upstream's in-cluster target does; nothing is sent", async () => {
    const e = single(kube);
    const before = kube.requests.length;
    const labelled = await failure(run(e, "exec-c", "gpu"));
    expect([labelled.message, labelled.retriable]).toEqual(["execution cluster label gpu is not supported", false]);
    const remote = await failure(e.abort({ cluster: "east", namespace: "p-d", executionName: "exec-c" }));
    expect(remote.message).toBe("remote target east is not supported");
    expect(kube.requests.length).toBe(before);
  });

  test("refusals are typed: server errors and throttling retriable, the rest not; the API server's reason and message kept", async () => {
    const e = single(kube);
    kube.failNext(1, 503, "ServiceUnavailable", "etcd is down");
    const unavailable = await failure(run(e, "exec-d"));
    expect([unavailable.status, unavailable.reason, unavailable.kubeMessage, unavailable.retriable]).toEqual([503, "ServiceUnavailable", "etcd is down", true]);
    expect(unavailable.message).toBe("creating flyteworkflow p-d/exec-d: 503 ServiceUnavailable: etcd is down");
    kube.failNext(1, 429, "TooManyRequests");
    expect((await failure(run(e, "exec-d"))).retriable).toBe(true);
    kube.failNext(1, 403, "Forbidden", 'flyteworkflows.flyte.lyft.com is forbidden: User "x" cannot create resource');
    const forbidden = await failure(run(e, "exec-d"));
    expect([forbidden.status, forbidden.reason, forbidden.retriable]).toEqual([403, "Forbidden", false]);
    // A 409 that is not AlreadyExists is not a success.
    kube.failNext(1, 409, "Conflict", "the object has been modified");
    expect((await failure(run(e, "exec-d"))).reason).toBe("Conflict");
    kube.failNext(1, 500, "InternalError");
    const del = await failure(e.abort({ cluster: "", namespace: "p-d", executionName: "exec-d" }));
    expect([del.message, del.retriable]).toEqual(["deleting flyteworkflow p-d/exec-d: 500 InternalError: injected failure 500", true]);
    expect(kube.objects.has("p-d/exec-d")).toBe(false); // none of these created it
  });

  test("what the real API server checks: a wrong token (401), a namespace that does not match (400)", async () => {
    const denied = await failure(run(single(kube, { token: "wrong" }), "exec-e"));
    expect([denied.status, denied.reason, denied.retriable]).toEqual([401, "Unauthorized", false]);
    const e = single(kube);
    const mismatch = await failure(e.execute({ executionName: "exec-e", namespace: "p-d", resource: resource("exec-e", "other-ns") }));
    expect([mismatch.status, mismatch.reason]).toEqual([400, "BadRequest"]);
  });

  test("the resource as the builder spells it would be refused by a real API server: the kind is set on the wire", async () => {
    // Straight to the stand-in, as a client without client-go's encoder would send it.
    const res = await fetch(`${kube.url}/apis/flyte.lyft.com/v1alpha1/namespaces/p-d/flyteworkflows`, {
      method: "POST",
      headers: { authorization: `Bearer ${kube.token}`, "content-type": "application/json" },
      body: JSON.stringify(resource("raw")),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { message: string }).message).toBe(
      'FlyteWorkflow.flyte.lyft.com "raw" is invalid: kind: Invalid value: "flyteworkflow": must be FlyteWorkflow',
    );
  });

  test("no answer: refused connections and timeouts are retriable ClusterErrors naming what was being done", async () => {
    const dead = await failure(run(single(kube, { server: "http://127.0.0.1:1" }), "exec-f"));
    expect([dead.status, dead.retriable]).toEqual([0, true]);
    expect(dead.message).toStartWith("creating flyteworkflow p-d/exec-f: POST http://127.0.0.1:1/apis/");
    const e = single(kube, {}, { timeoutMs: 150 });
    kube.delayNext(1, 1000);
    const started = performance.now();
    const slow = await failure(run(e, "exec-g"));
    expect(performance.now() - started).toBeLessThan(900);
    expect([slow.status, slow.reason, slow.retriable]).toEqual([0, "Timeout", true]);
    expect(slow.message).toEndWith("no answer within 150 ms");
  });

  test("timeout 0 waits as long as it takes (upstream: 0 is no timeout)", async () => {
    const e = single(kube, {}, { timeoutMs: 0 });
    kube.delayNext(1, 300);
    expect(await run(e, "exec-h")).toEqual({ cluster: "" });
  });

  test("KUBECONFIG when nothing else is set; the start-up log names the server and where its credentials came from", async () => {
    const { lines, log } = captureLog();
    const path = kube.writeKubeconfig();
    const e = createExecutor(settings(), log, { env: { KUBECONFIG: path }, serviceAccountDir: noServiceAccount });
    expect(await run(e, "exec-i")).toEqual({ cluster: "" });
    expect(lines).toEqual([
      expect.objectContaining({ level: "info", msg: "executions go to Kubernetes", server: kube.url, credentials: `kubeconfig ${path} (context fake)` }),
    ]);
  });

  test("throttle: client-go's token bucket (burst at once, then qps a second; 0 means 5 and 10)", () => {
    let now = 0;
    const b = new TokenBucket(10, 2, () => now);
    expect([b.reserve(), b.reserve(), b.reserve(), b.reserve()]).toEqual([0, 0, 100, 200]);
    now = 1000; // a second refills the burst, not more
    expect([b.reserve(), b.reserve(), b.reserve()]).toEqual([0, 0, 100]);
    const defaults = new TokenBucket(0, 0, () => 0);
    const waits = Array.from({ length: 11 }, () => defaults.reserve());
    expect(waits.slice(0, 10).every((w) => w === 0)).toBe(true);
    expect(waits[10]).toBe(200);
  });

  test("throttle on the wire: with qps 20 and burst 1, four calls take at least 150 ms", async () => {
    const e = single(kube, {}, { qps: 20, burst: 1 });
    const started = performance.now();
    await Promise.all(["t1", "t2", "t3", "t4"].map((n) => run(e, n)));
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });
});

describe.skipIf(!hasOpenssl())("TLS", () => {
  let secure: FakeKube;
  beforeAll(async () => {
    secure = await startFakeKube({ tls: true });
  });
  afterAll(async () => {
    await secure.close();
  });

  test("the kubeconfig's CA (data or file) verifies the server", async () => {
    expect(await run(single(secure, { ca: "data" }), "tls-a")).toEqual({ cluster: "" });
    expect(await run(single(secure, { ca: "file" }), "tls-b")).toEqual({ cluster: "" });
    expect(secure.objects.has("p-d/tls-b")).toBe(true);
  });

  test("without the CA the server is not trusted (no request reaches it); insecure-skip-tls-verify trusts it anyway", async () => {
    const before = secure.requests.length;
    const untrusted = await failure(run(single(secure, { ca: "none" }), "tls-c"));
    expect([untrusted.status, untrusted.retriable]).toEqual([0, true]);
    expect(untrusted.message).toContain("certificate");
    expect(secure.requests.length).toBe(before);
    expect(await run(single(secure, { insecureSkipTlsVerify: true }), "tls-d")).toEqual({ cluster: "" });
  });

  test("a client certificate instead of a token (data or files)", async () => {
    for (const [name, clientCert] of [
      ["tls-e", "data"],
      ["tls-f", "file"],
    ] as const) {
      expect(await run(single(secure, { token: null, clientCert }), name)).toEqual({ cluster: "" });
      const req = secure.requests.at(-1)!;
      expect([req.authorization, req.clientCertificate]).toEqual([undefined, true]);
    }
    const anonymous = await failure(run(single(secure, { token: null }), "tls-g"));
    expect(anonymous.status).toBe(401);
  });

  test("in a pod: the service account's token and CA, the server from KUBERNETES_SERVICE_HOST/PORT", async () => {
    const sa = mkdtempSync(join(tmpdir(), "sa-"));
    writeFileSync(join(sa, "token"), `${secure.token}\n`);
    writeFileSync(join(sa, "ca.crt"), secure.tls!.ca);
    const port = new URL(secure.url).port;
    const { lines, log } = captureLog();
    const e = createExecutor(settings(), log, { env: { KUBERNETES_SERVICE_HOST: "127.0.0.1", KUBERNETES_SERVICE_PORT: port }, serviceAccountDir: sa });
    expect(await run(e, "tls-pod")).toEqual({ cluster: "" });
    expect(secure.requests.at(-1)?.authorization).toBe(`Bearer ${secure.token}`);
    expect(lines[0]).toMatchObject({ server: `https://127.0.0.1:${port}`, credentials: `in-cluster service account (${sa})` });
  });
});

describe("several clusters", () => {
  const tokenFile = (k: FakeKube) => {
    const path = join(dir, `token-${new URL(k.url).port}`);
    writeFileSync(path, `${k.token}\n`);
    return path;
  };
  const cluster = (name: string, k: FakeKube, over: Partial<ClusterConfigEntry> = {}): ClusterConfigEntry => ({
    name,
    endpoint: k.url,
    auth: { tokenPath: tokenFile(k), certPath: "" },
    enabled: true,
    inCluster: false,
    ...over,
  });
  const multi = (over: Partial<ClusterSettings> = {}) =>
    createExecutor(
      settings({
        clusterConfigs: [cluster("east", kube), cluster("west", west), cluster("off", west, { enabled: false })],
        labelClusterMap: {
          gpu: [{ id: "west", weight: 1 }],
          cpu: [
            { id: "east", weight: 0.5 },
            { id: "off", weight: 1 },
          ],
          spread: [
            { id: "east", weight: 0.5 },
            { id: "west", weight: 0.5 },
          ],
        },
        ...over,
      }),
      silentLogger,
      isolated,
    );

  test("the label's clusters; the chosen cluster's id is returned and its API gets the resource with its own token", async () => {
    const e = multi();
    expect(await run(e, "m-1", "gpu")).toEqual({ cluster: "west" });
    expect(west.objects.has("p-d/m-1")).toBe(true);
    expect(west.requests.at(-1)?.authorization).toBe("Bearer west-token");
    expect(await run(e, "m-2", "cpu")).toEqual({ cluster: "east" }); // "off" is disabled
    expect(kube.objects.has("p-d/m-2")).toBe(true);
  });

  test("no label: the default label's clusters, else every enabled cluster; an unmapped label falls back the same way", async () => {
    const withDefault = multi({ defaultExecutionLabel: "gpu" });
    expect(await run(withDefault, "m-3")).toEqual({ cluster: "west" });
    expect(await run(withDefault, "m-4", "unmapped")).toEqual({ cluster: "west" });
    const all = multi();
    const chosen = new Set<string>();
    for (let i = 0; i < 30; i++) chosen.add((await run(all, `m-all-${i}`)).cluster);
    expect(chosen).toEqual(new Set(["east", "west"]));
  });

  test("one execution name, one cluster: a re-submit (even by another server) goes where the first went", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `m-same-${i}`);
    const first = await Promise.all(names.map((n) => run(multi(), n, "spread")));
    const again = await Promise.all(names.map((n) => run(multi(), n, "spread")));
    expect(again).toEqual(first);
    expect(new Set(first.map((r) => r.cluster))).toEqual(new Set(["east", "west"]));
  });

  test("abort goes to the stored cluster, even a disabled one; an unknown id is refused; none stored picks by name", async () => {
    const e = multi();
    west.objects.set("p-d/m-off", { metadata: { name: "m-off", uid: "u" } }); // submitted before "off" was disabled
    await e.abort({ cluster: "off", namespace: "p-d", executionName: "m-off" });
    expect(west.objects.has("p-d/m-off")).toBe(false);
    const unknown = await failure(e.abort({ cluster: "ghost", namespace: "p-d", executionName: "m-off" }));
    expect([unknown.message, unknown.retriable]).toEqual(["invalid cluster target ghost", false]);
    const { cluster: where } = await run(e, "m-5");
    await e.abort({ cluster: "", namespace: "p-d", executionName: "m-5" });
    expect((where === "east" ? kube : west).requests.at(-1)).toMatchObject({
      method: "DELETE",
      path: "/apis/flyte.lyft.com/v1alpha1/namespaces/p-d/flyteworkflows/m-5",
    });
  });

  test("a cluster's own kubeClientConfig replaces the server's (here: a shorter timeout)", async () => {
    const e = createExecutor(
      settings({ clusterConfigs: [cluster("impatient", kube, { kubeClientConfig: { qps: 0, burst: 0, timeout: "100ms" } })] }),
      silentLogger,
      isolated,
    );
    kube.delayNext(1, 800);
    const slow = await failure(run(e, "m-6"));
    expect([slow.reason, slow.message]).toEqual([
      "Timeout",
      "creating flyteworkflow p-d/m-6 in cluster [impatient]: POST " +
        kube.url +
        "/apis/flyte.lyft.com/v1alpha1/namespaces/p-d/flyteworkflows: no answer within 100 ms",
    ]);
  });

  test("configuration that cannot work stops start-up with the key named", () => {
    const make = (over: Partial<ClusterSettings>) => () => createExecutor(settings(over), silentLogger, isolated);
    expect(make({ clusterConfigs: [cluster("a", kube), cluster("a", west)] })).toThrow(
      new ClusterConfigError("clusters.clusterConfigs[1]: duplicate cluster name a"),
    );
    expect(make({ clusterConfigs: [cluster("a", kube, { enabled: false })] })).toThrow("clusters.clusterConfigs: no enabled cluster to choose from");
    expect(make({ clusterConfigs: [cluster("a", kube, { auth: { tokenPath: "", certPath: "" } })] })).toThrow(
      "clusters.clusterConfigs[0] (a).auth.tokenPath is not set",
    );
    expect(make({ clusterConfigs: [cluster("a", kube, { auth: { tokenPath: join(dir, "nope"), certPath: "" } })] })).toThrow(
      `clusters.clusterConfigs[0] (a).auth.tokenPath: ${join(dir, "nope")} cannot be read`,
    );
    expect(make({ clusterConfigs: [cluster("a", kube, { auth: { tokenPath: tokenFile(kube), certPath: join(dir, "nope.crt") } })] })).toThrow(
      `clusters.clusterConfigs[0] (a).auth.certPath: ${join(dir, "nope.crt")} cannot be read`,
    );
    expect(make({ clusterConfigs: [cluster("a", kube, { endpoint: "" })] })).toThrow("clusters.clusterConfigs[0] (a).endpoint is not set");
    expect(make({ clusterConfigs: [cluster("a", kube, { inCluster: true })] })).toThrow(
      "clusters.clusterConfigs[0] (a): inCluster is set but this is not a pod with a service account (KUBERNETES_SERVICE_HOST/PORT and its token)",
    );
    expect(make({ clusterConfigs: [cluster("a", kube)], labelClusterMap: { gpu: [{ id: "a", weight: 3 }] } })).toThrow(
      "clusters.labelClusterMap.gpu: cluster a has weight 3",
    );
  });

  test.skipIf(!hasOpenssl())("a remote cluster's certPath is its CA", async () => {
    const secure = await startFakeKube({ tls: true });
    try {
      const e = createExecutor(
        settings({ clusterConfigs: [cluster("tls", secure, { auth: { tokenPath: tokenFile(secure), certPath: secure.tls!.caFile } })] }),
        silentLogger,
        isolated,
      );
      expect(await run(e, "m-tls")).toEqual({ cluster: "tls" });
    } finally {
      await secure.close();
    }
  });

  test("server.kube-config is ignored when clusters are listed, and the log says so", () => {
    const { lines, log } = captureLog();
    createExecutor(settings({ kubeConfig: "/nonexistent/kubeconfig", clusterConfigs: [cluster("east", kube)] }), log, isolated);
    expect(lines.map((l) => l.msg)).toEqual([
      "server.kube-config is ignored: clusters.clusterConfigs lists the execution clusters",
      "executions go to Kubernetes",
    ]);
  });
});

describe("the stand-in API server", () => {
  test("GET one and the namespace's list; 404 NotFound Status for a missing name; unknown paths 404", async () => {
    const e = single(kube);
    await run(e, "listed-1", undefined, "list-ns");
    await run(e, "listed-2", undefined, "list-ns");
    const get = (path: string) => fetch(`${kube.url}${path}`, { headers: { authorization: `Bearer ${kube.token}` } });
    const list = await get("/apis/flyte.lyft.com/v1alpha1/namespaces/list-ns/flyteworkflows");
    const body = (await list.json()) as { kind: string; items: Array<{ metadata: { name: string; namespace: string } }> };
    expect([list.status, body.kind, body.items.map((i) => i.metadata.name)]).toEqual([200, "FlyteWorkflowList", ["listed-1", "listed-2"]]);
    const one = await get("/apis/flyte.lyft.com/v1alpha1/namespaces/list-ns/flyteworkflows/listed-2");
    expect(((await one.json()) as { metadata: { name: string } }).metadata.name).toBe("listed-2");
    const missing = await get("/apis/flyte.lyft.com/v1alpha1/namespaces/list-ns/flyteworkflows/nope");
    expect([missing.status, await missing.json()]).toEqual([
      404,
      {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: 'flyteworkflows.flyte.lyft.com "nope" not found',
        reason: "NotFound",
        details: { name: "nope", group: "flyte.lyft.com", kind: "flyteworkflows" },
        code: 404,
      },
    ]);
    expect((await get("/api/v1/pods")).status).toBe(404);
  });
});

describe("configuration", () => {
  test("server.kube-config, server.master, server.kubeClientConfig and clusters.* from a config file", () => {
    const file = join(dir, "flyteadmin.yaml");
    writeFileSync(
      file,
      stringify({
        server: { "kube-config": "$HOME/.kube/config", master: "https://k8s:6443", kubeClientConfig: { qps: 50, burst: 5, timeout: "1m30s" } },
        clusters: {
          clusterConfigs: [
            {
              name: "east",
              endpoint: "https://east:6443",
              auth: { type: "file_path", tokenPath: "/t", certPath: "/c" },
              enabled: true,
              kubeClientConfig: { timeout: "10s" },
            },
            { name: "west", endpoint: "https://west:6443", auth: { tokenPath: "/t2" } },
          ],
          labelClusterMap: { gpu: [{ id: "east", weight: 0.7 }] },
          defaultExecutionLabel: "gpu",
        },
      }),
    );
    const s = clusterSettings(loadConfig({ file }));
    expect(s).toEqual({
      kubeConfig: "$HOME/.kube/config",
      master: "https://k8s:6443",
      timeoutMs: 90_000,
      qps: 50,
      burst: 5,
      clusterConfigs: [
        {
          name: "east",
          endpoint: "https://east:6443",
          auth: { type: "file_path", tokenPath: "/t", certPath: "/c" },
          enabled: true,
          inCluster: false,
          kubeClientConfig: { qps: 0, burst: 0, timeout: "10s" },
        },
        { name: "west", endpoint: "https://west:6443", auth: { type: "", tokenPath: "/t2", certPath: "" }, enabled: false, inCluster: false },
      ],
      labelClusterMap: { gpu: [{ id: "east", weight: 0.7 }] },
      defaultExecutionLabel: "gpu",
      ensureNamespace: true,
    });
    const defaults = clusterSettings(loadConfig({}));
    expect([defaults.timeoutMs, defaults.qps, defaults.burst, defaults.kubeConfig, defaults.clusterConfigs]).toEqual([30_000, 100, 25, "", []]);
  });
});
