// Browser login against the OIDC provider (auth.md §4): /login, /callback, /logout and the redirect to
// the provider's discovery document, plus what the rest of the server asks of a browser session (who
// it is, and the credential a REST call carries). Beyond upstream, every redirect_url these routes
// follow is checked against auth.authorizedUris (upstream leaves /logout and a logged-in /login open).
import { createHash, randomBytes } from "node:crypto";
import type { Config } from "../../config/schema";
import type { Logger } from "../../kernel/log";
import { silentLogger } from "../../kernel/log";
import { type CookieSettings, cookieNames, parseCookies } from "../cookies";
import type { Identity, UserInfo } from "../identity";
import type { FetchLike } from "../oidc/http";
import { IdTokenExpired } from "../oidc/id-token";
import { loadOidc, type Oidc } from "../oidc/load";
import { publicUrlOf, redirectAllowed } from "../public-url";
import type { Secrets } from "../secrets";
import type { BrowserSessions } from "../verifiers";
import { empty, formValues, redirect } from "./http";
import { cookieCipherFrom, SessionCookies, type SessionTokens } from "./session-cookies";

/** What a hook is handed (the PreRedirectHook and LogoutHook plugins' shape, kept here so auth needs no plugin import). */
export interface LoginHookCall {
  request: Request;
  /** Headers (cookies, say) added to the answer. */
  responseHeaders: Headers;
}
export type PreRedirectHookFn = (call: LoginHookCall) => Promise<{ code: number; message: string } | undefined>;
export type LogoutHookFn = (call: LoginHookCall) => Promise<void>;

export interface BrowserLoginOptions {
  settings: Config["auth"];
  security: { insecureCookieHeader: boolean };
  secrets: Secrets;
  /** auth.authorizedUris, parsed (parseAuthorizedUris). */
  authorizedUris: readonly URL[];
  hooks?: { preRedirect?: PreRedirectHookFn; logout?: LogoutHookFn };
  fetch?: FetchLike;
  log?: Logger;
}

/** /callback reads at most this much of a body (upstream's MaxBytesReader). */
export const callbackBodyLimit = 1 << 20;
const redirectParam = "redirect_url";

/** A fresh CSRF value: 32 random bytes, base64url with padding (Go's URLEncoding). */
const newCsrfToken = (): string => `${randomBytes(32).toString("base64url")}=`;
/** The `state` sent to the provider: lowercase hex SHA-256 of the CSRF cookie's value. */
export const csrfState = (csrf: string): string => createHash("sha256").update(csrf).digest("hex");

export class BrowserLogin implements BrowserSessions {
  private constructor(
    readonly oidc: Oidc,
    readonly cookies: SessionCookies,
    private readonly options: BrowserLoginOptions,
    private readonly log: Logger,
  ) {}

  /** Discovery, client secret and cookie keys; throws an Error naming the key or secret that is wrong. */
  static async load(options: BrowserLoginOptions): Promise<BrowserLogin> {
    const { userAuth } = options.settings;
    const cipher = cookieCipherFrom(options.secrets, userAuth.cookieHashKeySecretName, userAuth.cookieBlockKeySecretName);
    const oidc = await loadOidc(userAuth, options.secrets, options.fetch);
    const cookieSettings: CookieSettings = {
      sameSite: userAuth.cookieSetting.sameSitePolicy,
      domain: userAuth.cookieSetting.domain,
      insecure: options.security.insecureCookieHeader,
    };
    return new BrowserLogin(oidc, new SessionCookies(cipher, cookieSettings), options, options.log ?? silentLogger);
  }

  /** The id-token verifier, for `authorization: IDToken …` on API calls (pass the UserInfo-bin user info). */
  get idTokens(): Oidc["idTokens"] {
    return this.oidc.idTokens;
  }

