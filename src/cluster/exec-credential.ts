// kubeconfig `exec` credential plugins (aws eks get-token, gke-gcloud-auth-plugin, kubelogin): run the
// command with KUBERNETES_EXEC_INFO, read the ExecCredential it prints, and keep it until it expires or
// the API server answers 401. Cloud clusters' kubeconfigs authenticate this way.
import { execFile } from "node:child_process";

/** What a request to the API server is authenticated with: a header, or a client certificate. */
export interface KubeAuth {
  authorization?: string;
  cert?: string;
  key?: string;
}

export interface ExecConfig {
  command: string;
  args: string[];
  env: Record<string, string>;
  apiVersion: string;
  installHint: string;
  /** Handed to the plugin when the kubeconfig asks (provideClusterInfo). */
  cluster?: { server: string; ca?: string; insecureSkipTlsVerify: boolean; serverName?: string };
  /** Names the kubeconfig entry in errors. */
  where: string;
}

/** A plugin that failed or printed something unusable; the request that needed it fails with this. */
export class ExecCredentialError extends Error {
  override readonly name = "ExecCredentialError";
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function run(cfg: ExecConfig, env: Record<string, string | undefined>): Promise<string> {
  const info = {
    apiVersion: cfg.apiVersion,
    kind: "ExecCredential",
    spec: {
      interactive: false,
      ...(cfg.cluster && {
        cluster: {
          server: cfg.cluster.server,
          ...(cfg.cluster.serverName && { "tls-server-name": cfg.cluster.serverName }),
          ...(cfg.cluster.insecureSkipTlsVerify && { "insecure-skip-tls-verify": true }),
          ...(cfg.cluster.ca && { "certificate-authority-data": Buffer.from(cfg.cluster.ca).toString("base64") }),
        },
      }),
    },
  };
  return new Promise((resolvePromise, reject) => {
    execFile(
      cfg.command,
      cfg.args,
      { env: { ...env, ...cfg.env, KUBERNETES_EXEC_INFO: JSON.stringify(info) }, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          const hint = cfg.installHint ? ` (${cfg.installHint.trim()})` : "";
          reject(new ExecCredentialError(`${cfg.where}: ${cfg.command} failed: ${String(stderr).trim() || err.message}${hint}`));
        } else resolvePromise(String(stdout));
      },
    );
  });
}

function parseCredential(cfg: ExecConfig, stdout: string): { auth: KubeAuth; expiresAt: number } {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new ExecCredentialError(`${cfg.where}: ${cfg.command} did not print an ExecCredential as JSON`);
  }
  if (!isObj(doc) || doc.kind !== "ExecCredential") throw new ExecCredentialError(`${cfg.where}: ${cfg.command} printed no ExecCredential`);
  if (doc.apiVersion !== cfg.apiVersion)
    throw new ExecCredentialError(`${cfg.where}: ${cfg.command} answered ${String(doc.apiVersion)}, not ${cfg.apiVersion}`);
  const status = doc.status;
  if (!isObj(status)) throw new ExecCredentialError(`${cfg.where}: ${cfg.command} printed an ExecCredential without status`);
  const token = typeof status.token === "string" && status.token ? status.token : undefined;
  const cert = typeof status.clientCertificateData === "string" && status.clientCertificateData ? status.clientCertificateData : undefined;
  const key = typeof status.clientKeyData === "string" && status.clientKeyData ? status.clientKeyData : undefined;
  if (!token && !(cert && key))
    throw new ExecCredentialError(`${cfg.where}: ${cfg.command}'s ExecCredential has neither a token nor a client certificate and key`);
  const expiry = typeof status.expirationTimestamp === "string" ? Date.parse(status.expirationTimestamp) : Number.NaN;
  return {
    auth: { ...(token && { authorization: `Bearer ${token}` }), ...(cert && key && { cert, key }) },
    expiresAt: Number.isNaN(expiry) ? Number.POSITIVE_INFINITY : expiry,
  };
}

/** One plugin's credential, fetched on first use and shared by concurrent requests. */
export function execCredentials(cfg: ExecConfig, env: Record<string, string | undefined>, now: () => number = Date.now) {
  let current: Promise<{ auth: KubeAuth; expiresAt: number }> | undefined;
  return {
    async get(): Promise<KubeAuth> {
      if (current) {
        const c = await current.catch(() => undefined);
        if (!c || c.expiresAt <= now()) current = undefined;
      }
      current ??= run(cfg, env).then((out) => parseCredential(cfg, out));
      const pending = current;
      try {
        return (await pending).auth;
      } catch (e) {
        if (current === pending) current = undefined; // a failed run is retried by the next request
        throw e;
      }
    },
    invalidate() {
      current = undefined;
    },
  };
}
