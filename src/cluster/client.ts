// A minimal Kubernetes REST client over Bun's fetch: JSON in and out, the credentials' bearer token or
// client certificate, a custom CA (fetch's `tls: { ca, cert, key, rejectUnauthorized, serverName }`,
// verified with Bun 1.4.5 against a TLS server with a throwaway CA: CA pinning, mTLS, server name,
// insecure mode; connections with equal TLS options are pooled), client-go's QPS/burst throttle, a
// per-request timeout, and Kubernetes Status bodies read into typed errors.
import type { KubeAuth, KubeCredentials } from "./kubeconfig";

export interface KubeResponse {
  status: number;
  body: unknown;
}

/** A refused or failed call. `status` is the HTTP status (0: no answer); `reason` is Kubernetes'. */
export class ClusterError extends Error {
  override readonly name = "ClusterError";
  constructor(
    message: string,
    readonly status: number,
    readonly reason: string,
    /** Worth trying again later: no answer, a timeout, throttling, or a server-side error. */
    readonly retriable: boolean,
    /** The API server's own message (Status.message), "" when it gave none. */
    readonly kubeMessage = "",
  ) {
    super(message);
  }
}

export interface KubeStatus {
  code: number;
  reason: string;
  message: string;
}

/** Kubernetes' Status object, if the body is one. */
export function parseStatus(body: unknown): KubeStatus | undefined {
  if (typeof body !== "object" || body === null || (body as { kind?: unknown }).kind !== "Status") return undefined;
  const b = body as { code?: unknown; reason?: unknown; message?: unknown };
  return {
    code: typeof b.code === "number" ? b.code : 0,
    reason: typeof b.reason === "string" ? b.reason : "",
    message: typeof b.message === "string" ? b.message : "",
  };
}

// Reason and wording client-go gives an error answer that carries no Status body.
const generic: Record<number, [string, string]> = {
  400: ["BadRequest", "the server rejected our request for an unknown reason"],
  401: ["Unauthorized", "the server has asked for the client to provide credentials"],
  403: ["Forbidden", "the server does not allow access to the requested resource"],
  404: ["NotFound", "the server could not find the requested resource"],
  405: ["MethodNotAllowed", "the server does not allow this method on the requested resource"],
  406: ["NotAcceptable", "the server was unable to respond with a content type that the client supports"],
  409: ["Conflict", "the server reported a conflict"],
  410: ["Gone", "the server no longer has the requested resource"],
  413: ["RequestEntityTooLarge", "the server has rejected the request because it is too large"],
  415: ["UnsupportedMediaType", "the server was unable to handle the media type requested"],
  422: ["Invalid", "the server rejected our request due to an error in our request"],
  429: ["TooManyRequests", "the server has received too many requests and has asked us to try again later"],
  500: ["InternalError", "an error on the server has prevented the request from succeeding"],
  503: ["ServiceUnavailable", "the server is currently unable to handle the request"],
  504: ["Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request"],
};

/** The reason and message of an answer: its Status body's, else client-go's for the code. */
export function reasonOf(res: KubeResponse, method: string): { reason: string; message: string } {
  const s = parseStatus(res.body);
  if (s?.reason || s?.message) return { reason: s.reason, message: s.message };
  // client-go reads a bare 409 to a POST as AlreadyExists.
  if (res.status === 409 && method === "POST") return { reason: "AlreadyExists", message: "the object already exists" };
  const [reason, message] = generic[res.status] ?? ["", `the server responded with the status code ${res.status} but did not return more information`];
  return { reason, message: typeof res.body === "string" && res.body && res.status >= 500 ? `${message} (${res.body.slice(0, 200)})` : message };
}

const retriableReasons = new Set(["ServerTimeout", "Timeout", "TooManyRequests", "ServiceUnavailable", "InternalError"]);

/** The typed error for an answer that is not a success; `what` says what was being done. */
export function responseError(what: string, method: string, res: KubeResponse): ClusterError {
  const { reason, message } = reasonOf(res, method);
  const retriable = res.status === 429 || res.status >= 500 || retriableReasons.has(reason);
  return new ClusterError(`${what}: ${res.status}${reason ? ` ${reason}` : ""}${message ? `: ${message}` : ""}`, res.status, reason, retriable, message);
}

/**
 * client-go's token bucket: `burst` requests at once, then `qps` a second; a request that finds no
 * token waits for one (0 means client-go's defaults, 5 qps and a burst of 10).
 */
export class TokenBucket {
  private readonly qps: number;
  private readonly burst: number;
  private tokens: number;
  private last: number;
  constructor(
    qps: number,
    burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.qps = qps > 0 ? qps : 5;
    this.burst = burst > 0 ? burst : 10;
    this.tokens = this.burst;
    this.last = now();
  }

  /** Takes a token; the milliseconds to wait before the request may go. */
  reserve(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }
}

export interface ClientLimits {
  /** Per request; 0: no timeout (upstream's meaning of kubeClientConfig.timeout 0). */
  timeoutMs: number;
  qps: number;
  burst: number;
}

export class KubeClient {
  private readonly bucket: TokenBucket;
  constructor(
    readonly credentials: KubeCredentials,
    private readonly limits: ClientLimits,
  ) {
    this.bucket = new TokenBucket(limits.qps, limits.burst);
  }

  /** One call. Any HTTP answer resolves; no answer (refused, TLS, timeout) throws a retriable ClusterError. */
  async request(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<KubeResponse> {
    const c = this.credentials;
    const url = `${c.server}${path}`;
    const wait = this.bucket.reserve();
    if (wait > 0) await Bun.sleep(wait);
    let auth: KubeAuth;
    try {
      auth = await c.auth();
    } catch (e) {
      throw new ClusterError(`${method} ${url}: no credentials: ${(e as Error).message}`, 0, "", true);
    }
    const headers: Record<string, string> = { accept: "application/json", "user-agent": "flyteadmin-ts" };
    if (body !== undefined) headers["content-type"] = contentType;
    if (auth.authorization) headers.authorization = auth.authorization;
    const timeoutMs = this.limits.timeoutMs;
    let status: number;
    let text: string;
    try {
      const res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined,
        tls: { ca: c.ca, cert: auth.cert ?? c.cert, key: auth.key ?? c.key, rejectUnauthorized: !c.insecureSkipTlsVerify, serverName: c.serverName },
      });
      status = res.status;
      text = await res.text();
    } catch (e) {
      const err = e as Error;
      const timedOut = err.name === "TimeoutError" || err.name === "AbortError";
      throw new ClusterError(`${method} ${url}: ${timedOut ? `no answer within ${timeoutMs} ms` : err.message}`, 0, timedOut ? "Timeout" : "", true);
    }
    if (status === 401) c.invalidate();
    let parsed: unknown = text === "" ? undefined : text;
    try {
      if (text) parsed = JSON.parse(text);
    } catch {
      // not JSON (a proxy's error page): kept as text for the message
    }
    return { status, body: parsed };
  }
}
