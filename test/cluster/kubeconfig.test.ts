// Credentials as kubectl finds them: kubeconfig fields (token, token file, CA, client certificate, exec
// plugins), KUBECONFIG merging, $VAR expansion, --master, the pod's service account, and errors that
// name the file and the field.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { defaultCredentials, expandEnv, fileToken, inClusterCredentials, KubeconfigError, loadKubeconfig } from "../../src/cluster/kubeconfig";
import { hasOpenssl, startFakeKube, type FakeKube } from "../helpers/fake-k8s";

const dir = mkdtempSync(join(tmpdir(), "kubeconfig-test-"));
const b64 = (s: string) => Buffer.from(s).toString("base64");
let pki: FakeKube; // only its throwaway CA and client certificate are used here

beforeAll(async () => {
  pki = await startFakeKube({ tls: hasOpenssl() });
});
afterAll(async () => {
  await pki.close();
});

/** Writes a kubeconfig whose current context "main" uses cluster "c" and user "u". */
function kubeconfig(name: string, cluster: Record<string, unknown>, user?: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const path = join(dir, name);
  const doc = {
    apiVersion: "v1",
    kind: "Config",
    "current-context": "main",
    contexts: [{ name: "main", context: { cluster: "c", ...(user && { user: "u" }) } }],
    clusters: [{ name: "c", cluster: { server: "https://k8s.example:6443/", ...cluster } }],
    users: user ? [{ name: "u", user }] : [],
    ...extra,
  };
  writeFileSync(path, stringify(doc));
  return path;
}

const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(KubeconfigError);
    return (e as Error).message;
  }
  throw new Error("expected a KubeconfigError");
};

describe("kubeconfig fields", () => {
  test("server without its trailing slash; a static token; no CA means the system roots", async () => {
    const c = loadKubeconfig(kubeconfig("token.yaml", {}, { token: "t1" }));
    expect(c.server).toBe("https://k8s.example:6443");
    expect(await c.auth()).toEqual({ authorization: "Bearer t1" });
    expect([c.ca, c.cert, c.key, c.insecureSkipTlsVerify]).toEqual([undefined, undefined, undefined, false]);
    expect(c.source).toBe(`kubeconfig ${join(dir, "token.yaml")} (context main)`);
  });

  test("tokenFile, relative to the kubeconfig's folder, wins over token and is read again as it rotates", async () => {
    writeFileSync(join(dir, "sa-token"), "from-file\n");
    const c = loadKubeconfig(kubeconfig("tokenfile.yaml", {}, { token: "static", tokenFile: "sa-token" }));
    expect(await c.auth()).toEqual({ authorization: "Bearer from-file" });
    writeFileSync(join(dir, "sa-token"), "rotated\n");
    c.invalidate(); // as after a 401
    expect(await c.auth()).toEqual({ authorization: "Bearer rotated" });
  });

  test("a token file is re-read at most once a minute", () => {
    const path = join(dir, "clocked-token");
    writeFileSync(path, "one");
    let now = 0;
    const t = fileToken(path, "test", () => now);
    expect(t.read()).toBe("one");
    writeFileSync(path, "two");
    now = 59_999;
    expect(t.read()).toBe("one");
    now = 60_000;
    expect(t.read()).toBe("two");
  });

  test("username and password become basic auth", async () => {
    const c = loadKubeconfig(kubeconfig("basic.yaml", {}, { username: "admin", password: "s3cret" }));
    expect(await c.auth()).toEqual({ authorization: `Basic ${b64("admin:s3cret")}` });
  });

  test.skipIf(!hasOpenssl())("CA and client certificate from -data (base64) or from files; -data wins", () => {
    const tls = pki.tls!;
    const fromData = loadKubeconfig(
      kubeconfig(
        "certs-data.yaml",
        { "certificate-authority-data": b64(tls.ca), "certificate-authority": "/nonexistent/ca.crt", "tls-server-name": "kubernetes.default.svc" },
        {
          "client-certificate-data": b64(tls.clientCert),
          "client-key-data": b64(tls.clientKey),
        },
      ),
    );
    expect([fromData.ca, fromData.cert, fromData.key, fromData.serverName]).toEqual([tls.ca, tls.clientCert, tls.clientKey, "kubernetes.default.svc"]);
    const fromFiles = loadKubeconfig(
      kubeconfig("certs-files.yaml", { "certificate-authority": tls.caFile }, { "client-certificate": tls.clientCertFile, "client-key": tls.clientKeyFile }),
    );
    expect([fromFiles.ca, fromFiles.cert, fromFiles.key]).toEqual([tls.ca, tls.clientCert, tls.clientKey]);
  });

  test("insecure-skip-tls-verify", () => {
    expect(loadKubeconfig(kubeconfig("insecure.yaml", { "insecure-skip-tls-verify": true }, { token: "t" })).insecureSkipTlsVerify).toBe(true);
  });

  test("a server without a scheme is https; --master replaces the server", () => {
    expect(loadKubeconfig(kubeconfig("noscheme.yaml", { server: "10.1.2.3:6443" })).server).toBe("https://10.1.2.3:6443");
    expect(loadKubeconfig(kubeconfig("master.yaml", {}), { master: "http://127.0.0.1:8001" }).server).toBe("http://127.0.0.1:8001");
  });
});

