// What every grant ends in: an access token, a refresh token when the grant allows one, and the token
// endpoint's JSON (fo: access_response.go ToMap; Go sorts the keys).
import type { OAuthGrantStore } from "../../ports/oauth-grants";
import { AuthFailure } from "../failure";
import type { ClientRegistry, OAuthClient } from "./clients";
import { OAuthError } from "./oauth-error";
import { offlineScope, refreshScopes } from "./scopes";
import type { Lifespans, TokenCodec, TokenSubject, TokenUse } from "./tokens";

/** What a grant handler works with for one request. */
export interface GrantContext {
  codec: TokenCodec;
  grants: OAuthGrantStore;
  clients: ClientRegistry;
  lifespans: Lifespans;
  now: () => number;
  /** The issuer for this request: `iss` of user tokens and the audience granted. */
  issuer: string;
}

export interface TokenAnswer {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
  scope: string;
  token_type: "bearer";
}

/**
 * fosite's expires_in: the token's expiry minus the time of the answer, whole seconds truncated. The
 * answer always comes a moment after the issue, so a 30m token reads 1799 as upstream's.
 */
export const expiresIn = (expiresAtMs: number, nowMs: number): number => Math.max(0, Math.ceil((expiresAtMs - nowMs) / 1000) - 1);

/** Seconds, epoch: until when a revoked family must be remembered (no token of it outlives this). */
export const familyRevocationExpiry = (ctx: GrantContext): number =>
  Math.ceil((ctx.now() + Math.max(ctx.lifespans.accessMs, ctx.lifespans.refreshMs, ctx.lifespans.codeMs)) / 1000);

/** A refresh token is issued when `offline` was granted and the client may use the refresh grant (fosite's canIssueRefreshToken). */
export const mayRefresh = (client: OAuthClient, granted: readonly string[]): boolean =>
  granted.includes(offlineScope) && client.grantTypes.includes("refresh_token");

export function requireGrantType(client: OAuthClient, grant: string, quote = "'"): void {
  if (!client.grantTypes.includes(grant)) {
    throw new OAuthError("unauthorized_client", `The OAuth 2.0 Client is not allowed to use authorization grant ${quote}${grant}${quote}.`);
  }
}

/** Mints the tokens of a successful grant. `family` set: a refresh token of that family comes too. */
export async function issueTokens(ctx: GrantContext, subject: TokenSubject, granted: readonly string[], family?: string): Promise<TokenAnswer> {
  const audience = [ctx.issuer];
  const access = await ctx.codec.accessToken(subject, granted, audience);
  const answer: TokenAnswer = { access_token: access.token, expires_in: 0, scope: granted.join(" "), token_type: "bearer" };
  if (family !== undefined) {
    const scopes = refreshScopes(granted);
    const refresh = await ctx.codec.refreshToken(subject, scopes, audience, family);
    // Upstream's answer lists the scopes as the refresh token holds them (its strategy rewrites the grant).
    answer.refresh_token = refresh.token;
    answer.scope = scopes.join(" ");
  }
  answer.expires_in = expiresIn(access.expiresAtMs, ctx.now());
  return sortedAnswer(answer);
}

const sortedAnswer = (a: TokenAnswer): TokenAnswer =>
  a.refresh_token === undefined
    ? { access_token: a.access_token, expires_in: a.expires_in, scope: a.scope, token_type: a.token_type }
    : { access_token: a.access_token, expires_in: a.expires_in, refresh_token: a.refresh_token, scope: a.scope, token_type: a.token_type };

/**
 * A code's or refresh token's claims; one that does not decode is invalid_grant (upstream answers 500
 * for it; RFC 6749 §5.2 calls it invalid_grant). `what` names it in the description.
 */
export async function grantClaims(ctx: GrantContext, token: string, use: TokenUse, what: string): Promise<Record<string, unknown>> {
  try {
    return await ctx.codec.decodeGrant(token, use);
  } catch (e) {
    if (e instanceof AuthFailure) throw new OAuthError("invalid_grant", `The ${what} is not valid: ${e.message}.`);
    throw e;
  }
}
