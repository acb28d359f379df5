// The Kubernetes side: credentials from kubeconfigs and service accounts, cluster selection, and the
// executor's create/delete semantics against a stand-in API server that speaks the real paths.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClusterError } from "../../src/cluster/client";
import { defaultCredentials, inClusterCredentials, loadKubeconfig } from "../../src/cluster/credentials";
import { createExecutor, pickWeighted, type ClusterSettings } from "../../src/cluster/executor";
import { silentLogger } from "../../src/log";
import { startFakeKube, type FakeKube } from "../helpers/fake-k8s";

let kube: FakeKube;
const dir = mkdtempSync(join(tmpdir(), "flyteadmin-k8s-"));
const b64 = (s: string) => Buffer.from(s).toString("base64");

function kubeconfig(name: string, user: Record<string, string>, cluster: Record<string, string | boolean> = {}): string {
  const path = join(dir, name);
  const doc = [
    "apiVersion: v1",
    "kind: Config",
    "current-context: test",
    "contexts: [{name: test, context: {cluster: c, user: u}}, {name: other, context: {cluster: c2}}]",
    `clusters: [{name: c, cluster: ${JSON.stringify({ server: kube.url, ...cluster })}}, {name: c2, cluster: {server: "https://elsewhere"}}]`,
    `users: [{name: u, user: ${JSON.stringify(user)}}]`,
  ].join("\n");
  writeFileSync(path, doc);
  return path;
}

const settings = (over: Partial<ClusterSettings> = {}): ClusterSettings => ({
  kubeConfig: "",
  timeoutMs: 2000,
  clusterConfigs: [],
  labelClusterMap: {},
  defaultExecutionLabel: "",
  ...over,
});
const resource = (name: string) => ({ apiVersion: "flyte.lyft.com/v1alpha1", kind: "flyteworkflow", metadata: { name, namespace: "p-d" } });

beforeAll(async () => {
  kube = await startFakeKube();
});
afterAll(async () => {
  await kube.close();
});

