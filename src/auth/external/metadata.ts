// The external authorization server's metadata (auth.md §6): where it is, the one fetch at start-up
// that finds its keys, and the relay behind GetOAuth2Metadata, which fetches it live on every call and
// retries the 401–511 answers as upstream's metadata provider does.
import { AdminError, ErrorCode } from "../../kernel/errors";
import type { OAuth2Metadata } from "../oauth2-metadata";
import { type FetchLike, jsonObject, transportError, withTrailingSlash } from "../oidc/http";

export const defaultMetadataPath = ".well-known/oauth-authorization-server";

const stringFields = {
  issuer: "issuer",
  authorizationEndpoint: "authorization_endpoint",
  tokenEndpoint: "token_endpoint",
  jwksUri: "jwks_uri",
  deviceAuthorizationEndpoint: "device_authorization_endpoint",
} as const;
const listFields = {
  responseTypesSupported: "response_types_supported",
  scopesSupported: "scopes_supported",
  tokenEndpointAuthMethodsSupported: "token_endpoint_auth_methods_supported",
  codeChallengeMethodsSupported: "code_challenge_methods_supported",
  grantTypesSupported: "grant_types_supported",
} as const;

/** The document decoded as Go decodes it into the proto message: known fields kept, others dropped, a wrong type an error. */
export function toOAuth2Metadata(doc: Record<string, unknown>): OAuth2Metadata {
  const out = {} as OAuth2Metadata;
  for (const [field, key] of Object.entries(stringFields) as [keyof typeof stringFields, string][]) {
    const v = doc[key];
    if (v !== undefined && v !== null && typeof v !== "string") throw new Error(`json: cannot unmarshal ${typeof v} into field ${key} of type string`);
    out[field] = typeof v === "string" ? v : "";
  }
  for (const [field, key] of Object.entries(listFields) as [keyof typeof listFields, string][]) {
    const v = doc[key];
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.every((s) => typeof s === "string"))) {
      throw new Error(`json: cannot unmarshal ${Array.isArray(v) ? "array" : typeof v} into field ${key} of type []string`);
    }
    out[field] = Array.isArray(v) ? [...(v as string[])] : [];
  }
  return out;
}

/** <externalAuthServer.baseUrl or openId.baseUrl>/ + metadataUrl (default .well-known/oauth-authorization-server); an absolute metadataUrl stands alone. */
export function externalMetadataUrl(baseUrl: string, metadataUrl: string): URL {
  return new URL(metadataUrl || defaultMetadataPath, withTrailingSlash(baseUrl));
}

/** The start-up fetch: one try, 200 and a JSON object, else an Error saying why. */
export async function fetchMetadataOnce(url: URL, fetchFn: FetchLike): Promise<Record<string, unknown>> {
  let res: Response;
  let body: string;
  try {
    res = await fetchFn(url.href, { method: "GET", headers: { accept: "application/json" } });
    body = await res.text();
  } catch (e) {
    throw transportError("GET", url.href, e);
  }
  if (res.status !== 200) throw new Error(`${res.status} ${res.statusText}: ${body.slice(0, 512)}`);
  return jsonObject(res, body, "failed to decode provider discovery object");
}

export interface RelaySettings {
  url: URL;
  /** Extra tries after the first for a 401–511 answer. */
  retryAttempts: number;
  retryDelayMs: number;
}

const retryable = (status: number) => status >= 401 && status <= 511;

/** GetOAuth2Metadata in External mode: the server's document, fetched on every call. Throws AdminError. */
export class OAuth2MetadataRelay {
  constructor(
    private readonly settings: RelaySettings,
    private readonly fetchFn: FetchLike,
  ) {}

  async get(): Promise<OAuth2Metadata> {
    const { url, retryAttempts, retryDelayMs } = this.settings;
    let res: Response | undefined;
    for (let attempt = 0; attempt <= retryAttempts; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, retryDelayMs));
      try {
        res = await this.fetchFn(url.href, { method: "GET" });
      } catch (e) {
        throw new AdminError(ErrorCode.Unknown, transportError("GET", url.href, e).message);
      }
      if (!retryable(res.status)) break;
      await res.body?.cancel().catch(() => {});
      res = undefined;
    }
    if (!res) throw new AdminError(ErrorCode.Internal, "Failed to get oauth metadata.");
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {});
      throw new AdminError(ErrorCode.Unknown, `failed to get oauth metadata with status code ${res.status}`);
    }
    try {
      return toOAuth2Metadata(jsonObject(res, await res.text(), "failed to decode oauth metadata"));
    } catch (e) {
      throw new AdminError(ErrorCode.Unknown, e instanceof Error ? e.message : String(e));
    }
  }
}
