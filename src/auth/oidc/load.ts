// Start-up of the OIDC side of auth: discovery of userAuth.openId.baseUrl and the client secret.
// Anything missing stops the server with an Error that names the key or the secret, as upstream's
// start-up aborts (auth.md §2).
import { readFileSync } from "node:fs";
import type { Config } from "../../config/schema";
import type { Secrets } from "../secrets";
import { OidcClient } from "./client";
import { discoverProvider, type ProviderMetadata } from "./discovery";
import { type FetchLike, providerFetch } from "./http";
import { OidcIdTokenVerifier, remoteKeys } from "./id-token";

export type UserAuthSettings = Config["auth"]["userAuth"];

export interface Oidc {
  provider: ProviderMetadata;
  client: OidcClient;
  idTokens: OidcIdTokenVerifier;
  /** The fetch every provider call goes through (timeout, proxy). */
  fetch: FetchLike;
}

/** The IdP client secret: the deprecated clientSecretFile when set, else the secret clientSecretName; one trailing \n trimmed. */
export function readClientSecret(openId: UserAuthSettings["openId"], secrets: Secrets): string {
  let secret: string;
  if (openId.clientSecretFile) {
    try {
      secret = readFileSync(openId.clientSecretFile, "utf8");
    } catch (e) {
      throw new Error(`auth.userAuth.openId.clientSecretFile: cannot read ${openId.clientSecretFile}: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else {
    try {
      secret = secrets.get(openId.clientSecretName);
    } catch (e) {
      throw new Error(
        `auth.userAuth.openId.clientSecretName: the OIDC client secret "${openId.clientSecretName}" is missing: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }
  return secret.endsWith("\n") ? secret.slice(0, -1) : secret;
}

export async function loadOidc(userAuth: UserAuthSettings, secrets: Secrets, fetch?: FetchLike): Promise<Oidc> {
  const { openId } = userAuth;
  if (!openId.baseUrl) throw new Error("auth.userAuth.openId.baseUrl is required when server.security.useAuth is on");
  try {
    new URL(openId.baseUrl);
  } catch {
    throw new Error(`auth.userAuth.openId.baseUrl: "${openId.baseUrl}" is not an absolute URL`);
  }
  const http = providerFetch({ fetch, proxy: userAuth.httpProxyURL });
  let provider: ProviderMetadata;
  try {
    provider = await discoverProvider(openId.baseUrl, openId.issuerUrl, http);
  } catch (e) {
    throw new Error(`auth.userAuth.openId.baseUrl: OIDC discovery of ${openId.baseUrl} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  for (const [field, value] of [
    ["authorization_endpoint", provider.authorizationEndpoint],
    ["token_endpoint", provider.tokenEndpoint],
    ["jwks_uri", provider.jwksUri],
  ] as const) {
    if (!value) throw new Error(`auth.userAuth.openId.baseUrl: the provider's discovery document has no ${field}`);
  }
  const clientSecret = readClientSecret(openId, secrets);
  const client = new OidcClient(provider, { clientId: openId.clientId, clientSecret, scopes: openId.scopes }, http);
  const idTokens = new OidcIdTokenVerifier(
    { issuer: provider.issuer, clientId: openId.clientId, jwksUri: provider.jwksUri, algorithms: provider.idTokenAlgorithms },
    remoteKeys(provider.jwksUri, http),
  );
  return { provider, client, idTokens, fetch: http };
}
