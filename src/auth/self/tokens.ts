// The tokens this server issues, as upstream's (auth.md §5.3): compact JWS, RS256 under the current key,
// header {"alg","key_id","typ"} (key_id, not kid, as upstream's), claims with Go's sorted key order.
// Codes and refresh tokens are JWTs of the same shape plus a `token_use` claim, which access tokens never
// carry, so neither can pass as an access token; refresh tokens also name their grant family (`fam`).
import { randomUUID } from "node:crypto";
import { CompactSign, compactVerify, errors as joseErrors } from "jose";
import { AuthFailure } from "../failure";
import { type Identity, identityFromClaims } from "../identity";
import type { ClaimCipher } from "./claim-cipher";
import type { SigningKeys, VerificationKey } from "./keys";

export type Claims = Record<string, unknown>;
export type TokenUse = "code" | "refresh";

/** Whose token it is: what the session of upstream's JWT strategy holds. */
export interface TokenSubject {
  /** `sub`; "" (claim left out) for client_credentials. */
  subject: string;
  /** `client_id`; upstream writes "" for client_credentials, we write the client. */
  clientId: string;
  /** `iss`; "" (claim left out) for client_credentials. */
  issuer: string;
  /** `user_info`: UserInfoResponse JSON, or null. */
  userInfo: Record<string, unknown> | null;
}

export interface Lifespans {
  accessMs: number;
  refreshMs: number;
  codeMs: number;
}

export interface Minted {
  token: string;
  jti: string;
  /** `exp`, epoch seconds. */
  expiresAt: number;
  /** When the token stops being valid, epoch milliseconds (for expires_in). */
  expiresAtMs: number;
}

export interface Pkce {
  challenge: string;
  method: string;
}

const tokenUseClaim = "token_use";
const familyClaim = "fam";
const formClaim = "form";
const rsaAlgorithms = ["RS256", "RS384", "RS512"];
const encoder = new TextEncoder();

