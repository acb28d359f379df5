// The browser session's cookies (auth.md §4): which ones a login sets, how they are read back and which
// ones logout clears. Token and user-info cookies are sealed with the cookie keys; the CSRF and redirect
// cookies are plain, always SameSite=Lax and without Domain, as upstream's.
import { CookieCipher, type CookieSettings, cookieNames, rawBase64, setCookie } from "../cookies";
import { type UserInfo, userInfoFromJson, userInfoToJson } from "../identity";
import type { TokenSet } from "../oidc/client";
import type { Secrets } from "../secrets";

export interface SessionTokens {
  idToken: string;
  accessToken: string;
  /** "" when there is no (readable) refresh-token cookie. */
  refreshToken: string;
}

/** The cookie cipher from the two cookie-key secrets; an Error names the secret that is missing or malformed. */
export function cookieCipherFrom(secrets: Secrets, hashKeyName: string, blockKeyName: string): CookieCipher {
  const read = (name: string, key: string): Buffer => {
    let text: string;
    try {
      text = secrets.get(name);
    } catch (e) {
      throw new Error(`auth.userAuth.${key}: secret "${name}": ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      return rawBase64(text, name);
    } catch (e) {
      throw new Error(`auth.userAuth.${key}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const hash = read(hashKeyName, "cookieHashKeySecretName");
  const block = read(blockKeyName, "cookieBlockKeySecretName");
  try {
    return new CookieCipher(hash, block);
  } catch (e) {
    throw new Error(`auth.userAuth cookie keys: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// Bytes a cookie value may not hold as is (RFC 6265 cookie-octet); the redirect cookie's URL is escaped for them.
const notCookieOctet = /[^\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]/gu;

export class SessionCookies {
  constructor(
    readonly cipher: CookieCipher,
    readonly settings: CookieSettings,
  ) {}

  /** A sealed cookie's value; undefined when absent, not ours, too old or empty (upstream treats empty as absent). */
  open(cookies: Map<string, string>, name: string): string | undefined {
    const sealed = cookies.get(name);
    if (!sealed) return undefined;
    return this.cipher.open(name, sealed) || undefined;
  }

  /**
   * The id and access tokens (both needed) and the refresh token (optional). The access token is the legacy
   * whole `flyte_at` when present, else its two halves.
   */
  tokens(cookies: Map<string, string>): SessionTokens | undefined {
    const idToken = this.open(cookies, cookieNames.idToken);
    if (!idToken) return undefined;
    let accessToken = this.open(cookies, cookieNames.accessToken);
    if (!accessToken) {
      const first = this.open(cookies, cookieNames.accessTokenPart1);
      const second = this.open(cookies, cookieNames.accessTokenPart2);
      if (!first || !second) return undefined;
      accessToken = first + second;
    }
    return { idToken, accessToken, refreshToken: this.open(cookies, cookieNames.refreshToken) ?? "" };
  }

  userInfo(cookies: Map<string, string>): UserInfo | undefined {
    const raw = this.open(cookies, cookieNames.userInfo);
    if (raw === undefined) return undefined;
    try {
      return userInfoFromJson(JSON.parse(raw));
    } catch {
      return undefined;
    }
  }

  /** Set-Cookie values for a token answer: the access token in two halves, the id token, the refresh token if any. Throws without an id token. */
  tokenCookies(tokens: TokenSet): string[] {
    if (!tokens.idToken) throw new Error("Response does not contain an id_token.");
    // Split so each half fits a browser's 4 KiB per cookie once sealed (upstream's flyte_at_1/flyte_at_2).
    const middle = Math.floor(tokens.accessToken.length / 2);
    const out = [
      this.sealed(cookieNames.accessTokenPart1, tokens.accessToken.slice(0, middle)),
      this.sealed(cookieNames.accessTokenPart2, tokens.accessToken.slice(middle)),
      this.sealed(cookieNames.idToken, tokens.idToken),
    ];
    if (tokens.refreshToken) out.push(this.sealed(cookieNames.refreshToken, tokens.refreshToken));
    return out;
  }

  userInfoCookie(info: UserInfo): string {
    return this.sealed(cookieNames.userInfo, JSON.stringify(userInfoToJson(info)));
  }

  csrfCookie(value: string): string {
    return setCookie(cookieNames.csrfState, value, this.settings, { sameSite: "LaxMode", domain: "" });
  }

  /** The end-of-login target's cookie, or undefined when the URL has no path (upstream makes none then). */
  redirectCookie(target: string): string | undefined {
    // Go's url.Parse: the path is what follows the scheme and authority, before the query and fragment.
    const beforeQuery = target.split(/[?#]/)[0];
    const path = beforeQuery.replace(/^[a-z][a-z0-9+.-]*:(\/\/[^/]*)?/i, "");
    if (path === "") return undefined;
    const value = target.replace(notCookieOctet, (c) => encodeURIComponent(c));
    return setCookie(cookieNames.redirectLocation, value, this.settings, { sameSite: "LaxMode", domain: "" });
  }

  /** Logout clears these five (not the user-info, CSRF, redirect or auth-code cookies), with no SameSite, as upstream. */
  logoutCookies(): string[] {
    return [cookieNames.accessToken, cookieNames.accessTokenPart1, cookieNames.accessTokenPart2, cookieNames.refreshToken, cookieNames.idToken].map((name) =>
      setCookie(name, "", this.settings, { expired: true, sameSite: "DefaultMode" }),
    );
  }

  private sealed(name: string, value: string): string {
    return setCookie(name, this.cipher.seal(name, value), this.settings);
  }
}
