// The static OAuth2 clients and how a request proves it is one (fo: client_authentication.go): HTTP
// Basic with each half URL-query-unescaped, else form client_id/client_secret; public clients need no
// secret; secrets are bcrypt hashes (raw `$2…`, or base64 of one as upstream's docs configure them).
// Scope and audience checks are fosite's wildcard and default audience strategies.
import type { OAuthClientConfig } from "../../config/schema";
import { OAuthError } from "./oauth-error";

export const deviceGrantType = "urn:ietf:params:oauth:grant-type:device_code";

export interface OAuthClient {
  id: string;
  /** bcrypt hashes: the secret, then the rotated ones. */
  secretHashes: string[];
  redirectUris: string[];
  grantTypes: string[];
  responseTypes: string[];
  scopes: string[];
  audience: string[];
  public: boolean;
}

const bcryptHash = (configured: string): string => (configured.startsWith("$2") ? configured : Buffer.from(configured, "base64").toString("utf8"));

/** The clients by id: the map key, unless the entry names its own `id`. */
export function clientsFrom(config: Record<string, OAuthClientConfig>): Map<string, OAuthClient> {
  const out = new Map<string, OAuthClient>();
  for (const [key, c] of Object.entries(config)) {
    const id = c.id || key;
    out.set(id, {
      id,
      secretHashes: [c.client_secret, ...c.rotated_secrets].filter((s) => s !== "").map(bcryptHash),
      redirectUris: c.redirect_uris,
      grantTypes: c.grant_types,
      responseTypes: c.response_types,
      scopes: c.scopes,
      audience: c.audience,
      public: c.public,
    });
  }
  return out;
}

async function secretMatches(client: OAuthClient, secret: string): Promise<boolean> {
  for (const hash of client.secretHashes) {
    try {
      if (await Bun.password.verify(secret, hash, "bcrypt")) return true;
    } catch {
      // Not a bcrypt hash: it matches nothing, as fosite's hasher.
    }
  }
  return false;
}

/** Go's url.QueryUnescape: `+` is a space, `%XX` a byte; a bad escape is an error (undefined here). */
export function queryUnescape(s: string): string | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(s)) return undefined;
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    // Escapes that are not UTF-8: Go keeps the bytes; so do we, as latin1.
    return s.replace(/\+/g, " ").replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  }
}

/** Go's Request.BasicAuth: "Basic " (any case), standard base64, split at the first colon. */
export function basicCredentials(header: string | null): { id: string; secret: string } | undefined {
  if (!header || header.length < 6 || header.slice(0, 6).toLowerCase() !== "basic ") return undefined;
  const encoded = header.slice(6);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return undefined;
  const text = Buffer.from(encoded, "base64").toString("utf8");
  const colon = text.indexOf(":");
  if (colon < 0) return undefined;
  return { id: text.slice(0, colon), secret: text.slice(colon + 1) };
}

export class ClientRegistry {
  constructor(private readonly clients: Map<string, OAuthClient>) {}

  get(id: string): OAuthClient | undefined {
    return this.clients.get(id);
  }

  /** The client a token-endpoint request authenticates as; throws fosite's errors. */
  async authenticate(req: Request, form: URLSearchParams): Promise<OAuthClient> {
    let id: string;
    let secret: string;
    const basic = basicCredentials(req.headers.get("authorization"));
    if (basic) {
      const uid = queryUnescape(basic.id);
      if (uid === undefined) {
        throw new OAuthError(
          "invalid_request",
          "The client id in the HTTP authorization header could not be decoded from 'application/x-www-form-urlencoded'.",
        );
      }
      const usecret = queryUnescape(basic.secret);
      if (usecret === undefined) {
        throw new OAuthError(
          "invalid_request",
          "The client secret in the HTTP authorization header could not be decoded from 'application/x-www-form-urlencoded'.",
        );
      }
      id = uid;
      secret = usecret;
    } else {
      id = form.get("client_id") ?? "";
      secret = form.get("client_secret") ?? "";
      if (id === "") throw new OAuthError("invalid_request", "Client credentials missing or malformed in both HTTP Authorization header and HTTP POST body.");
    }
    const client = this.clients.get(id);
    if (!client) throw new OAuthError("invalid_client");
    if (client.public) return client;
    if (!(await secretMatches(client, secret))) throw new OAuthError("invalid_client");
    return client;
  }
}

/** fosite's WildcardScopeStrategy: `.`-separated segments, `*` matches one non-empty segment (and any tail when last). */
export function scopeAllowed(matchers: readonly string[], needle: string): boolean {
  const needleParts = needle.split(".");
  for (const matcher of matchers) {
    const parts = matcher.split(".");
    if (parts.length > needleParts.length) continue;
    let equal = true;
    for (let k = 0; k < parts.length; k++) {
      const c = parts[k];
      if (k === parts.length - 1 && parts.length !== needleParts.length && c !== "*") {
        equal = false;
        break;
      }
      if (c === "*" && needleParts[k].length > 0) continue;
      if (c !== needleParts[k]) {
        equal = false;
        break;
      }
    }
    if (equal) return true;
  }
  return false;
}

/** Throws invalid_scope for the first requested scope the client may not ask for. */
export function checkScopes(client: OAuthClient, requested: readonly string[]): void {
  for (const scope of requested) {
    if (!scopeAllowed(client.scopes, scope)) throw new OAuthError("invalid_scope", `The OAuth 2.0 Client is not allowed to request scope '${scope}'.`);
  }
}

/** fosite's GetAudiences: repeated `audience` parameters, or one space-separated. */
export function audiencesOf(form: URLSearchParams): string[] {
  const all = form.getAll("audience");
  const list = all.length > 1 ? all : all.length === 1 ? all[0].split(" ") : [];
  return list.filter((a) => a !== "");
}

/** fosite's DefaultAudienceMatchingStrategy: same scheme and host, and the whitelisted path or below it. */
export function checkAudience(client: OAuthClient, requested: readonly string[]): void {
  for (const n of requested) {
    const nu = URL.parse(n);
    const found = client.audience.some((h) => {
      const hu = URL.parse(h);
      if (!nu || !hu || nu.protocol !== hu.protocol || nu.host !== hu.host) return false;
      const allowed = hu.pathname.replace(/\/+$/, "");
      return nu.pathname === hu.pathname || nu.pathname === allowed || nu.pathname.startsWith(`${allowed}/`);
    });
    if (!found) throw new OAuthError("invalid_request", `Requested audience '${n}' has not been whitelisted by the OAuth 2.0 Client.`);
  }
}
