// Start-up of External mode (auth.md §2, §6): the authorization server's metadata fetched once (no
// retry), its jwks_uri turned into a remote key set, and the relay GetOAuth2Metadata answers from.
import type { Config } from "../../config/schema";
import { parseGoDuration } from "../../kernel/duration";
import { type FetchLike, providerFetch } from "../oidc/http";
import { remoteKeys } from "../oidc/id-token";
import { externalMetadataUrl, fetchMetadataOnce, OAuth2MetadataRelay, toOAuth2Metadata } from "./metadata";
import { ExternalAccessTokenVerifier } from "./verifier";

export interface ExternalAuthServer {
  /** The metadata document's URL (the same for the start-up fetch and the relay). */
  metadataUrl: URL;
  /** The issuer the start-up document named ("" when it named none). */
  issuer: string;
  verifier: ExternalAccessTokenVerifier;
  metadata: OAuth2MetadataRelay;
}

export async function loadExternalAuthServer(settings: Config["auth"], fetch?: FetchLike): Promise<ExternalAuthServer> {
  const ext = settings.appAuth.externalAuthServer;
  const base = ext.baseUrl || settings.userAuth.openId.baseUrl;
  const key = ext.baseUrl ? "auth.appAuth.externalAuthServer.baseUrl" : "auth.userAuth.openId.baseUrl";
  if (!base) throw new Error("auth.appAuth.externalAuthServer.baseUrl (or auth.userAuth.openId.baseUrl) is required with authServerType External");
  let metadataUrl: URL;
  try {
    metadataUrl = externalMetadataUrl(base, ext.metadataUrl);
  } catch {
    throw new Error(`${key}: "${base}" with metadataUrl "${ext.metadataUrl}" is not a URL`);
  }
  // Keys come through externalAuthServer.httpProxyURL, the relay through auth.httpProxyURL, as upstream splits them.
  const keysFetch = providerFetch({ fetch, proxy: ext.httpProxyURL });
  let doc: Record<string, unknown>;
  try {
    doc = await fetchMetadataOnce(metadataUrl, keysFetch);
  } catch (e) {
    throw new Error(`${key}: fetching the authorization server's metadata ${metadataUrl.href} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  let jwksUri: URL;
  let issuer: string;
  try {
    const meta = toOAuth2Metadata(doc);
    issuer = meta.issuer;
    jwksUri = new URL(meta.jwksUri);
  } catch (e) {
    throw new Error(`${key}: the metadata at ${metadataUrl.href} has no usable jwks_uri: ${e instanceof Error ? e.message : String(e)}`);
  }
  const verifier = new ExternalAccessTokenVerifier({ issuer, allowedAudience: ext.allowedAudience }, remoteKeys(jwksUri.href, keysFetch));
  const metadata = new OAuth2MetadataRelay(
    { url: metadataUrl, retryAttempts: ext.retryAttempts, retryDelayMs: parseGoDuration(ext.retryDelay) ?? 1000 },
    providerFetch({ fetch, proxy: settings.httpProxyURL }),
  );
  return { metadataUrl, issuer, verifier, metadata };
}
