// Where the Kubernetes API is and how to authenticate, found the way client-go finds it: a kubeconfig
// (the current context's cluster and user; several KUBECONFIG files merged, the first to name an entry
// winning) or the pod's service account. Bad config fails at start-up naming the file and the field,
// instead of surfacing as a 401 or a TLS error at the first launch.
import { existsSync, readFileSync } from "node:fs";
import { isIPv6 } from "node:net";
import { delimiter, dirname, isAbsolute, join, resolve } from "node:path";
import { parse } from "yaml";
import { execCredentials, type ExecConfig, type KubeAuth } from "./exec-credential";

export type { KubeAuth } from "./exec-credential";

/** What one request authenticates with; TLS client certificates may come from an exec plugin. */
export interface KubeCredentials {
  /** Base URL of the API server, without a trailing slash. */
  server: string;
  /** PEM bundle that replaces the system roots; absent: system roots. */
  ca?: string;
  cert?: string;
  key?: string;
  insecureSkipTlsVerify: boolean;
  /** TLS server name to verify instead of the URL's host (kubeconfig tls-server-name). */
  serverName?: string;
  /** Asked before every request, so rotated token files and expiring exec credentials are followed. */
  auth(): Promise<KubeAuth>;
  /** Told about a 401 so cached credentials are fetched afresh on the next request. */
  invalidate(): void;
  /** Where these came from, for logs (never a secret). */
  source: string;
}

export class KubeconfigError extends Error {
  override readonly name = "KubeconfigError";
}

export const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

type Env = Record<string, string | undefined>;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** os.ExpandEnv: $VAR and ${VAR}, unset variables becoming "" (upstream expands server.kube-config so). */
export function expandEnv(text: string, env: Env = process.env): string {
  return text.replace(/\$\{([^}]*)\}|\$([A-Za-z0-9_]+)/g, (_, braced: string | undefined, bare: string | undefined) => env[braced ?? bare ?? ""] ?? "");
}

