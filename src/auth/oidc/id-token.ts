// Verifying the OIDC provider's id tokens as go-oidc's verifier does for upstream: signature by the
// provider's JWKS with an algorithm it advertises, `iss` = the issuer, `aud` holding our client id,
// `exp` (strict: an expired token is reported as such, so /login can refresh it) and `nbf` with five
// minutes' leeway. With no client id configured the audience, issuer and time checks are all skipped,
// as upstream skips them. An id token stands for a browser login, so it carries scope `all`.
import { compactVerify, createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from "jose";
import { BoundedCache } from "../../kernel/bounded-cache";
import { claimsOf } from "../jwt-claims";
import { AuthFailure, requiredScope } from "../failure";
import { emptyUserInfo, type Identity, type UserInfo } from "../identity";
import type { IdTokenVerifier } from "../verifiers";
import type { FetchLike } from "./http";

/** The id token has expired (and was otherwise valid as far as checked): /login may refresh it. */
export class IdTokenExpired extends AuthFailure {}

export interface IdTokenSettings {
  issuer: string;
  /** openId.clientId; "" skips the audience, issuer and expiry checks. */
  clientId: string;
  jwksUri: string;
  algorithms: readonly string[];
}

const nbfLeewaySeconds = 5 * 60;
const cachedTokens = 4096;

interface Verified {
  claims: Record<string, unknown>;
  exp: number;
}

/** A JWKS fetcher through our provider fetch (timeout, proxy); jose refetches it on an unknown kid. */
export function remoteKeys(jwksUri: string, fetchFn: FetchLike): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksUri), { [customFetch]: (url: string, init: RequestInit) => fetchFn(url, init) });
}

const audiences = (aud: unknown): string[] => (typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud.filter((a) => typeof a === "string") : []);

export class OidcIdTokenVerifier implements IdTokenVerifier {
  // Signatures checked once per token: REST calls with cookies verify the same id token over and over.
  private readonly verified = new BoundedCache<string, Verified>(cachedTokens);

  constructor(
    private readonly settings: IdTokenSettings,
    private readonly keys: JWTVerifyGetKey,
  ) {}

  /** The identity the id token proves; `userInfo` is what the user-info cookie (or UserInfo-bin) holds. Throws AuthFailure. */
  async verify(idToken: string, userInfo?: UserInfo): Promise<Identity> {
    if (!idToken) throw new AuthFailure("[JWT_VERIFICATION_FAILED] IDToken token is blank");
    const { claims, exp } = await this.verified.getOrLoad(idToken, () => this.check(idToken));
    // A cached token is still subject to the clock.
    if (this.settings.clientId && exp * 1000 < Date.now()) throw new IdTokenExpired(expiredMessage(exp));
    const sub = typeof claims.sub === "string" ? claims.sub : "";
    const info: UserInfo = { ...emptyUserInfo(), ...userInfo };
    info.subject ||= sub;
    info.additionalClaims = { ...claims };
    return { userId: sub, appId: "", scopes: new Set([requiredScope]), userInfo: info, claims, expiresAt: exp };
  }

  private async check(token: string): Promise<Verified> {
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(token, this.keys, { algorithms: [...this.settings.algorithms] }));
    } catch (e) {
      throw new AuthFailure(`[JWT_VERIFICATION_FAILED] jwt parse with claims failed, caused by: oidc: failed to verify signature: ${reason(e)}`);
    }
    let claims: Record<string, unknown>;
    try {
      claims = claimsOf(payload);
    } catch (e) {
      throw new AuthFailure(`[JWT_VERIFICATION_FAILED] jwt parse with claims failed, caused by: oidc: failed to unmarshal claims: ${reason(e)}`);
    }
    const exp = typeof claims.exp === "number" ? claims.exp : 0;
    const { issuer, clientId } = this.settings;
    if (clientId) {
      const fail = (why: string) => new AuthFailure(`[JWT_VERIFICATION_FAILED] jwt parse with claims failed, caused by: oidc: ${why}`);
      if (claims.iss !== issuer) throw fail(`id token issued by a different provider, expected "${issuer}" got "${String(claims.iss ?? "")}"`);
      if (!audiences(claims.aud).includes(clientId)) throw fail(`expected audience "${clientId}" got ${JSON.stringify(audiences(claims.aud))}`);
      // A token without exp counts as expired, as go-oidc reads a missing time as the zero time.
      if (exp * 1000 < Date.now()) throw new IdTokenExpired(expiredMessage(exp));
      if (typeof claims.nbf === "number" && claims.nbf * 1000 > Date.now() + nbfLeewaySeconds * 1000) {
        throw fail(`current time ${new Date().toISOString()} before the nbf (not before) time: ${new Date(claims.nbf * 1000).toISOString()}`);
      }
    }
    return { claims, exp };
  }
}

const expiredMessage = (exp: number) =>
  `[JWT_EXPIRED] token is expired, caused by: [JWT_VERIFICATION_FAILED] jwt parse with claims failed, caused by: oidc: token is expired (Token Expiry: ${new Date(exp * 1000).toISOString()})`;

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));
