// OIDC discovery of userAuth.openId.baseUrl, as go-oidc's NewProvider does it: the document at
// <baseUrl without trailing />/.well-known/openid-configuration, whose issuer must equal baseUrl
// (unless issuerUrl overrides which issuer id tokens must carry; then the check is skipped).
import { type FetchLike, jsonObject, stringField, transportError } from "./http";

export interface ProviderMetadata {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string;
  jwksUri: string;
  /** Signing algorithms of id tokens (RS256 when the document names none). */
  idTokenAlgorithms: string[];
}

/** Algorithms go-oidc accepts; others the provider lists are ignored. */
const supportedAlgorithms = new Set(["RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"]);

export function discoveryUrl(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/.well-known/openid-configuration`;
}

/** Fetches and checks the provider's document; throws an Error naming the URL on any failure. */
export async function discoverProvider(baseUrl: string, issuerOverride: string, fetchFn: FetchLike): Promise<ProviderMetadata> {
  const url = discoveryUrl(baseUrl);
  let res: Response;
  let body: string;
  try {
    res = await fetchFn(url, { method: "GET", headers: { accept: "application/json" } });
    body = await res.text();
  } catch (e) {
    throw transportError("GET", url, e);
  }
  if (res.status !== 200) throw new Error(`${res.status} ${res.statusText}: ${body.slice(0, 512)}`);
  const doc = jsonObject(res, body, "oidc: failed to decode provider discovery object");
  const issuer = stringField(doc, "issuer");
  if (!issuerOverride && issuer !== baseUrl) {
    throw new Error(`oidc: issuer did not match the issuer returned by provider, expected "${baseUrl}" got "${issuer}"`);
  }
  const listed = Array.isArray(doc.id_token_signing_alg_values_supported) ? doc.id_token_signing_alg_values_supported : [];
  const algorithms = listed.filter((a): a is string => typeof a === "string" && supportedAlgorithms.has(a));
  return {
    // The issuer id tokens are checked against: the override, else baseUrl (go-oidc keeps the configured one).
    issuer: issuerOverride || baseUrl,
    authorizationEndpoint: stringField(doc, "authorization_endpoint"),
    tokenEndpoint: stringField(doc, "token_endpoint"),
    userinfoEndpoint: stringField(doc, "userinfo_endpoint"),
    jwksUri: stringField(doc, "jwks_uri"),
    idTokenAlgorithms: algorithms.length > 0 ? algorithms : ["RS256"],
  };
}
