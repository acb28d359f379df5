// How auth talks to identity providers and authorization servers: one fetch with a timeout and an
// optional proxy, and JSON bodies read with errors that say which URL answered what.

/** The fetch auth uses; Bun's global fetch fits it, and a test may pass its own. */
export type FetchLike = (input: string, init?: RequestInit & { proxy?: string }) => Promise<Response>;

/** Upstream gives every call to the IdP 10 s (auth_context.go IdpConnectionTimeout). */
export const providerTimeoutMs = 10_000;

export interface HttpSettings {
  fetch?: FetchLike;
  /** Proxy URL ("" or undefined: none beyond the environment's). */
  proxy?: string;
  timeoutMs?: number;
}

/** A fetch that gives up after the timeout (body included) and goes through the proxy when one is set. */
export function providerFetch(settings: HttpSettings = {}): FetchLike {
  const base: FetchLike = settings.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = settings.timeoutMs ?? providerTimeoutMs;
  const proxy = settings.proxy || undefined;
  return (input, init = {}) => {
    const signal = init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    return base(input, { ...init, signal, ...(proxy ? { proxy } : {}) });
  };
}

/** A transport failure as Go's client words it: `Get "<url>": <cause>`. */
export function transportError(method: string, url: string, e: unknown): Error {
  const cause = e instanceof Error ? (e.name === "TimeoutError" ? "request timed out" : e.message) : String(e);
  return new Error(`${method[0]}${method.slice(1).toLowerCase()} "${url}": ${cause}`);
}

/** The body as a JSON object; the error says whether the content type claimed JSON (as go-oidc's unmarshalResp). */
export function jsonObject(res: Response, body: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    const type = res.headers.get("content-type") ?? "";
    const detail = e instanceof Error ? e.message : String(e);
    throw new Error(
      type.split(";")[0].trim() === "application/json"
        ? `${what}: got Content-Type = application/json, but could not unmarshal as JSON: ${detail}`
        : `${what}: expected Content-Type = application/json, got "${type}": ${detail}`,
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${what}: not a JSON object`);
  return value as Record<string, unknown>;
}

export const stringField = (o: Record<string, unknown>, key: string): string => (typeof o[key] === "string" ? (o[key] as string) : "");

/** A base URL with exactly one trailing "/", so relative references resolve below it (as upstream's JoinPath("/")). */
export function withTrailingSlash(base: string): URL {
  const u = new URL(base);
  u.pathname = `${u.pathname.replace(/\/+$/, "")}/`;
  return u;
}