describe("kubeconfig errors name the file and the field", () => {
  test("structure", () => {
    const f = (name: string) => join(dir, name);
    writeFileSync(f("nocontext.yaml"), "apiVersion: v1\nkind: Config\nclusters: []\n");
    expect(errorOf(() => loadKubeconfig(f("nocontext.yaml")))).toBe(`kubeconfig ${f("nocontext.yaml")}: current-context is not set`);
    const missingCtx = kubeconfig("missing-ctx.yaml", {}, undefined, { "current-context": "other" });
    expect(errorOf(() => loadKubeconfig(missingCtx))).toBe(`kubeconfig ${missingCtx}: current-context "other" is not in contexts`);
    const noServer = kubeconfig("noserver.yaml", { server: "" });
    expect(errorOf(() => loadKubeconfig(noServer))).toBe(`kubeconfig ${noServer}: clusters[name=c].cluster.server is not set`);
    writeFileSync(f("list.yaml"), "- a\n- b\n");
    expect(errorOf(() => loadKubeconfig(f("list.yaml")))).toBe(`kubeconfig ${f("list.yaml")}: is not a YAML mapping`);
    writeFileSync(f("broken.yaml"), "clusters: [\n");
    expect(errorOf(() => loadKubeconfig(f("broken.yaml")))).toStartWith(`kubeconfig ${f("broken.yaml")}: cannot be read (`);
    expect(errorOf(() => loadKubeconfig(f("absent.yaml")))).toStartWith(`kubeconfig ${f("absent.yaml")}: cannot be read (`);
    const unknownUser = kubeconfig("unknown-user.yaml", {}, undefined, { contexts: [{ name: "main", context: { cluster: "c", user: "ghost" } }] });
    expect(errorOf(() => loadKubeconfig(unknownUser))).toBe(`kubeconfig ${unknownUser}: contexts[name=main].context.user "ghost" is not in users`);
  });

  test("fields", () => {
    const badB64 = kubeconfig("bad-b64.yaml", { "certificate-authority-data": "not base64!" });
    expect(errorOf(() => loadKubeconfig(badB64))).toBe(`kubeconfig ${badB64}: clusters[name=c].cluster.certificate-authority-data is not base64`);
    const notPem = kubeconfig("not-pem.yaml", { "certificate-authority-data": b64("just text") });
    expect(errorOf(() => loadKubeconfig(notPem))).toBe(`kubeconfig ${notPem}: clusters[name=c].cluster.certificate-authority-data: holds no PEM certificate`);
    const noTokenFile = kubeconfig("no-token-file.yaml", {}, { tokenFile: "nowhere" });
    expect(errorOf(() => loadKubeconfig(noTokenFile))).toStartWith(
      `kubeconfig ${noTokenFile}: users[name=u].user.tokenFile: ${join(dir, "nowhere")} cannot be read`,
    );
    const provider = kubeconfig("provider.yaml", {}, { "auth-provider": { name: "gcp" } });
    expect(errorOf(() => loadKubeconfig(provider))).toBe(
      `kubeconfig ${provider}: users[name=u].user.auth-provider is not supported (use token, tokenFile, a client certificate or exec)`,
    );
    const two = kubeconfig("two.yaml", {}, { token: "t", username: "u", password: "p" });
    expect(errorOf(() => loadKubeconfig(two))).toBe(
      `kubeconfig ${two}: users[name=u].user: more than one authentication method (token, username/password); only one is allowed`,
    );
    const certOnly = kubeconfig("cert-only.yaml", {}, { "client-certificate": "/nonexistent.crt" });
    expect(errorOf(() => loadKubeconfig(certOnly))).toStartWith(
      `kubeconfig ${certOnly}: users[name=u].user.client-certificate: /nonexistent.crt cannot be read`,
    );
    const badExec = kubeconfig("bad-exec.yaml", {}, { exec: { command: "x", apiVersion: "client.authentication.k8s.io/v1alpha1" } });
    expect(errorOf(() => loadKubeconfig(badExec))).toBe(
      `kubeconfig ${badExec}: users[name=u].user.exec.apiVersion "client.authentication.k8s.io/v1alpha1" is not client.authentication.k8s.io/v1 or v1beta1`,
    );
    const badServer = kubeconfig("bad-server.yaml", { server: "ftp://x" });
    expect(errorOf(() => loadKubeconfig(badServer))).toBe(`kubeconfig ${badServer}: clusters[name=c].cluster.server: "ftp://x" is neither http nor https`);
  });

  test.skipIf(!hasOpenssl())("a client certificate without its key; a CA together with insecure-skip-tls-verify", () => {
    const tls = pki.tls!;
    const noKey = kubeconfig("no-key.yaml", {}, { "client-certificate": tls.clientCertFile });
    expect(errorOf(() => loadKubeconfig(noKey))).toBe(`kubeconfig ${noKey}: users[name=u].user: client-certificate and client-key go together`);
    const both = kubeconfig("ca-insecure.yaml", { "certificate-authority": tls.caFile, "insecure-skip-tls-verify": true });
    expect(errorOf(() => loadKubeconfig(both))).toBe(
      `kubeconfig ${both}: clusters[name=c].cluster: certificate-authority and insecure-skip-tls-verify together are not allowed (as in client-go)`,
    );
  });
});

