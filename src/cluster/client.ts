// A minimal Kubernetes REST client over fetch: JSON in and out, bearer tokens, custom CAs and client
// certificates (Bun's fetch `tls` option), a per-call timeout, and Status bodies parsed into errors.
import type { KubeCredentials } from "./credentials";

export interface KubeResponse {
  status: number;
  body: unknown;
}

/** A refused or failed call; `retriable` for timeouts, throttling and server errors. */
export class ClusterError extends Error {
  override readonly name = "ClusterError";
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

/** Kubernetes' Status reason and message, if the body is one. */
export function statusOf(body: unknown): { reason: string; message: string } {
  if (body && typeof body === "object" && "kind" in body && (body as { kind: unknown }).kind === "Status") {
    const b = body as { reason?: unknown; message?: unknown };
    return { reason: typeof b.reason === "string" ? b.reason : "", message: typeof b.message === "string" ? b.message : "" };
  }
  return { reason: "", message: typeof body === "string" ? body : "" };
}

export class KubeClient {
  constructor(
    readonly credentials: KubeCredentials,
    private readonly timeoutMs: number,
  ) {}

  async request(method: string, path: string, body?: unknown): Promise<KubeResponse> {
    const c = this.credentials;
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    const token = c.token?.();
    if (token) headers.authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await fetch(`${c.server}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
        tls: { ca: c.ca, cert: c.cert, key: c.key, rejectUnauthorized: !c.insecureSkipTlsVerify },
      } as RequestInit);
    } catch (e) {
      const err = e as Error;
      const timedOut = err.name === "TimeoutError" || err.name === "AbortError";
      throw new ClusterError(`${method} ${path}: ${timedOut ? `no answer within ${this.timeoutMs} ms` : err.message}`, 0, timedOut ? "Timeout" : "ConnectionError", true);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text for the error message
    }
    return { status: res.status, body: parsed };
  }
}
