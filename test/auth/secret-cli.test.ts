// `flyteadmin secret init` and `secret create` as a user runs them, against the stand-in Kubernetes API.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createPrivateKey } from "node:crypto";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FakeKube, startFakeKube } from "../helpers/fake-k8s";

const main = join(import.meta.dir, "../../src/main.ts");

// Asynchronous: the stand-in Kubernetes API answers from this process.
async function run(args: string[], env: Record<string, string> = {}) {
  const p = Bun.spawn([process.execPath, main, ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, KUBECONFIG: "", ...env } });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out, err };
}

describe("secret init", () => {
  test("writes upstream's four files in upstream's formats", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "secrets-")), "new");
    const r = await run(["secret", "init", "-p", dir]);
    expect(r.code).toBe(0);
    const decoded = (name: string) => {
      const text = readFileSync(join(dir, name), "utf8");
      expect(text).toMatch(/^[A-Za-z0-9+/]+$/); // unpadded standard base64, no newline
      return Buffer.from(text, "base64");
    };
    expect(decoded("claim_symmetric_key")).toHaveLength(32);
    expect(decoded("cookie_hash_key")).toHaveLength(64);
    expect(decoded("cookie_block_key")).toHaveLength(32);
    const pem = readFileSync(join(dir, "token_rsa_key.pem"), "utf8");
    expect(pem).toStartWith("-----BEGIN RSA PRIVATE KEY-----");
    expect(createPrivateKey(pem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(statSync(join(dir, "cookie_hash_key")).mode & 0o077).toBe(0);
    // --localPath is the long spelling; a flag of another command is refused.
    expect((await run(["secret", "init", "--localPath", dir])).code).toBe(0);
    const wrong = await run(["serve", "-p", dir]);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('flag -p is not a flag of "serve"');
  });
});

describe("secret create", () => {
  let kube: FakeKube;
  let kubeconfig: string;
  const from = mkdtempSync(join(tmpdir(), "secret-files-"));
  beforeAll(async () => {
    kube = await startFakeKube();
    kubeconfig = kube.writeKubeconfig();
    writeFileSync(join(from, "a"), "one");
    writeFileSync(join(from, "b"), "two");
  });
  afterAll(() => kube.close());
  const create = (...flags: string[]) => run(["secret", "create", "--fromPath", from, ...flags], { KUBECONFIG: kubeconfig, POD_NAMESPACE: "flyte" });
  const data = () => (kube.secrets.get("flyte/flyte-admin-auth") as { data: Record<string, string> }).data;

  test("creates the Secret, adds only missing keys, and overwrites with --force", async () => {
    expect((await create()).code).toBe(0);
    expect(data()).toEqual({ a: btoa("one"), b: btoa("two") });
    // Another key changed by hand survives a plain re-run; a new file is added.
    data().a = btoa("changed");
    writeFileSync(join(from, "c"), "three");
    const again = await create();
    expect(again.code).toBe(0);
    expect(again.err + again.out).toContain('"keys":["c"]');
    expect(data()).toEqual({ a: btoa("changed"), b: btoa("two"), c: btoa("three") });
    expect((await create("--force")).code).toBe(0);
    expect(data().a).toBe(btoa("one"));
    expect(kube.requests.some((r) => r.method === "PATCH" && r.contentType === "application/merge-patch+json")).toBe(true);
  });

  test("--name names the Secret; without credentials or files it says why", async () => {
    expect((await create("--name", "other")).code).toBe(0);
    expect(kube.secrets.has("flyte/other")).toBe(true);
    const noCreds = await run(["secret", "create", "--fromPath", from], { POD_NAMESPACE: "flyte" });
    expect(noCreds.code).toBe(2);
    expect(noCreds.err).toContain("no Kubernetes credentials");
    const empty = await run(["secret", "create", "--fromPath", mkdtempSync(join(tmpdir(), "none-"))], { KUBECONFIG: kubeconfig });
    expect(empty.code).toBe(2);
    expect(empty.err).toContain("holds no files");
  });
});
