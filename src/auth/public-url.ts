// The URL clients reach us at, as upstream derives it (auth.md §3): from the request, matched against
// auth.authorizedUris. It fixes the issuer, the audience of our tokens and which redirects are allowed.
import { AdminError, ErrorCode, echo } from "../kernel/errors";

/**
 * The request's own URL as upstream sees it: always https, host from x-forwarded-host, else the Host
 * (for gRPC :authority). `host` is what the caller addressed, e.g. "localhost:8088".
 */
export function requestUrl(host: string): URL {
  try {
    const u = new URL(`https://${host}`);
    // Only host[:port]: anything that would become a path, query, fragment or user is refused.
    if (u.hostname && u.pathname === "/" && !u.search && !u.hash && !u.username && !/[/?#@\\]/.test(host)) return u;
  } catch {
    // refused below
  }
  // x-forwarded-host is whatever a caller sends: a bad one is the caller's error, not ours.
  throw new AdminError(ErrorCode.InvalidArgument, `invalid host "${echo(host)}": expected host[:port]`);
}

/** The public URL of an HTTP request: its x-forwarded-host, else its Host, matched as publicUrl does. */
export function publicUrlOf(req: Request, authorizedUris: readonly URL[]): URL {
  const host = req.headers.get("x-forwarded-host") || req.headers.get("host") || new URL(req.url).host;
  return publicUrl(requestUrl(host), authorizedUris);
}

const portOf = (u: URL): string => u.port || (u.protocol === "https:" ? "443" : u.protocol === "http:" ? "80" : "");

/**
 * The public URL for a request: with no authorized URIs the request URL; else the entry with the same
 * hostname and scheme, else the first with the same hostname and port, else the first with the same
 * hostname, else the first entry.
 */
export function publicUrl(request: URL, authorizedUris: readonly URL[]): URL {
  if (authorizedUris.length === 0) return request;
  let samePort: URL | undefined;
  let sameHost: URL | undefined;
  for (const u of authorizedUris) {
    if (u.hostname !== request.hostname) continue;
    if (u.protocol === request.protocol) return u;
    if (!samePort && portOf(u) === portOf(request)) samePort = u;
    sameHost ??= u;
  }
  return samePort ?? sameHost ?? authorizedUris[0];
}

/** A redirect target is allowed when relative, or when scheme, hostname and port equal an authorized URI's. */
export function redirectAllowed(target: string, authorizedUris: readonly URL[]): boolean {
  if (target === "") return true;
  let u: URL;
  try {
    u = new URL(target);
  } catch {
    // Relative (no scheme): allowed, unless it is protocol-relative ("//evil.example"), which browsers resolve to another host.
    return !/^[/\\]{2}/.test(target);
  }
  return authorizedUris.some((a) => a.protocol === u.protocol && a.hostname === u.hostname && portOf(a) === portOf(u));
}

/** The public URL with its path replaced by `path` (e.g. /oauth2/token), as upstream builds its endpoints. */
export function publicEndpoint(base: URL, path: string): string {
  const u = new URL(base.href);
  u.pathname = path;
  u.search = "";
  u.hash = "";
  return u.href;
}

/** authorizedUris parsed once; a malformed entry names the key. */
export function parseAuthorizedUris(uris: readonly string[]): URL[] {
  return uris.map((s, i) => {
    try {
      return new URL(s);
    } catch {
      throw new Error(`auth.authorizedUris[${i}]: "${s}" is not an absolute URL`);
    }
  });
}

/**
 * A URL as text the way upstream prints it: an origin without the trailing "/" a bare URL gets
 * (https://host:8088), so issuer, audience and configured URIs compare equal as strings.
 */
export function urlText(u: URL): string {
  return u.pathname === "/" && !u.search && !u.hash ? u.href.slice(0, -1) : u.href;
}