  /** /login: back to the target when the session is valid (refreshing an expired id token), else to the provider. */
  readonly login = async (req: Request): Promise<Response> => {
    const query = new URL(req.url).searchParams;
    // A refused redirect_url goes to the login flow, which answers 403 for it.
    if (!redirectAllowed(query.get(redirectParam) ?? "", this.options.authorizedUris)) return this.startLogin(req);
    const jar = parseCookies(req.headers.get("cookie"));
    const session = this.cookies.tokens(jar);
    if (!session) return this.startLogin(req);
    const headers = new Headers();
    try {
      await this.oidc.idTokens.verify(session.idToken);
    } catch (e) {
      if (!(e instanceof IdTokenExpired) || !session.refreshToken) {
        this.log.info("login: session not valid, starting the login flow", { error: String(e) });
        return this.startLogin(req);
      }
      try {
        await this.refreshInto(session, headers);
      } catch (err) {
        this.log.info("login: refreshing the session failed, starting the login flow", { error: String(err) });
        return this.startLogin(req);
      }
    }
    const target = this.endTarget(req, jar);
    return target === undefined ? empty(403) : redirect(req, target, 307, headers);
  };

  /** /callback: the provider's answer to /login; sets the session cookies and returns to the target. */
  readonly callback = async (req: Request): Promise<Response> => {
    const form = await formValues(req, callbackBodyLimit);
    const jar = parseCookies(req.headers.get("cookie"));
    const state = form("state");
    const csrf = jar.get(cookieNames.csrfState);
    if (!state || csrf === undefined || csrfState(csrf) !== state) {
      this.log.warn("login callback: state does not match the CSRF cookie");
      return empty(401);
    }
    const headers = new Headers();
    const redirectUri = this.redirectUri(req);
    try {
      const tokens = await this.oidc.client.exchangeCode(form("code"), redirectUri);
      for (const c of this.cookies.tokenCookies(tokens)) headers.append("set-cookie", c);
      const info = await this.oidc.client.userInfo(tokens.accessToken);
      headers.append("set-cookie", this.cookies.userInfoCookie(info));
    } catch (e) {
      this.log.warn("login callback: the provider refused", { error: String(e) });
      return empty(403);
    }
    const target = this.endTarget(req, jar);
    if (target === undefined) return empty(403);
    const hook = this.options.hooks?.preRedirect;
    if (hook) {
      let refusal: { code: number; message: string } | undefined;
      try {
        refusal = await hook({ request: req, responseHeaders: headers });
      } catch (e) {
        refusal = { code: 500, message: String(e) };
      }
      if (refusal) {
        this.log.warn("login callback: the pre-redirect hook refused", { code: refusal.code, message: refusal.message });
        const known = Number.isInteger(refusal.code) && refusal.code >= 200 && refusal.code <= 599;
        return empty(known ? refusal.code : 500, headers);
      }
    }
    return redirect(req, target, 307, headers);
  };

  /** /logout: the hook, then the five session cookies cleared; to redirect_url when given (and allowed), else 200. */
  readonly logout = async (req: Request): Promise<Response> => {
    const target = new URL(req.url).searchParams.get(redirectParam) ?? "";
    if (!redirectAllowed(target, this.options.authorizedUris)) return empty(403);
    const headers = new Headers();
    const hook = this.options.hooks?.logout;
    if (hook) {
      try {
        await hook({ request: req, responseHeaders: headers });
      } catch (e) {
        this.log.error("logout hook failed", { error: String(e) });
        return empty(500, headers);
      }
    }
    for (const c of this.cookies.logoutCookies()) headers.append("set-cookie", c);
    return target ? redirect(req, target, 307, headers) : empty(200, headers);
  };

  /** /.well-known/openid-configuration: 303 to the provider's own document. */
  readonly openIdConfiguration = async (req: Request): Promise<Response> => {
    const base = this.options.settings.userAuth.openId.baseUrl;
    const url = new URL(".well-known/openid-configuration", base.endsWith("/") ? base : `${base}/`);
    return redirect(req, url.href, 303);
  };