describe("exec credential plugins", () => {
  /** A plugin that counts its runs, keeps the KUBERNETES_EXEC_INFO it got, and prints `credential`. */
  function plugin(name: string, credential: string): { path: string; runs: () => number; info: () => unknown } {
    const path = join(dir, name);
    writeFileSync(join(dir, `${name}.json`), credential);
    writeFileSync(
      path,
      `#!/bin/sh\necho run >> "${join(dir, `${name}.runs`)}"\nprintf '%s' "$KUBERNETES_EXEC_INFO" > "${join(dir, `${name}.info`)}"\necho "$PLUGIN_ARG $1" > "${join(dir, `${name}.args`)}"\ncat "${join(dir, `${name}.json`)}"\n`,
    );
    chmodSync(path, 0o755);
    const runs = () => {
      try {
        return readFileSync(join(dir, `${name}.runs`), "utf8")
          .trim()
          .split("\n").length;
      } catch {
        return 0;
      }
    };
    return { path, runs, info: () => JSON.parse(readFileSync(join(dir, `${name}.info`), "utf8")) };
  }
  const v1 = "client.authentication.k8s.io/v1";

  test("runs once, with KUBERNETES_EXEC_INFO, args and env; kept until a 401 says otherwise", async () => {
    const p = plugin("token-plugin", JSON.stringify({ apiVersion: v1, kind: "ExecCredential", status: { token: "exec-token" } }));
    const c = loadKubeconfig(
      kubeconfig(
        "exec.yaml",
        {},
        { exec: { apiVersion: v1, command: "./token-plugin", args: ["--flag"], env: [{ name: "PLUGIN_ARG", value: "from-env" }], provideClusterInfo: true } },
      ),
    );
    const [a, b] = await Promise.all([c.auth(), c.auth()]);
    expect(a).toEqual({ authorization: "Bearer exec-token" });
    expect(b).toEqual(a);
    expect(p.runs()).toBe(1);
    expect(p.info()).toEqual({ apiVersion: v1, kind: "ExecCredential", spec: { interactive: false, cluster: { server: "https://k8s.example:6443" } } });
    expect(readFileSync(join(dir, "token-plugin.args"), "utf8").trim()).toBe("from-env --flag");
    await c.auth();
    expect(p.runs()).toBe(1);
    c.invalidate();
    await c.auth();
    expect(p.runs()).toBe(2);
  });

  test("an expired credential is fetched again", async () => {
    const p = plugin(
      "expired-plugin",
      JSON.stringify({ apiVersion: v1, kind: "ExecCredential", status: { token: "old", expirationTimestamp: "2000-01-01T00:00:00Z" } }),
    );
    const c = loadKubeconfig(kubeconfig("exec-expired.yaml", {}, { exec: { apiVersion: v1, command: p.path } }));
    await c.auth();
    await c.auth();
    expect(p.runs()).toBe(2);
  });

  test("a failing plugin, or one that prints the wrong thing, fails the request with the reason", async () => {
    const failing = join(dir, "failing-plugin");
    writeFileSync(failing, "#!/bin/sh\necho 'no credentials configured' >&2\nexit 3\n");
    chmodSync(failing, 0o755);
    const c = loadKubeconfig(kubeconfig("exec-fail.yaml", {}, { exec: { apiVersion: v1, command: failing, installHint: "install the plugin" } }));
    await expect(c.auth()).rejects.toThrow(
      `kubeconfig ${join(dir, "exec-fail.yaml")}: users[name=u].user.exec: ${failing} failed: no credentials configured (install the plugin)`,
    );
    const wrong = plugin(
      "wrong-plugin",
      JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1beta1", kind: "ExecCredential", status: { token: "x" } }),
    );
    const w = loadKubeconfig(kubeconfig("exec-wrong.yaml", {}, { exec: { apiVersion: v1, command: wrong.path } }));
    await expect(w.auth()).rejects.toThrow(`${wrong.path} answered client.authentication.k8s.io/v1beta1, not ${v1}`);
  });
});

