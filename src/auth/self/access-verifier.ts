// Verifying our access tokens on every call, fast: a verified token is kept (bounded, until its exp) so
// the signature is checked once; exp and audience are checked on every use, and revocation is looked up
// again now and then, so a token revoked by another process stops working within `recheckMs`.
import type { OAuthGrantStore } from "../../ports/oauth-grants";
import { AuthFailure } from "../failure";
import type { Identity } from "../identity";
import type { AccessTokenVerifier } from "../verifiers";
import { accessIdentity, type Claims, claimText, type TokenCodec } from "./tokens";

interface Entry {
  claims: Claims;
  identity: Identity;
  aud: readonly unknown[];
  checkedAtMs: number;
}

export interface AccessVerifierOptions {
  /** Tokens kept at most (default 10000); the oldest goes first. */
  limit?: number;
  /** How long a revocation lookup is trusted (default 10 s). */
  recheckMs?: number;
}

export class CachedAccessVerifier implements AccessTokenVerifier {
  private readonly entries = new Map<string, Entry>();
  private readonly limit: number;
  private readonly recheckMs: number;

  constructor(
    private readonly codec: TokenCodec,
    private readonly grants: OAuthGrantStore,
    private readonly now: () => number,
    opts: AccessVerifierOptions = {},
  ) {
    this.limit = opts.limit ?? 10_000;
    this.recheckMs = opts.recheckMs ?? 10_000;
  }

  async verify(token: string, audience: string): Promise<Identity> {
    const hit = this.entries.get(token);
    if (hit) {
      try {
        this.codec.checkTimes(hit.claims);
      } catch (e) {
        this.entries.delete(token);
        throw e;
      }
      if (!hit.aud.includes(audience)) return accessIdentity(hit.claims, audience);
      if (this.now() - hit.checkedAtMs > this.recheckMs) {
        await this.checkNotRevoked(token, hit.claims);
        hit.checkedAtMs = this.now();
      }
      return hit.identity;
    }
    const claims = await this.codec.decode(token);
    const identity = accessIdentity(claims, audience);
    await this.checkNotRevoked(token, claims);
    this.keep(token, { claims, identity, aud: Array.isArray(claims.aud) ? claims.aud : [claims.aud], checkedAtMs: this.now() });
    return identity;
  }

  cached(token: string, audience: string): Identity | undefined {
    const hit = this.entries.get(token);
    if (!hit?.aud.includes(audience) || this.now() - hit.checkedAtMs > this.recheckMs) return undefined;
    try {
      this.codec.checkTimes(hit.claims);
    } catch {
      return undefined; // verify says why
    }
    return hit.identity;
  }

  /** Drops a token at once (it was revoked in this process). */
  forget(token: string): void {
    this.entries.delete(token);
  }

  private async checkNotRevoked(token: string, claims: Claims): Promise<void> {
    const jti = claimText(claims, "jti");
    if (jti && (await this.grants.isRevoked([jti]))) {
      this.entries.delete(token);
      throw new AuthFailure("Token has been revoked");
    }
  }

  private keep(token: string, entry: Entry): void {
    if (this.entries.size >= this.limit) {
      // Expired entries go first; if none, the oldest.
      const nowS = Math.floor(this.now() / 1000);
      for (const [k, e] of this.entries) if ((e.claims.exp as number) <= nowS) this.entries.delete(k);
      if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(token, entry);
  }
}
