// Bearer tokens of an external authorization server (auth.md §6): the signature by the server's JWKS,
// then exp, iat and nbf as golang-jwt checks them (no leeway), `aud` meeting allowedAudience or the
// public URL the call reached, and beyond upstream `iss` equal to the issuer the server's metadata
// names. A token that passed is remembered until it expires, so a busy client costs one signature
// check per token rather than per call.
import { compactVerify, type JWTVerifyGetKey } from "jose";
import { BoundedCache } from "../../kernel/bounded-cache";
import { claimsOf } from "../jwt-claims";
import { AuthFailure } from "../failure";
import { type Identity, identityFromClaims } from "../identity";
import type { AccessTokenVerifier } from "../verifiers";

export interface ExternalVerifierSettings {
  /** The metadata's issuer; "" leaves `iss` unchecked (upstream never checks it). */
  issuer: string;
  /** externalAuthServer.allowedAudience. */
  allowedAudience: readonly string[];
}

const cachedTokens = 8192;

const audiences = (aud: unknown): string[] => (typeof aud === "string" ? [aud] : Array.isArray(aud) ? aud.filter((a) => typeof a === "string") : []);
const nowSeconds = () => Math.floor(Date.now() / 1000);

export class ExternalAccessTokenVerifier implements AccessTokenVerifier {
  // Keyed by the whole token and the audience it was checked for: a hit is that exact token, already verified.
  private readonly verified = new BoundedCache<string, Identity>(cachedTokens);
  private readonly allowed: ReadonlySet<string>;

  constructor(
    private readonly settings: ExternalVerifierSettings,
    private readonly keys: JWTVerifyGetKey,
  ) {
    this.allowed = new Set(settings.allowedAudience);
  }

  async verify(token: string, audience: string): Promise<Identity> {
    if (!token) throw new AuthFailure("[JWT_VERIFICATION_FAILED] IDToken token is blank");
    const identity = await this.verified.getOrLoad(`${audience}\n${token}`, () => this.check(token, audience));
    // Remembered tokens still expire.
    if (identity.expiresAt && nowSeconds() >= identity.expiresAt) throw new AuthFailure("failed to validate token: Token is expired");
    return identity;
  }

  cached(token: string, audience: string): Identity | undefined {
    const identity = this.verified.peek(`${audience}\n${token}`);
    return identity && (!identity.expiresAt || nowSeconds() < identity.expiresAt) ? identity : undefined;
  }

  private async check(token: string, audience: string): Promise<Identity> {
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(token, this.keys));
    } catch (e) {
      throw new AuthFailure(`failed to verify signature: ${e instanceof Error ? e.message : String(e)}`);
    }
    let claims: Record<string, unknown>;
    try {
      claims = claimsOf(payload);
    } catch (e) {
      throw new AuthFailure(`failed to parse token: ${e instanceof Error ? e.message : String(e)}`);
    }
    checkTimes(claims);
    const wanted = new Set([...this.allowed, audience]);
    const aud = audiences(claims.aud);
    if (!aud.some((a) => wanted.has(a))) throw new AuthFailure(`invalid audience ${JSON.stringify(aud)}, wanted ${JSON.stringify([...wanted])}`);
    const { issuer } = this.settings;
    if (issuer && claims.iss !== issuer) throw new AuthFailure(`invalid issuer "${String(claims.iss ?? "")}", wanted "${issuer}"`);
    return identityFromClaims(claims);
  }
}

/** golang-jwt v4's MapClaims.Valid: now < exp, iat ≤ now, nbf ≤ now, each only when present; a non-number is invalid. */
function checkTimes(claims: Record<string, unknown>): void {
  const now = nowSeconds();
  const time = (name: string): number | undefined => {
    const v = claims[name];
    if (v === undefined) return undefined;
    if (typeof v !== "number") throw new AuthFailure(`failed to validate token: ${name} is invalid`);
    return v;
  };
  const exp = time("exp");
  if (exp !== undefined && !(now < exp)) throw new AuthFailure("failed to validate token: Token is expired");
  const iat = time("iat");
  if (iat !== undefined && iat > now) throw new AuthFailure("failed to validate token: Token used before issued");
  const nbf = time("nbf");
  if (nbf !== undefined && nbf > now) throw new AuthFailure("failed to validate token: Token is not valid yet");
}