describe("credentials", () => {
  test("kubeconfig: current context, token, token file, CA and client certificate data", () => {
    const withToken = loadKubeconfig(kubeconfig("a.yaml", { token: "t1" }, { "certificate-authority-data": b64("CA PEM") }));
    expect(withToken.server).toBe(kube.url);
    expect(withToken.token?.()).toBe("t1");
    expect(withToken.ca).toBe("CA PEM");
    writeFileSync(join(dir, "token"), "t2\n");
    expect(loadKubeconfig(kubeconfig("b.yaml", { tokenFile: "token" })).token?.()).toBe("t2");
    const cert = loadKubeconfig(kubeconfig("c.yaml", { "client-certificate-data": b64("CERT"), "client-key-data": b64("KEY") }, { "insecure-skip-tls-verify": true }));
    expect([cert.cert, cert.key, cert.insecureSkipTlsVerify]).toEqual(["CERT", "KEY", true]);
    writeFileSync(join(dir, "bad.yaml"), "kind: Config\n");
    expect(() => loadKubeconfig(join(dir, "bad.yaml"))).toThrow(`kubeconfig ${join(dir, "bad.yaml")}: no context`);
  });

  test("in a pod: the service account and KUBERNETES_SERVICE_HOST/PORT; else KUBECONFIG; else none", () => {
    const sa = mkdtempSync(join(tmpdir(), "sa-"));
    writeFileSync(join(sa, "token"), "pod-token");
    writeFileSync(join(sa, "ca.crt"), "POD CA");
    const env = { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" };
    const pod = inClusterCredentials(env, sa);
    expect([pod?.server, pod?.token?.(), pod?.ca]).toEqual(["https://10.0.0.1:443", "pod-token", "POD CA"]);
    expect(defaultCredentials("", { KUBECONFIG: kubeconfig("env.yaml", { token: "e" }) }, sa)?.token?.()).toBe("e");
    expect(defaultCredentials("", {}, sa)).toBeUndefined();
  });
});

describe("executor", () => {
  test("no cluster configured: noop, executions stay queued", async () => {
    const e = createExecutor(settings(), silentLogger, {}, join(dir, "no-sa"));
    expect(e.kind).toBe("noop");
    expect(await e.execute({ executionName: "x", namespace: "n", resource: {} })).toEqual({ cluster: "" });
  });

  test("create: 201, and 409 AlreadyExists is success; delete with background propagation, 404 is success", async () => {
    const e = createExecutor(settings({ kubeConfig: kubeconfig("k.yaml", { token: kube.token }) }), silentLogger);
    expect(e.kind).toBe("k8s");
    expect(await e.execute({ executionName: "exec-a", namespace: "p-d", resource: resource("exec-a") })).toEqual({ cluster: "" });
    expect(await e.execute({ executionName: "exec-a", namespace: "p-d", resource: resource("exec-a") })).toEqual({ cluster: "" });
    expect(kube.objects.has("p-d/exec-a")).toBe(true);
    await e.abort({ cluster: "", namespace: "p-d", executionName: "exec-a" });
    const del = kube.requests.at(-1);
    expect([del?.method, del?.path, (del?.body as { propagationPolicy: string }).propagationPolicy]).toEqual([
      "DELETE",
      "/apis/flyte.lyft.com/v1alpha1/namespaces/p-d/flyteworkflows/exec-a",
      "Background",
    ]);
    await e.abort({ cluster: "", namespace: "p-d", executionName: "exec-a" }); // already gone: fine
    const labelled = await e.execute({ executionName: "b", namespace: "p-d", resource: resource("b"), clusterLabel: "gpu" }).catch((x: unknown) => x);
    expect((labelled as Error).message).toBe("execution cluster label gpu is not supported");
  });

  test("refusals are typed errors: server errors retriable, auth failures not; nothing is swallowed", async () => {
    const e = createExecutor(settings({ kubeConfig: kubeconfig("k2.yaml", { token: kube.token }) }), silentLogger);
    kube.failNext(1, 503, "ServiceUnavailable");
    const unavailable = (await e.execute({ executionName: "c", namespace: "p-d", resource: resource("c") }).catch((x: unknown) => x)) as ClusterError;
    expect(unavailable).toBeInstanceOf(ClusterError);
    expect([unavailable.status, unavailable.reason, unavailable.retriable]).toEqual([503, "ServiceUnavailable", true]);
    const wrongToken = createExecutor(settings({ kubeConfig: kubeconfig("k3.yaml", { token: "nope" }) }), silentLogger);
    const denied = (await wrongToken.execute({ executionName: "d", namespace: "p-d", resource: resource("d") }).catch((x: unknown) => x)) as ClusterError;
    expect([denied.status, denied.reason, denied.retriable]).toEqual([401, "Unauthorized", false]);
    const dead = createExecutor(settings({ kubeConfig: kubeconfig("dead.yaml", { token: "t" }, { server: "http://127.0.0.1:1" }) }), silentLogger);
    const refused = (await dead.execute({ executionName: "e", namespace: "p-d", resource: resource("e") }).catch((x: unknown) => x)) as ClusterError;
    expect([refused.status, refused.retriable]).toEqual([0, true]);
  });

  test("several clusters: the label's clusters by weight, else the default label's, else all; stable per name", async () => {
    writeFileSync(join(dir, "cluster-token"), kube.token);
    const cluster = (name: string, enabled = true) => ({ name, endpoint: kube.url, auth: { tokenPath: join(dir, "cluster-token"), certPath: "" }, enabled, inCluster: false });
    const e = createExecutor(
      settings({
        clusterConfigs: [cluster("east"), cluster("west"), cluster("off", false)],
        labelClusterMap: { gpu: [{ id: "west", weight: 1 }], batch: [{ id: "east", weight: 3 }, { id: "off", weight: 100 }] },
        defaultExecutionLabel: "batch",
      }),
      silentLogger,
    );
    expect((await e.execute({ executionName: "g1", namespace: "p-d", resource: resource("g1"), clusterLabel: "gpu" })).cluster).toBe("west");
    // Default label "batch": only "east" is enabled there.
    expect((await e.execute({ executionName: "g2", namespace: "p-d", resource: resource("g2") })).cluster).toBe("east");
    const picks = new Set(Array.from({ length: 50 }, (_, i) => pickWeighted([{ item: "a", weight: 1 }, { item: "b", weight: 1 }], `n${i}`)));
    expect(picks).toEqual(new Set(["a", "b"]));
    expect(pickWeighted([{ item: "a", weight: 1 }, { item: "b", weight: 1 }], "same")).toBe(pickWeighted([{ item: "a", weight: 1 }, { item: "b", weight: 1 }], "same"));
    expect(pickWeighted([{ item: "a", weight: 0 }, { item: "b", weight: 5 }], "x")).toBe("b");
  });
});
