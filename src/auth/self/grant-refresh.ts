// grant_type=refresh_token (fo: flow_refresh.go; Z/stateless_token_store.go GetRefreshTokenSession):
// the grant rotates, a new refresh token of the same family each time. Beyond upstream a refresh token
// redeems once, and presenting one again revokes its whole family (RFC 6819 §5.2.2.3, OAuth 2.1 §4.3.1):
// one of the two holders is not the client it was issued to.
import { checkScopes, type OAuthClient } from "./clients";
import { param } from "./form";
import { familyRevocationExpiry, type GrantContext, grantClaims, issueTokens, requireGrantType, type TokenAnswer } from "./issue";
import { OAuthError } from "./oauth-error";
import { grantedFrom, offlineScope } from "./scopes";
import { claimList, claimText, familyOf, subjectOf } from "./tokens";

export async function refreshTokenGrant(ctx: GrantContext, client: OAuthClient, form: URLSearchParams): Promise<TokenAnswer> {
  requireGrantType(client, "refresh_token");
  const claims = await grantClaims(ctx, param(form, "refresh_token"), "refresh", "refresh token");
  const granted = grantedFrom(claimList(claims, "scp"));
  if (!granted.includes(offlineScope)) {
    throw new OAuthError(
      "scope_not_granted",
      "The OAuth 2.0 Client was not granted scope offline and may thus not perform the 'refresh_token' authorization grant.",
    );
  }
  if (claimText(claims, "client_id") !== client.id) {
    throw new OAuthError("invalid_grant", "The OAuth 2.0 Client ID from this request does not match the ID during the initial token issuance.");
  }
  checkScopes(client, granted);

  const jti = claimText(claims, "jti");
  const family = familyOf(claims) || jti;
  const now = Math.floor(ctx.now() / 1000);
  if (await ctx.grants.isRevoked([jti, family])) throw new OAuthError("invalid_grant", "The refresh token has been revoked.");
  if (!(await ctx.grants.markUsed(jti, family, typeof claims.exp === "number" ? claims.exp : now, now))) {
    await ctx.grants.revoke([family], familyRevocationExpiry(ctx), now);
    throw new OAuthError("invalid_grant", "The refresh token has already been used; every refresh token of its grant is now revoked.");
  }
  return issueTokens(ctx, subjectOf(claims), granted, family);
}
