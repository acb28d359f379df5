// Where the Kubernetes API is and how to authenticate: a kubeconfig file (its current context: server,
// CA, bearer token or token file, client certificate and key) or a pod's service account (token and CA
// at the standard paths, KUBERNETES_SERVICE_HOST/PORT).
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { parse } from "yaml";

export interface KubeCredentials {
  server: string;
  ca?: string;
  /** Read per request, so rotated service-account tokens are picked up. */
  token?: () => string;
  cert?: string;
  key?: string;
  insecureSkipTlsVerify?: boolean;
}

export class CredentialsError extends Error {
  override readonly name = "CredentialsError";
}

type Named<T> = Array<{ name: string } & T>;
interface KubeconfigFile {
  "current-context"?: string;
  contexts?: Named<{ context: { cluster: string; user?: string } }>;
  clusters?: Named<{ cluster: { server: string; "certificate-authority"?: string; "certificate-authority-data"?: string; "insecure-skip-tls-verify"?: boolean } }>;
  users?: Named<{ user: { token?: string; tokenFile?: string; "client-certificate"?: string; "client-certificate-data"?: string; "client-key"?: string; "client-key-data"?: string } }>;
}

const b64 = (s: string) => Buffer.from(s, "base64").toString("utf8");

export function loadKubeconfig(path: string): KubeCredentials {
  const where = (field: string) => `kubeconfig ${path}: ${field}`;
  let doc: KubeconfigFile;
  try {
    doc = parse(readFileSync(path, "utf8")) as KubeconfigFile;
  } catch (e) {
    throw new CredentialsError(`${where("unreadable")} (${(e as Error).message})`);
  }
  const rel = (p: string) => (isAbsolute(p) ? p : join(dirname(path), p));
  const read = (p: string, field: string) => {
    try {
      return readFileSync(rel(p), "utf8");
    } catch {
      throw new CredentialsError(where(`${field} ${p} cannot be read`));
    }
  };
  const ctxName = doc["current-context"];
  const ctx = doc.contexts?.find((c) => c.name === ctxName)?.context ?? doc.contexts?.[0]?.context;
  if (!ctx) throw new CredentialsError(where("no context (current-context or contexts[0])"));
  const cluster = doc.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster?.server) throw new CredentialsError(where(`cluster ${ctx.cluster} has no server`));
  const user = ctx.user ? doc.users?.find((u) => u.name === ctx.user)?.user : undefined;
  const ca = cluster["certificate-authority-data"] ? b64(cluster["certificate-authority-data"]) : cluster["certificate-authority"] ? read(cluster["certificate-authority"], "certificate-authority") : undefined;
  const tokenFile = user?.tokenFile;
  const staticToken = user?.token;
  return {
    server: cluster.server.replace(/\/+$/, ""),
    ca,
    token: staticToken ? () => staticToken : tokenFile ? () => read(tokenFile, "tokenFile").trim() : undefined,
    cert: user?.["client-certificate-data"] ? b64(user["client-certificate-data"]) : user?.["client-certificate"] ? read(user["client-certificate"], "client-certificate") : undefined,
    key: user?.["client-key-data"] ? b64(user["client-key-data"]) : user?.["client-key"] ? read(user["client-key"], "client-key") : undefined,
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
  };
}

export const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

/** A pod's own credentials, when running in one. */
export function inClusterCredentials(env: Record<string, string | undefined> = process.env, dir = serviceAccountDir): KubeCredentials | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port || !existsSync(join(dir, "token"))) return undefined;
  const caPath = join(dir, "ca.crt");
  return {
    server: `https://${host.includes(":") ? `[${host}]` : host}:${port}`,
    ca: existsSync(caPath) ? readFileSync(caPath, "utf8") : undefined,
    token: () => readFileSync(join(dir, "token"), "utf8").trim(),
  };
}

/** An explicit kubeconfig, else in-cluster credentials, else KUBECONFIG; undefined when none. */
export function defaultCredentials(kubeconfigPath: string, env: Record<string, string | undefined> = process.env, dir = serviceAccountDir): KubeCredentials | undefined {
  if (kubeconfigPath) return loadKubeconfig(kubeconfigPath);
  const pod = inClusterCredentials(env, dir);
  if (pod) return pod;
  if (env.KUBECONFIG) return loadKubeconfig(env.KUBECONFIG.split(":")[0]);
  return undefined;
}
