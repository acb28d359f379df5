// A stand-in Kubernetes API for flyteworkflows, Secrets and generic objects (fake-k8s-store.ts), on an
// ephemeral loopback port: the real paths, status codes and Status bodies (201 on create, 409
// AlreadyExists, 404 NotFound, 422 Invalid for a wrong kind or apiVersion), bearer-token or
// client-certificate authentication, optionally over TLS with a throwaway CA made by the openssl CLI, a
// record of every request, and failures or delays on demand.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Discovery, type ServedKind } from "./fake-k8s-discovery";
import { GenericStore, genericRoute } from "./fake-k8s-store";

export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  path: string;
  body: unknown;
  authorization: string | undefined;
  contentType: string | undefined;
  /** The client presented a certificate our CA signed. */
  clientCertificate: boolean;
}

export interface FakeKubeOptions {
  /** The bearer token it accepts (default "test-token"). */
  token?: string;
  /** Serve HTTPS with a certificate from a throwaway CA; the CA also signs a client certificate it accepts. */
  tls?: boolean;
}

/** PEM texts and their files, for kubeconfigs and cluster configs. */
export interface FakeKubeTls {
  dir: string;
  ca: string;
  caFile: string;
  clientCert: string;
  clientCertFile: string;
  clientKey: string;
  clientKeyFile: string;
}

export interface KubeconfigOptions {
  /** Bearer token to write (default the server's); null writes none. */
  token?: string | null;
  /** Write the token to a file and name it in tokenFile instead. */
  tokenFile?: boolean;
  /** How the CA is given (TLS only): inline data (default), a file path, or not at all. */
  ca?: "data" | "file" | "none";
  /** Authenticate with the client certificate (TLS only), inline or as files. */
  clientCert?: "data" | "file";
  insecureSkipTlsVerify?: boolean;
  /** Another server URL (a dead port, say). */
  server?: string;
}

export interface FakeKube {
  url: string;
  token: string;
  tls?: FakeKubeTls;
  requests: RecordedRequest[];
  /** Stored objects by "namespace/name". */
  objects: Map<string, Record<string, unknown>>;
  /** Stored core/v1 Secrets by "namespace/name". */
  secrets: Map<string, Record<string, unknown>>;
  /** Every other stored object (namespaces, quotas, any group's kinds) by its item path, e.g. "/api/v1/namespaces/p-d". */
  resources: Map<string, Record<string, unknown>>;
  /** Serves a kind from now on (as installing a CRD does): in discovery and in the generic store. */
  serveKind(groupVersion: string, kind: ServedKind): void;
  /** The next `count` requests (those `when` picks, if given) answer `code` with a Status body. */
  failNext(count: number, code: number, reason?: string, message?: string, when?: (r: RecordedRequest) => boolean): void;
  /** The next `count` requests are answered only after `ms` milliseconds. */
  delayNext(count: number, ms: number): void;
  /** Writes a kubeconfig pointing at this server; returns its path. */
  writeKubeconfig(options?: KubeconfigOptions): string;
  close(): Promise<void>;
}

export function hasOpenssl(): boolean {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A CA, a server certificate for 127.0.0.1/localhost, and a client certificate, all EC P-256. */
function makeTls(): FakeKubeTls & { serverCert: string; serverKey: string } {
  const dir = mkdtempSync(join(tmpdir(), "fake-kube-tls-"));
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  ssl("req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=fake-kube-ca");
  writeFileSync(f("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n");
  ssl("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=kube-apiserver");
  ssl(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.crt",
    "-days",
    "1",
    "-extfile",
    "server.ext",
  );
  ssl("req", ...ec, "-keyout", "client.key", "-out", "client.csr", "-subj", "/CN=flyteadmin/O=system:masters");
  ssl("x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "client.crt", "-days", "1");
  const r = (name: string) => readFileSync(f(name), "utf8");
  return {
    dir,
    ca: r("ca.crt"),
    caFile: f("ca.crt"),
    clientCert: r("client.crt"),
    clientCertFile: f("client.crt"),
    clientKey: r("client.key"),
    clientKeyFile: f("client.key"),
    serverCert: r("server.crt"),
    serverKey: r("server.key"),
  };
}

const route = /^\/apis\/flyte\.lyft\.com\/v1alpha1\/namespaces\/([^/?]+)\/flyteworkflows(?:\/([^/?]+))?\/?(?:\?.*)?$/;

const status = (code: number, reason: string, message: string, name?: string) => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: code < 300 ? "Success" : "Failure",
  ...(message && { message }),
  ...(reason && { reason }),
  ...(name !== undefined && { details: { name, group: "flyte.lyft.com", kind: "flyteworkflows" } }),
  code,
});

async function readBody(req: IncomingMessage): Promise<{ text: string; json: unknown; bad: boolean }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text) return { text, json: undefined, bad: false };
  try {
    return { text, json: JSON.parse(text), bad: false };
  } catch {
    return { text, json: text, bad: true };
  }
}