  /** The identity the request's cookies prove: tokens readable, id token valid, user-info cookie present. */
  async identify(req: Request): Promise<Identity | undefined> {
    const jar = parseCookies(req.headers.get("cookie"));
    const session = this.cookies.tokens(jar);
    const info = this.cookies.userInfo(jar);
    if (!session || !info) return undefined;
    try {
      return await this.oidc.idTokens.verify(session.idToken, info);
    } catch {
      return undefined;
    }
  }

  /**
   * What a REST call's cookies contribute to its metadata (upstream's cookie annotator): `IDToken <id token>`
   * when the session cookies open, with the user-info cookie's content. Not verified here; the
   * authentication step verifies it as any other credential.
   */
  restCredential(req: Request): { authorization?: string; userInfo?: UserInfo } {
    return this.cookieCredential(req.headers.get("cookie") ?? "");
  }

  /** restCredential from a Cookie header alone (what the API's interceptor has). */
  cookieCredential(cookieHeader: string): { authorization?: string; userInfo?: UserInfo } {
    const jar = parseCookies(cookieHeader);
    const session = this.cookies.tokens(jar);
    if (!session) return {};
    return { authorization: `IDToken ${session.idToken}`, userInfo: this.cookies.userInfo(jar) };
  }

  /** The login flow proper: CSRF cookie, redirect_url check and cookie, then 307 to the provider. */
  private startLogin(req: Request): Response {
    const query = new URL(req.url).searchParams;
    const headers = new Headers();
    const csrf = newCsrfToken();
    headers.append("set-cookie", this.cookies.csrfCookie(csrf));
    const target = query.get(redirectParam) ?? "";
    if (!redirectAllowed(target, this.options.authorizedUris)) {
      this.log.info("login: redirect_url not allowed", { redirect_url: target });
      return empty(403, headers);
    }
    if (target) {
      const cookie = this.cookies.redirectCookie(target);
      if (cookie) headers.append("set-cookie", cookie);
    }
    const idpParam = this.options.settings.userAuth.idpQueryParameter;
    const idpValue = idpParam ? query.get(idpParam) : null;
    const url = this.oidc.client.authorizeUrl(this.redirectUri(req), csrfState(csrf), idpParam && idpValue ? [idpParam, idpValue] : undefined);
    return redirect(req, url, 307, headers);
  }

  /** The refresh grant for an expired id token; the new token and user-info cookies go into `headers`. */
  private async refreshInto(session: SessionTokens, headers: Headers): Promise<void> {
    const tokens = await this.oidc.client.refresh(session.refreshToken);
    const cookies = this.cookies.tokenCookies(tokens);
    const info = await this.oidc.client.userInfo(tokens.accessToken);
    for (const c of cookies) headers.append("set-cookie", c);
    headers.append("set-cookie", this.cookies.userInfoCookie(info));
  }

  /** <public URL>/callback, resolved as the relative reference "callback" (upstream's). */
  private redirectUri(req: Request): string {
    return new URL("callback", publicUrlOf(req, this.options.authorizedUris)).href;
  }

  /**
   * Where a finished login goes: the query's redirect_url, else the redirect cookie, else userAuth.redirectUrl.
   * Undefined when the query names a target that is not allowed; a cookie's disallowed target (the cookie is
   * plain, so anything able to set cookies for this host could write it) falls back to the configured one.
   */
  private endTarget(req: Request, jar: Map<string, string>): string | undefined {
    const allowed = (t: string) => redirectAllowed(t, this.options.authorizedUris);
    const fromQuery = new URL(req.url).searchParams.get(redirectParam);
    if (fromQuery) return allowed(fromQuery) ? fromQuery : undefined;
    const fromCookie = jar.get(cookieNames.redirectLocation);
    if (fromCookie && allowed(fromCookie)) return fromCookie;
    return this.options.settings.userAuth.redirectUrl;
  }
}
