// `secret init` and `secret create`: the auth secrets as files (upstream's four, in upstream's formats),
// and those files as one Kubernetes Secret, created or completed over our Kubernetes REST client.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { KubeClient } from "../cluster/client";
import { defaultCredentials } from "../cluster/kubeconfig";

const rawBase64 = (bytes: Buffer) => bytes.toString("base64").replace(/=+$/, "");

/** Writes claim_symmetric_key, cookie_hash_key, cookie_block_key and token_rsa_key.pem into `dir`; returns their names. */
export function initSecrets(dir: string): string[] {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const files: Record<string, string> = {
    claim_symmetric_key: rawBase64(randomBytes(32)),
    cookie_hash_key: rawBase64(randomBytes(64)),
    cookie_block_key: rawBase64(randomBytes(32)),
    "token_rsa_key.pem": privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
  };
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    // Owner-only: these are keys. (Upstream leaves 0777 before umask; nothing reads them but us.)
    writeFileSync(path, content, { mode: 0o600 });
    chmodSync(path, 0o600);
  }
  return Object.keys(files);
}

export class SecretCommandError extends Error {
  override readonly name = "SecretCommandError";
}

/** The regular files of `dir` as Secret data: base64 of each file by its base name. */
export function secretData(dir: string): Record<string, string> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new SecretCommandError(`cannot read --fromPath ${dir}: ${(e as Error).message}`);
  }
  const data: Record<string, string> = {};
  for (const name of names.sort()) {
    const path = join(dir, name);
    // Kubernetes mounts secrets as symlinks into ..data; statSync follows them, and hidden entries are its bookkeeping.
    if (name.startsWith(".") || !statSync(path).isFile()) continue;
    data[name] = readFileSync(path).toString("base64");
  }
  if (Object.keys(data).length === 0) throw new SecretCommandError(`--fromPath ${dir} holds no files`);
  return data;
}

export interface CreateSecretOptions {
  name: string;
  namespace: string;
  data: Record<string, string>;
  force: boolean;
}

export type CreateSecretOutcome = "created" | "overwritten" | "completed" | "unchanged";

/** Creates the Secret; if it exists, overwrites it (force) or adds the keys it lacks. */
export async function createSecret(client: KubeClient, opts: CreateSecretOptions): Promise<{ outcome: CreateSecretOutcome; added: string[] }> {
  const path = `/api/v1/namespaces/${encodeURIComponent(opts.namespace)}/secrets`;
  const manifest = { apiVersion: "v1", kind: "Secret", type: "Opaque", metadata: { name: opts.name, namespace: opts.namespace }, data: opts.data };
  const created = await client.request("POST", path, manifest);
  if (created.status === 201 || created.status === 200) return { outcome: "created", added: Object.keys(opts.data) };
  if (created.status !== 409) throw kubeFailure("create", opts, created.status, created.body);
  const itemPath = `${path}/${encodeURIComponent(opts.name)}`;
  if (opts.force) {
    const put = await client.request("PUT", itemPath, manifest);
    if (put.status !== 200) throw kubeFailure("overwrite", opts, put.status, put.body);
    return { outcome: "overwritten", added: Object.keys(opts.data) };
  }
  const got = await client.request("GET", itemPath);
  if (got.status !== 200) throw kubeFailure("read", opts, got.status, got.body);
  const existing = (got.body as { data?: Record<string, string> }).data ?? {};
  const missing = Object.keys(opts.data).filter((k) => !(k in existing));
  if (missing.length === 0) return { outcome: "unchanged", added: [] };
  const patch = { data: Object.fromEntries(missing.map((k) => [k, opts.data[k]])) };
  const patched = await client.request("PATCH", itemPath, patch, "application/merge-patch+json");
  // Someone else changed it meanwhile: upstream ignores that conflict too.
  if (patched.status !== 200 && patched.status !== 409) throw kubeFailure("update", opts, patched.status, patched.body);
  return { outcome: "completed", added: missing };
}

function kubeFailure(what: string, opts: CreateSecretOptions, status: number, body: unknown): SecretCommandError {
  const message = (body as { message?: unknown } | undefined)?.message;
  return new SecretCommandError(
    `cannot ${what} secret ${opts.namespace}/${opts.name}: HTTP ${status}${typeof message === "string" ? `: ${message.slice(0, 300)}` : ""}`,
  );
}

/** The Kubernetes client for `secret create`: server.kube-config, the pod's service account, or KUBECONFIG. */
export function secretClient(kubeConfig: string, master: string, timeoutMs: number): KubeClient {
  const creds = defaultCredentials(kubeConfig, { master: master || undefined });
  if (!creds) throw new SecretCommandError("no Kubernetes credentials: set server.kube-config or KUBECONFIG, or run in a pod");
  return new KubeClient(creds, { timeoutMs, qps: 5, burst: 10 });
}
