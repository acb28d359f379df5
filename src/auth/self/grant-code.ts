// grant_type=authorization_code with PKCE (fo: flow_authorize_code_token.go, handler/pkce/handler.go;
// Z/stateless_token_store.go). Beyond upstream a code redeems once: the first redemption marks its jti,
// and a second one also revokes the refresh tokens the first produced (RFC 6749 §4.1.2).
import { createHash } from "node:crypto";
import type { OAuthClient } from "./clients";
import { param } from "./form";
import { familyRevocationExpiry, type GrantContext, grantClaims, issueTokens, mayRefresh, requireGrantType, type TokenAnswer } from "./issue";
import { OAuthError } from "./oauth-error";
import { grantedFrom, requestedFromCode, union } from "./scopes";
import { claimList, claimText, type Pkce, subjectOf } from "./tokens";

const verifierWrongFormat = /[^\w.\-~]/;

/** fosite's PKCE method check, at /oauth2/authorize and again when the code is redeemed. */
export function checkChallengeMethod(pkce: Partial<Pkce>): void {
  if (!pkce.challenge) return;
  if (pkce.method === "S256") return;
  if (pkce.method === "plain" || !pkce.method) throw new OAuthError("invalid_request", "Clients must use code_challenge_method=S256, plain is not allowed.");
  throw new OAuthError("invalid_request", "The code_challenge_method is not supported, use S256 instead.");
}

function checkVerifier(pkce: Partial<Pkce>, verifier: string): void {
  checkChallengeMethod(pkce);
  if (!pkce.challenge && verifier === "") return;
  if (verifier.length < 43) throw new OAuthError("invalid_grant", "The PKCE code verifier must be at least 43 characters.");
  if (verifier.length > 128) throw new OAuthError("invalid_grant", "The PKCE code verifier can not be longer than 128 characters.");
  if (verifierWrongFormat.test(verifier)) throw new OAuthError("invalid_grant", "The PKCE code verifier must only contain [a-Z], [0-9], '-', '.', '_', '~'.");
  // Only S256 gets here with a challenge; a verifier sent for a code without one matches nothing.
  const hash = createHash("sha256").update(verifier).digest("base64url");
  if (hash !== pkce.challenge) throw new OAuthError("invalid_grant", "The PKCE code challenge did not match the code verifier.");
}

export async function authorizationCodeGrant(ctx: GrantContext, client: OAuthClient, form: URLSearchParams): Promise<TokenAnswer> {
  requireGrantType(client, "authorization_code", '"');
  const claims = await grantClaims(ctx, param(form, "code"), "code", "authorization code");
  const codeScp = claimList(claims, "scp");
  const requested = requestedFromCode(codeScp);
  if (!requested) throw new OAuthError("invalid_grant", "The authorization code is not valid.");
  if (claimText(claims, "client_id") !== client.id) {
    throw new OAuthError("invalid_grant", "The OAuth 2.0 Client ID from this request does not match the one from the authorize request.");
  }
  checkVerifier(ctx.codec.pkceOf(claims), param(form, "code_verifier"));

  const jti = claimText(claims, "jti");
  const expiresAt = typeof claims.exp === "number" ? claims.exp : 0;
  if (await ctx.grants.isRevoked([jti])) throw new OAuthError("invalid_grant", "The authorization code has been revoked.");
  // The code's jti names the grant family: the refresh tokens this redemption starts carry it.
  if (!(await ctx.grants.markUsed(jti, jti, expiresAt, Math.floor(ctx.now() / 1000)))) {
    await ctx.grants.revoke([jti], familyRevocationExpiry(ctx), Math.floor(ctx.now() / 1000));
    throw new OAuthError("invalid_grant", "The authorization code has already been used.");
  }
  // Upstream grants the asked scopes with `f.` stripped, then the code's own scopes besides.
  const granted = union(grantedFrom(requested), codeScp);
  return issueTokens(ctx, subjectOf(claims), granted, mayRefresh(client, codeScp) ? jti : undefined);
}
