// A stand-in Kubernetes API for flyteworkflows: the real paths, status codes and Status bodies, a bearer
// token check, a record of every request, and failures on demand. Only an HTTP server: no mocks.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  authorization: string | undefined;
}

const prefix = /^\/apis\/flyte\.lyft\.com\/v1alpha1\/namespaces\/([^/]+)\/flyteworkflows(?:\/([^/?]+))?/;

const status = (code: number, reason: string, message: string, name?: string) => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: code < 300 ? "Success" : "Failure",
  message,
  reason,
  details: name ? { name, group: "flyte.lyft.com", kind: "flyteworkflows" } : undefined,
  code,
});

export interface FakeKube {
  url: string;
  token: string;
  requests: RecordedRequest[];
  /** Stored objects by "namespace/name". */
  objects: Map<string, Record<string, unknown>>;
  /** The next `count` requests answer `code` with a Status body. */
  failNext(count: number, code: number, reason?: string): void;
  /** Writes a kubeconfig pointing at this server with its token; returns its path. */
  writeKubeconfig(): string;
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : undefined;
}

export async function startFakeKube(token = "test-token"): Promise<FakeKube> {
  const requests: RecordedRequest[] = [];
  const objects = new Map<string, Record<string, unknown>>();
  let failures: { count: number; code: number; reason: string } = { count: 0, code: 0, reason: "" };
  let uid = 0;
  const server: Server = createServer(async (req, res) => {
    const body = await bodyOf(req);
    const path = req.url ?? "";
    requests.push({ method: req.method ?? "", path, body, authorization: req.headers.authorization });
    const reply = (code: number, payload: unknown) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    if (req.headers.authorization !== `Bearer ${token}`) return reply(401, status(401, "Unauthorized", "Unauthorized"));
    if (failures.count > 0) {
      failures.count--;
      return reply(failures.code, status(failures.code, failures.reason, `injected failure ${failures.code}`));
    }
    const m = prefix.exec(path);
    if (!m) return reply(404, status(404, "NotFound", "the server could not find the requested resource"));
    const [, ns, name] = m;
    if (req.method === "POST" && !name) {
      const obj = body as { metadata?: { name?: string } };
      const key = `${ns}/${obj.metadata?.name}`;
      if (objects.has(key)) return reply(409, status(409, "AlreadyExists", `flyteworkflows.flyte.lyft.com "${obj.metadata?.name}" already exists`, obj.metadata?.name));
      const stored = { ...(body as object), metadata: { ...obj.metadata, uid: `uid-${++uid}`, resourceVersion: String(uid), creationTimestamp: new Date().toISOString() } };
      objects.set(key, stored);
      return reply(201, stored);
    }
    const key = `${ns}/${name}`;
    if (req.method === "GET" && name) return objects.has(key) ? reply(200, objects.get(key)) : reply(404, status(404, "NotFound", `flyteworkflows.flyte.lyft.com "${name}" not found`, name));
    if (req.method === "DELETE" && name) {
      if (!objects.delete(key)) return reply(404, status(404, "NotFound", `flyteworkflows.flyte.lyft.com "${name}" not found`, name));
      return reply(200, status(200, "", "", name));
    }
    return reply(405, status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    objects,
    failNext(count, code, reason = "InternalError") {
      failures = { count, code, reason };
    },
    writeKubeconfig() {
      const path = join(mkdtempSync(join(tmpdir(), "fake-kube-")), "config");
      writeFileSync(
        path,
        [
          "apiVersion: v1",
          "kind: Config",
          "current-context: t",
          "contexts: [{name: t, context: {cluster: c, user: u}}]",
          `clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]`,
          `users: [{name: u, user: {token: ${token}}}]`,
        ].join("\n"),
      );
      return path;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