describe("KUBECONFIG, $VARs, the pod's service account", () => {
  test("several KUBECONFIG files merge: the first to name an entry or a current-context wins; missing files are skipped", async () => {
    const first = join(dir, "merge-1.yaml");
    writeFileSync(
      first,
      stringify({ clusters: [{ name: "c", cluster: { server: "https://first" } }], users: [{ name: "u", user: { token: "first-token" } }] }),
    );
    const second = kubeconfig("merge-2.yaml", { server: "https://second" }, { token: "second-token" });
    const c = defaultCredentials("", { env: { KUBECONFIG: [join(dir, "absent"), first, second].join(":") }, serviceAccountDir: join(dir, "no-sa") });
    expect(c?.server).toBe("https://first");
    expect(await c?.auth()).toEqual({ authorization: "Bearer first-token" });
    expect(() => defaultCredentials("", { env: { KUBECONFIG: join(dir, "absent") }, serviceAccountDir: join(dir, "no-sa") })).toThrow("no such file");
  });

  test("server.kube-config has its $VARs expanded, as upstream's os.ExpandEnv", async () => {
    const path = kubeconfig("expanded.yaml", {}, { token: "x" });
    expect(expandEnv("$KDIR/${NAME}.yaml and $UNSET.", { KDIR: dir, NAME: "expanded" })).toBe(`${dir}/expanded.yaml and .`);
    expect(defaultCredentials("$KDIR/expanded.yaml", { env: { KDIR: dir } })?.source).toBe(`kubeconfig ${path} (context main)`);
  });

  test("in a pod: KUBERNETES_SERVICE_HOST/PORT, the token and the CA", async () => {
    const sa = mkdtempSync(join(tmpdir(), "sa-"));
    writeFileSync(join(sa, "token"), "pod-token\n");
    const env = { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" };
    const noCa = inClusterCredentials(env, sa);
    expect([noCa?.server, noCa?.ca, await noCa?.auth()]).toEqual(["https://10.0.0.1:443", undefined, { authorization: "Bearer pod-token" }]);
    writeFileSync(join(sa, "ca.crt"), "not a certificate"); // as client-go: logged away, system roots kept
    expect(inClusterCredentials(env, sa)?.ca).toBeUndefined();
    if (hasOpenssl()) {
      writeFileSync(join(sa, "ca.crt"), pki.tls!.ca);
      expect(inClusterCredentials(env, sa)?.ca).toBe(pki.tls!.ca);
    }
    expect(inClusterCredentials({ KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "6443" }, sa)?.server).toBe("https://[fd00::1]:6443");
    expect(inClusterCredentials({ KUBERNETES_SERVICE_HOST: "10.0.0.1" }, sa)).toBeUndefined();
    expect(inClusterCredentials(env, join(sa, "absent"))).toBeUndefined();
  });

  test("order: server.kube-config, else the service account, else KUBECONFIG, else none", () => {
    const sa = mkdtempSync(join(tmpdir(), "sa-"));
    writeFileSync(join(sa, "token"), "pod-token");
    const explicit = kubeconfig("explicit.yaml", { server: "https://explicit" });
    const fromEnv = kubeconfig("from-env.yaml", { server: "https://from-env" });
    const pod = { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443", KUBECONFIG: fromEnv };
    expect(defaultCredentials(explicit, { env: pod, serviceAccountDir: sa })?.server).toBe("https://explicit");
    expect(defaultCredentials("", { env: pod, serviceAccountDir: sa })?.server).toBe("https://10.0.0.1:443");
    expect(defaultCredentials("", { env: { KUBECONFIG: fromEnv }, serviceAccountDir: sa })?.server).toBe("https://from-env");
    expect(defaultCredentials("", { env: {}, serviceAccountDir: sa })).toBeUndefined();
  });
});