const secretRoute = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/?]+))?(?:\?.*)?$/;

/** core/v1 Secrets: create (409 when taken), get, replace, and a JSON merge patch of `data`. */
function handleSecret(
  secrets: Map<string, Record<string, unknown>>,
  method: string,
  ns: string,
  name: string | undefined,
  body: { json?: unknown },
  contentType: string | undefined,
  reply: (code: number, payload: unknown) => void,
): void {
  const obj = body.json as { metadata?: { name?: string }; data?: Record<string, string> } | undefined;
  const key = `${ns}/${name ?? obj?.metadata?.name ?? ""}`;
  const notFound = () => reply(404, status(404, "NotFound", `secrets "${name}" not found`, name));
  if (method === "POST" && name === undefined) {
    if (secrets.has(key)) return reply(409, status(409, "AlreadyExists", `secrets "${obj?.metadata?.name}" already exists`, obj?.metadata?.name));
    secrets.set(key, { ...obj, metadata: { ...obj?.metadata, namespace: ns } });
    return reply(201, secrets.get(key));
  }
  if (name === undefined) return reply(405, status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"));
  const existing = secrets.get(key);
  if (!existing) return notFound();
  if (method === "GET") return reply(200, existing);
  if (method === "PUT") {
    secrets.set(key, { ...obj, metadata: { ...obj?.metadata, namespace: ns } });
    return reply(200, secrets.get(key));
  }
  if (method === "PATCH") {
    if (contentType !== "application/merge-patch+json")
      return reply(415, status(415, "UnsupportedMediaType", `the body of the request was in an unknown format`));
    existing.data = { ...(existing.data as Record<string, string> | undefined), ...obj?.data };
    return reply(200, existing);
  }
  return reply(405, status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"));
}

export async function startFakeKube(tokenOrOptions: string | FakeKubeOptions = {}): Promise<FakeKube> {
  const options: FakeKubeOptions = typeof tokenOrOptions === "string" ? { token: tokenOrOptions } : tokenOrOptions;
  const token = options.token ?? "test-token";
  const tls = options.tls ? makeTls() : undefined;
  const requests: RecordedRequest[] = [];
  const objects = new Map<string, Record<string, unknown>>();
  const secrets = new Map<string, Record<string, unknown>>();
  let failures: { count: number; code: number; reason: string; message: string; when?: (r: RecordedRequest) => boolean } = {
    count: 0,
    code: 0,
    reason: "",
    message: "",
  };
  let delays = { count: 0, ms: 0 };
  let revision = 0;
  const generic = new GenericStore(() => ++revision);
  const discovery = new Discovery();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = req.url ?? "";
    const method = req.method ?? "";
    const clientCertificate = tls !== undefined && (req.socket as TLSSocket).authorized === true;
    requests.push({ method, path, body: body.json, authorization: req.headers.authorization, contentType: req.headers["content-type"], clientCertificate });
    if (delays.count > 0) {
      delays.count--;
      await Bun.sleep(delays.ms);
    }
    const reply = (code: number, payload: unknown) => {
      if (res.destroyed) return; // the client gave up (its timeout)
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    if (req.headers.authorization !== `Bearer ${token}` && !clientCertificate) return reply(401, status(401, "Unauthorized", "Unauthorized"));
    if (failures.count > 0 && (!failures.when || failures.when(requests[requests.length - 1]))) {
      failures.count--;
      return reply(failures.code, status(failures.code, failures.reason, failures.message || `injected failure ${failures.code}`));
    }
    const sm = secretRoute.exec(path);
    if (sm) return handleSecret(secrets, method, decodeURIComponent(sm[1]), sm[2] && decodeURIComponent(sm[2]), body, req.headers["content-type"], reply);
    const doc = method === "GET" ? discovery.document(path) : undefined;
    if (doc) return reply(doc.code, doc.body);
    const m = route.exec(path);
    if (!m) {
      const g = genericRoute(path);
      const served = g && discovery.lookup(g.base, g.plural);
      // A kind the server does not serve, or in the wrong scope (a namespaced kind outside a namespace is only listed).
      const scoped = served && (served.namespaced ? g.namespace !== "" || (method === "GET" && g.name === undefined) : g.namespace === "");
      if (g && scoped) return generic.handle(method, g, body.bad ? undefined : body.json, req.headers["content-type"], reply);
      return reply(404, status(404, "NotFound", "the server could not find the requested resource"));
    }
    const ns = decodeURIComponent(m[1]);
    const name = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    const key = `${ns}/${name}`;
    const notFound = () => reply(404, status(404, "NotFound", `flyteworkflows.flyte.lyft.com "${name}" not found`, name));

    if (method === "POST" && name === undefined) {
      if (body.bad || typeof body.json !== "object" || body.json === null)
        return reply(400, status(400, "BadRequest", "the request body is not a JSON object"));
      const obj = body.json as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: string; namespace?: string } };
      const objName = obj.metadata?.name ?? "";
      if (obj.metadata?.namespace && obj.metadata.namespace !== ns) {
        return reply(400, status(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request"));
      }
      // The API server's type-meta check for custom resources.
      const invalid: string[] = [];
      if (obj.kind !== "FlyteWorkflow") invalid.push(`kind: Invalid value: ${JSON.stringify(obj.kind ?? "")}: must be FlyteWorkflow`);
      if (obj.apiVersion !== "flyte.lyft.com/v1alpha1")
        invalid.push(`apiVersion: Invalid value: ${JSON.stringify(obj.apiVersion ?? "")}: must be flyte.lyft.com/v1alpha1`);
      if (!objName) invalid.push("metadata.name: Required value: name or generateName is required");
      if (invalid.length > 0) {
        const list = invalid.length === 1 ? invalid[0] : `[${invalid.join(", ")}]`;
        return reply(422, status(422, "Invalid", `FlyteWorkflow.flyte.lyft.com "${objName}" is invalid: ${list}`, objName));
      }
      const objKey = `${ns}/${objName}`;
      if (objects.has(objKey)) return reply(409, status(409, "AlreadyExists", `flyteworkflows.flyte.lyft.com "${objName}" already exists`, objName));
      revision++;
      const stored = {
        ...obj,
        metadata: {
          ...obj.metadata,
          namespace: ns,
          uid: crypto.randomUUID(),
          resourceVersion: String(revision),
          generation: 1,
          creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
        },
      };
      objects.set(objKey, stored);
      return reply(201, stored);
    }
    if (method === "GET" && name === undefined) {
      const items = [...objects].filter(([k]) => k.startsWith(`${ns}/`)).map(([, v]) => v);
      return reply(200, { apiVersion: "flyte.lyft.com/v1alpha1", kind: "FlyteWorkflowList", metadata: { resourceVersion: String(revision) }, items });
    }
    if (method === "GET" && name !== undefined) return objects.has(key) ? reply(200, objects.get(key)) : notFound();
    if (method === "DELETE" && name !== undefined) {
      const gone = objects.get(key);
      if (!gone) return notFound();
      objects.delete(key);
      revision++;
      const uid = (gone.metadata as { uid: string }).uid;
      const s = status(200, "", "", name);
      return reply(200, { ...s, details: { ...s.details, uid } });
    }
    return reply(405, status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"));
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(e));
    });
  };
  const server: Server = tls
    ? createHttpsServer({ key: tls.serverKey, cert: tls.serverCert, ca: tls.ca, requestCert: true, rejectUnauthorized: false }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
  const publicTls = tls && {
    dir: tls.dir,
    ca: tls.ca,
    caFile: tls.caFile,
    clientCert: tls.clientCert,
    clientCertFile: tls.clientCertFile,
    clientKey: tls.clientKey,
    clientKeyFile: tls.clientKeyFile,
  };

  return {
    url,
    token,
    tls: publicTls || undefined,
    requests,
    objects,
    secrets,
    resources: generic.objects,
    serveKind: (groupVersion, kind) => discovery.serve(groupVersion, kind),
    failNext(count, code, reason = "InternalError", message = "", when = undefined) {
      failures = { count, code, reason, message, when };
    },
    delayNext(count, ms) {
      delays = { count, ms };
    },
    writeKubeconfig(o: KubeconfigOptions = {}) {
      const dir = mkdtempSync(join(tmpdir(), "fake-kube-"));
      const b64 = (s: string) => Buffer.from(s).toString("base64");
      const cluster: Record<string, unknown> = { server: o.server ?? url };
      if (tls && o.ca !== "none" && !o.insecureSkipTlsVerify) {
        if (o.ca === "file") cluster["certificate-authority"] = tls.caFile;
        else cluster["certificate-authority-data"] = b64(tls.ca);
      }
      if (o.insecureSkipTlsVerify) cluster["insecure-skip-tls-verify"] = true;
      const user: Record<string, unknown> = {};
      const t = o.token === undefined ? token : o.token;
      if (t !== null && o.tokenFile) {
        writeFileSync(join(dir, "token"), `${t}\n`);
        user.tokenFile = "token"; // relative to the kubeconfig's folder
      } else if (t !== null) user.token = t;
      if (tls && o.clientCert === "data") Object.assign(user, { "client-certificate-data": b64(tls.clientCert), "client-key-data": b64(tls.clientKey) });
      if (tls && o.clientCert === "file") Object.assign(user, { "client-certificate": tls.clientCertFile, "client-key": tls.clientKeyFile });
      const doc = {
        apiVersion: "v1",
        kind: "Config",
        "current-context": "fake",
        contexts: [{ name: "fake", context: { cluster: "fake", user: "fake" } }],
        clusters: [{ name: "fake", cluster }],
        users: [{ name: "fake", user }],
      };
      const path = join(dir, "config");
      writeFileSync(path, JSON.stringify(doc, null, 2)); // JSON is YAML
      return path;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