const sortedKeys = (claims: Claims): Claims => Object.fromEntries(Object.entries(claims).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

const b64json = (part: string): unknown => {
  try {
    return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export class TokenCodec {
  constructor(
    private readonly keys: SigningKeys,
    private readonly lifespans: Lifespans,
    private readonly cipher: ClaimCipher,
    private readonly now: () => number,
  ) {}

  private async mint(s: TokenSubject, scopes: readonly string[], audience: readonly string[], lifespanMs: number, extra: Claims): Promise<Minted> {
    const nowMs = this.now();
    const expiresAtMs = nowMs + lifespanMs;
    const jti = randomUUID();
    const claims: Claims = {
      aud: [...audience],
      client_id: s.clientId,
      exp: Math.floor(expiresAtMs / 1000),
      iat: Math.floor(nowMs / 1000),
      jti,
      scp: [...scopes],
      user_info: s.userInfo,
      ...extra,
    };
    if (s.subject) claims.sub = s.subject;
    if (s.issuer) claims.iss = s.issuer;
    const header = { alg: "RS256", key_id: this.keys.signing.kid, typ: "JWT" };
    const token = await new CompactSign(encoder.encode(JSON.stringify(sortedKeys(claims))))
      .setProtectedHeader(header as { alg: string })
      .sign(this.keys.signing.privateKey);
    return { token, jti, expiresAt: claims.exp as number, expiresAtMs };
  }

  accessToken(s: TokenSubject, scopes: readonly string[], audience: readonly string[]): Promise<Minted> {
    return this.mint(s, scopes, audience, this.lifespans.accessMs, {});
  }

  refreshToken(s: TokenSubject, scopes: readonly string[], audience: readonly string[], family: string): Promise<Minted> {
    return this.mint(s, scopes, audience, this.lifespans.refreshMs, { [tokenUseClaim]: "refresh", [familyClaim]: family });
  }

  /** A code has no audience (upstream's); its PKCE values are encrypted under the claim key. */
  authorizationCode(s: TokenSubject, scopes: readonly string[], pkce: Partial<Pkce>): Promise<Minted> {
    const form: Record<string, string> = {};
    if (pkce.challenge) form.code_challenge = this.cipher.encrypt(pkce.challenge);
    if (pkce.method) form.code_challenge_method = this.cipher.encrypt(pkce.method);
    const extra: Claims = { [tokenUseClaim]: "code" };
    if (Object.keys(form).length > 0) extra[formClaim] = form;
    return this.mint(s, scopes, [], this.lifespans.codeMs, extra);
  }

  /** The key a token names in its header (key_id, or kid), else the first key, as upstream picks. */
  private keyFor(header: Record<string, unknown>): VerificationKey {
    const id = typeof header.key_id === "string" ? header.key_id : typeof header.kid === "string" ? header.kid : undefined;
    return this.keys.verification.find((k) => k.kid === id) ?? this.keys.verification[0];
  }

  /**
   * The claims of a token signed by one of our keys and valid now (exp, iat, nbf, as golang-jwt checks
   * them, no leeway). Throws AuthFailure with golang-jwt-like messages.
   */
  async decode(token: string): Promise<Claims> {
    const parts = token.split(".");
    if (parts.length !== 3) throw new AuthFailure("token contains an invalid number of segments");
    const header = b64json(parts[0]);
    if (!isObject(header)) throw new AuthFailure("token is malformed: could not decode its header");
    if (typeof header.alg !== "string" || !rsaAlgorithms.includes(header.alg)) throw new AuthFailure(`unexpected signing method: ${String(header.alg)}`);
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(token, this.keyFor(header).publicKey, { algorithms: rsaAlgorithms }));
    } catch (e) {
      if (e instanceof joseErrors.JWSSignatureVerificationFailed) throw new AuthFailure("signature is invalid");
      throw new AuthFailure(`token is malformed: ${(e as Error).message}`);
    }
    let claims: unknown;
    try {
      claims = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      throw new AuthFailure("token is malformed: its claims are not JSON");
    }
    if (!isObject(claims)) throw new AuthFailure("token is malformed: its claims are not an object");
    this.checkTimes(claims);
    return claims;
  }

  /** exp, iat and nbf against the clock. A token without a numeric exp is refused (we never mint one). */
  checkTimes(claims: Claims): void {
    const now = Math.floor(this.now() / 1000);
    if (typeof claims.exp !== "number") throw new AuthFailure("Token has no expiry");
    if (now >= claims.exp) throw new AuthFailure("Token is expired");
    if (typeof claims.iat === "number" && now < claims.iat) throw new AuthFailure("Token used before issued");
    if (typeof claims.nbf === "number" && now < claims.nbf) throw new AuthFailure("Token is not valid yet");
  }

  /** A code or refresh token's claims; a token of another use is refused. */
  async decodeGrant(token: string, use: TokenUse): Promise<Claims> {
    const claims = await this.decode(token);
    if (claims[tokenUseClaim] !== use) throw new AuthFailure(`the token is not ${use === "code" ? "an authorization code" : "a refresh token"}`);
    return claims;
  }

  /** The PKCE values a code carries, decrypted. */
  pkceOf(codeClaims: Claims): Partial<Pkce> {
    const form = codeClaims[formClaim];
    if (!isObject(form)) return {};
    const open = (v: unknown) => (typeof v === "string" ? this.cipher.decrypt(v) : undefined);
    return { challenge: open(form.code_challenge), method: open(form.code_challenge_method) };
  }

  /** AccessTokenVerifier, uncached: an access token (no token_use) whose `aud` holds `audience`. */
  async verify(token: string, audience: string): Promise<Identity> {
    const claims = await this.decode(token);
    return accessIdentity(claims, audience);
  }
}

/** The identity of verified claims, when they are an access token's for `audience`. */
export function accessIdentity(claims: Claims, audience: string): Identity {
  if (claims[tokenUseClaim] !== undefined) throw new AuthFailure(`a ${String(claims[tokenUseClaim])} token is not an access token`);
  const aud = Array.isArray(claims.aud) ? claims.aud : typeof claims.aud === "string" ? [claims.aud] : [];
  if (!aud.includes(audience)) throw new AuthFailure(`invalid audience [${aud.join(" ")}], wanted [${audience}]`);
  return identityFromClaims(claims);
}

export const claimText = (claims: Claims, name: string): string => (typeof claims[name] === "string" ? (claims[name] as string) : "");
export const claimList = (claims: Claims, name: string): string[] => {
  const v = claims[name];
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : typeof v === "string" && v ? [v] : [];
};
export const familyOf = (claims: Claims): string => claimText(claims, familyClaim);
export const subjectOf = (claims: Claims): TokenSubject => ({
  subject: claimText(claims, "sub"),
  clientId: claimText(claims, "client_id"),
  issuer: claimText(claims, "iss"),
  userInfo: isObject(claims.user_info) ? claims.user_info : null,
});