/** A token file, re-read at most once a minute as client-go's cached file token source does. */
export function fileToken(path: string, what: string, now: () => number = Date.now): { read(): string; invalidate(): void } {
  let cached: { token: string; at: number } | undefined;
  const load = () => {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new KubeconfigError(`${what}: ${path} cannot be read (${(e as Error).message})`);
    }
    const token = text.trim();
    if (!token) throw new KubeconfigError(`${what}: ${path} is empty`);
    return token;
  };
  return {
    read() {
      if (!cached || now() - cached.at >= 60_000) cached = { token: load(), at: now() };
      return cached.token;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

const pemCertificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const pemKey = /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]+?-----END [A-Z ]*PRIVATE KEY-----/;

/** Checks a PEM text now, so a wrong file is reported here and not as an obscure TLS failure later. */
export function requirePem(text: string, kind: "certificate" | "key", what: string): string {
  if (!(kind === "certificate" ? pemCertificate : pemKey).test(text)) {
    throw new KubeconfigError(`${what}: holds no PEM ${kind === "certificate" ? "certificate" : "private key"}`);
  }
  return text;
}

/** An endpoint without a scheme is https, as client-go's DefaultServerURL makes it. */
export function serverUrl(text: string, what: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new KubeconfigError(`${what}: ${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new KubeconfigError(`${what}: ${JSON.stringify(text)} is neither http nor https`);
  return withScheme.replace(/\/+$/, "");
}

// ---- kubeconfig files -------------------------------------------------------------------------------

interface Named {
  name: string;
  body: Obj;
  /** The file the entry came from: its relative paths are relative to that file's folder. */
  file: string;
  where: string;
}

interface Merged {
  currentContext?: { name: string; file: string };
  contexts: Map<string, Named>;
  clusters: Map<string, Named>;
  users: Map<string, Named>;
}

const lists = [
  ["contexts", "context"],
  ["clusters", "cluster"],
  ["users", "user"],
] as const;

function readKubeconfigFile(file: string, into: Merged): void {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new KubeconfigError(`kubeconfig ${file}: cannot be read (${(e as Error).message})`);
  }
  if (doc === null || doc === undefined) return; // an empty file is an empty config, as for kubectl
  if (!isObj(doc)) throw new KubeconfigError(`kubeconfig ${file}: is not a YAML mapping`);
  const current = doc["current-context"];
  if (current !== undefined && current !== null && typeof current !== "string")
    throw new KubeconfigError(`kubeconfig ${file}: current-context is not a string`);
  if (current && !into.currentContext) into.currentContext = { name: current, file };
  for (const [list, field] of lists) {
    const entries = doc[list];
    if (entries === undefined || entries === null) continue;
    if (!Array.isArray(entries)) throw new KubeconfigError(`kubeconfig ${file}: ${list} is not a list`);
    entries.forEach((entry: unknown, i) => {
      if (!isObj(entry) || typeof entry.name !== "string" || !entry.name) throw new KubeconfigError(`kubeconfig ${file}: ${list}[${i}] has no name`);
      const body = entry[field] ?? {};
      if (!isObj(body)) throw new KubeconfigError(`kubeconfig ${file}: ${list}[${i}].${field} is not a mapping`);
      const map = into[list];
      if (!map.has(entry.name)) map.set(entry.name, { name: entry.name, body, file, where: `kubeconfig ${file}: ${list}[name=${entry.name}].${field}` });
    });
  }
}

function str(n: Named, key: string): string | undefined {
  const v = n.body[key];
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v !== "string") throw new KubeconfigError(`${n.where}.${key} is not a string`);
  return v;
}

function base64Field(n: Named, key: string): string | undefined {
  const v = str(n, key);
  if (v === undefined) return undefined;
  const compact = v.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw new KubeconfigError(`${n.where}.${key} is not base64`);
  return Buffer.from(compact, "base64").toString("utf8");
}

function fileField(n: Named, key: string): string | undefined {
  const p = str(n, key);
  if (p === undefined) return undefined;
  const path = isAbsolute(p) ? p : resolve(dirname(n.file), p);
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new KubeconfigError(`${n.where}.${key}: ${path} cannot be read (${(e as Error).message})`);
  }
}

/** `<key>-data` (base64) wins over `<key>` (a file), as in client-go. */
function pemField(n: Named, key: string, kind: "certificate" | "key"): string | undefined {
  const fromData = base64Field(n, `${key}-data`);
  if (fromData !== undefined) return requirePem(fromData, kind, `${n.where}.${key}-data`);
  const fromFile = fileField(n, key);
  return fromFile === undefined ? undefined : requirePem(fromFile, kind, `${n.where}.${key}`);
}

function execConfig(n: Named, exec: unknown, cluster: { server: string; ca?: string; insecureSkipTlsVerify: boolean; serverName?: string }): ExecConfig {
  const where = `${n.where}.exec`;
  if (!isObj(exec)) throw new KubeconfigError(`${where} is not a mapping`);
  const { command, apiVersion, args = [], env = [], installHint, provideClusterInfo } = exec;
  if (typeof command !== "string" || !command) throw new KubeconfigError(`${where}.command is not set`);
  if (apiVersion !== "client.authentication.k8s.io/v1" && apiVersion !== "client.authentication.k8s.io/v1beta1") {
    throw new KubeconfigError(`${where}.apiVersion ${JSON.stringify(apiVersion)} is not client.authentication.k8s.io/v1 or v1beta1`);
  }
  if (!Array.isArray(args) || !args.every((a) => typeof a === "string")) throw new KubeconfigError(`${where}.args is not a list of strings`);
  if (!Array.isArray(env)) throw new KubeconfigError(`${where}.env is not a list`);
  const vars: Record<string, string> = {};
  env.forEach((e: unknown, i) => {
    if (!isObj(e) || typeof e.name !== "string" || typeof e.value !== "string") throw new KubeconfigError(`${where}.env[${i}] needs a name and a value`);
    vars[e.name] = e.value;
  });
  // A relative command with a path separator is relative to the kubeconfig; a bare name is looked up in PATH.
  const resolved = command.includes("/") && !isAbsolute(command) ? resolve(dirname(n.file), command) : command;
  return {
    command: resolved,
    args: args as string[],
    env: vars,
    apiVersion,
    installHint: typeof installHint === "string" ? installHint : "",
    cluster: provideClusterInfo === true ? cluster : undefined,
    where,
  };
}

/**
 * The current context's credentials from one kubeconfig or several merged (KUBECONFIG's list). `master`
 * replaces the cluster's server, as upstream's --master flag does.
 */
export function loadKubeconfig(paths: string | string[], options: { master?: string; env?: Env } = {}): KubeCredentials {
  const files = (Array.isArray(paths) ? paths : [paths]).filter((p) => p !== "");
  const existing = Array.isArray(paths) ? files.filter((p) => existsSync(p)) : files; // KUBECONFIG skips missing files
  if (existing.length === 0) throw new KubeconfigError(`kubeconfig ${files.join(delimiter) || "(none)"}: no such file`);
  const merged: Merged = { contexts: new Map(), clusters: new Map(), users: new Map() };
  for (const f of existing) readKubeconfigFile(f, merged);
  const label = `kubeconfig ${existing.join(delimiter)}`;
  if (!merged.currentContext) throw new KubeconfigError(`${label}: current-context is not set`);
  const ctxName = merged.currentContext.name;
  const ctx = merged.contexts.get(ctxName);
  if (!ctx) throw new KubeconfigError(`kubeconfig ${merged.currentContext.file}: current-context ${JSON.stringify(ctxName)} is not in contexts`);
  const clusterName = str(ctx, "cluster");
  if (!clusterName) throw new KubeconfigError(`${ctx.where}.cluster is not set`);
  const cluster = merged.clusters.get(clusterName);
  if (!cluster) throw new KubeconfigError(`${ctx.where}.cluster ${JSON.stringify(clusterName)} is not in clusters`);
  const serverText = options.master || str(cluster, "server");
  if (!serverText) throw new KubeconfigError(`${cluster.where}.server is not set`);
  const server = serverUrl(serverText, options.master ? "server.master" : `${cluster.where}.server`);

  const insecure = cluster.body["insecure-skip-tls-verify"] === true;
  const ca = pemField(cluster, "certificate-authority", "certificate");
  if (insecure && ca !== undefined) {
    throw new KubeconfigError(`${cluster.where}: certificate-authority and insecure-skip-tls-verify together are not allowed (as in client-go)`);
  }
  const serverName = str(cluster, "tls-server-name");

  const userName = str(ctx, "user");
  const user = userName ? merged.users.get(userName) : undefined;
  if (userName && !user) throw new KubeconfigError(`${ctx.where}.user ${JSON.stringify(userName)} is not in users`);

  let cert: string | undefined;
  let key: string | undefined;
  let auth: () => Promise<KubeAuth> = async () => ({});
  let invalidate = () => {};
  if (user) {
    if (user.body["auth-provider"] !== undefined) {
      throw new KubeconfigError(`${user.where}.auth-provider is not supported (use token, tokenFile, a client certificate or exec)`);
    }
    cert = pemField(user, "client-certificate", "certificate");
    key = pemField(user, "client-key", "key");
    if ((cert === undefined) !== (key === undefined)) throw new KubeconfigError(`${user.where}: client-certificate and client-key go together`);
    const token = str(user, "token");
    const tokenFile = str(user, "tokenFile");
    const username = str(user, "username");
    const password = str(user, "password");
    const exec = user.body.exec;
    const methods = [
      token || tokenFile ? "token" : "",
      username || password ? "username/password" : "",
      exec !== undefined && exec !== null ? "exec" : "",
    ].filter(Boolean);
    if (methods.length > 1) throw new KubeconfigError(`${user.where}: more than one authentication method (${methods.join(", ")}); only one is allowed`);
    if (tokenFile) {
      // tokenFile wins over token in client-go; read now so a wrong path is a start-up error.
      const path = isAbsolute(tokenFile) ? tokenFile : resolve(dirname(user.file), tokenFile);
      const source = fileToken(path, `${user.where}.tokenFile`);
      source.read();
      auth = async () => ({ authorization: `Bearer ${source.read()}` });
      invalidate = () => source.invalidate();
    } else if (token) {
      auth = async () => ({ authorization: `Bearer ${token}` });
    } else if (username || password) {
      const basic = Buffer.from(`${username ?? ""}:${password ?? ""}`).toString("base64");
      auth = async () => ({ authorization: `Basic ${basic}` });
    } else if (exec !== undefined && exec !== null) {
      const plugin = execCredentials(execConfig(user, exec, { server, ca, insecureSkipTlsVerify: insecure, serverName }), options.env ?? process.env);
      auth = () => plugin.get();
      invalidate = () => plugin.invalidate();
    }
  }
  return { server, ca, cert, key, insecureSkipTlsVerify: insecure, serverName, auth, invalidate, source: `${label} (context ${ctxName})` };
}

/**
 * A pod's own credentials (KUBERNETES_SERVICE_HOST/PORT, the mounted service-account token and CA), or
 * undefined when this is not a pod with a service account. The token is re-read as it rotates.
 */
export function inClusterCredentials(env: Env = process.env, dir: string = serviceAccountDir): KubeCredentials | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const tokenPath = join(dir, "token");
  if (!host || !port || !existsSync(tokenPath)) return undefined;
  const token = fileToken(tokenPath, "in-cluster service account token");
  token.read();
  const caPath = join(dir, "ca.crt");
  // As client-go: an unreadable CA leaves the system roots in place rather than failing.
  const caText = existsSync(caPath) ? readFileSync(caPath, "utf8") : undefined;
  const ca = caText !== undefined && pemCertificate.test(caText) ? caText : undefined;
  return {
    server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
    ca,
    insecureSkipTlsVerify: false,
    auth: async () => ({ authorization: `Bearer ${token.read()}` }),
    invalidate: () => token.invalidate(),
    source: `in-cluster service account (${dir})`,
  };
}

/**
 * The single cluster when no clusters are listed: server.kube-config (with $VARs expanded), else the
 * pod's service account, else KUBECONFIG; undefined when there is none of them.
 */
export function defaultCredentials(
  kubeConfigPath: string,
  options: { master?: string; env?: Env; serviceAccountDir?: string } = {},
): KubeCredentials | undefined {
  const env = options.env ?? process.env;
  if (kubeConfigPath) return loadKubeconfig(expandEnv(kubeConfigPath, env), { master: options.master, env });
  const pod = inClusterCredentials(env, options.serviceAccountDir);
  if (pod) return pod;
  if (env.KUBECONFIG) return loadKubeconfig(env.KUBECONFIG.split(delimiter), { master: options.master, env });
  return undefined;
}
