// The seams between the parts of auth: who verifies which credential, and who knows the browser's session.
import type { Identity, UserInfo } from "./identity";

/** Verifies a Bearer access token (ours with Self, the external server's with External). Throws AuthFailure. */
export interface AccessTokenVerifier {
  /** `audience`: the public URL the call reached (auth.md §3); the token's `aud` must hold it. */
  verify(token: string, audience: string): Promise<Identity>;
  /**
   * The identity of a token already verified and still valid for `audience`, known without I/O; undefined
   * means "ask verify". Lets the hot path of every call skip an await.
   */
  cached?(token: string, audience: string): Identity | undefined;
}

/** Verifies an id token from the OIDC provider (browser sessions). Throws AuthFailure. */
export interface IdTokenVerifier {
  /** `userInfo`: what the session's user-info cookie holds, for the identity's user info. */
  verify(idToken: string, userInfo?: UserInfo): Promise<Identity>;
}

/** The browser's login session, from its cookies. */
export interface BrowserSessions {
  /** The identity the request's auth cookies prove (id token valid, user info present), else undefined. */
  identify(req: Request): Promise<Identity | undefined>;
}
