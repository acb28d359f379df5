// /oauth2/authorize and /oauth2/authorize_callback (Z/authorize.go, auth.md §5.4). The first checks the
// request, keeps it in the flyte_auth_code cookie and sends the browser to /login; the login comes back
// to the callback, which mints a code for whoever the browser now is and sends it to the client.
import { type CookieCipher, type CookieSettings, cookieNames, parseCookies, setCookie } from "../cookies";
import { AuthFailure } from "../failure";
import { type Identity, userInfoToJson } from "../identity";
import type { AccessTokenVerifier, BrowserSessions } from "../verifiers";
import { parseAuthorizeRequest } from "./authorize-request";
import type { ClientRegistry } from "./clients";
import { requestForm } from "./form";
import { errorAnswer, OAuthError, redirectAnswer, redirectError } from "./oauth-error";
import { codeScopes } from "./scopes";
import type { TokenCodec } from "./tokens";

export const authorizeCallbackPath = "/oauth2/authorize_callback";

export interface AuthorizeDeps {
  clients: ClientRegistry;
  codec: TokenCodec;
  cookies: { cipher: CookieCipher; settings: CookieSettings };
  sessions: BrowserSessions;
  /** Verifies a Bearer token sent to the callback (our own access tokens). */
  accessTokens: AccessTokenVerifier;
  /** auth.httpAuthorizationHeader: looked at before Authorization. */
  httpAuthorizationHeader: string;
  now: () => number;
}

/** What the request's URL says, as Go's req.URL.String() for a server request: path and query. */
const pathAndQuery = (req: Request): string => {
  const u = new URL(req.url);
  return `${u.pathname}${u.search}`;
};

/** /oauth2/authorize, any method. */
export async function authorizeEndpoint(deps: AuthorizeDeps, req: Request): Promise<Response> {
  let form: URLSearchParams;
  try {
    form = await requestForm(req);
  } catch (e) {
    return errorAnswer(e);
  }
  const parsed = parseAuthorizeRequest(deps.clients, form);
  if (!parsed.ok) return parsed.response;
  const name = cookieNames.authCode;
  let cookie: string;
  try {
    cookie = setCookie(name, deps.cookies.cipher.seal(name, pathAndQuery(req), deps.now()), deps.cookies.settings);
  } catch (e) {
    // Too long a request for a cookie: upstream reports its cookie failure to the redirect URI.
    return redirectError(parsed.request.redirectUri, e, parsed.request.state);
  }
  return new Response(null, {
    status: 307,
    headers: { location: `/login?redirect_url=${authorizeCallbackPath}`, "set-cookie": cookie },
  });
}

/**
 * Who the callback's caller is, as upstream's IdentityContextFromRequest: a Bearer token in the HTTP
 * authorization header (auth.httpAuthorizationHeader, else Authorization) decides alone; otherwise the
 * browser's login session.
 */
async function callerOf(deps: AuthorizeDeps, req: Request, audience: string): Promise<Identity> {
  const header = req.headers.get(deps.httpAuthorizationHeader) || req.headers.get("authorization") || "";
  if (header.startsWith("Bearer ")) return deps.accessTokens.verify(header.slice("Bearer ".length), audience);
  const identity = await deps.sessions.identify(req);
  if (!identity) throw new AuthFailure("unauthenticated request: no login session");
  return identity;
}

/** /oauth2/authorize_callback, any method. `issuer` and `audience` are this request's (auth.md §3). */
export async function authorizeCallback(deps: AuthorizeDeps, req: Request, issuer: string, audience: string): Promise<Response> {
  let identity: Identity;
  try {
    identity = await callerOf(deps, req, audience);
  } catch {
    // Upstream writes a non-OAuth error without a redirect URI: 500 {"error":"error"}.
    return errorAnswer(new OAuthError("error"));
  }
  const name = cookieNames.authCode;
  const sealed = parseCookies(req.headers.get("cookie")).get(name);
  const saved = sealed === undefined ? undefined : deps.cookies.cipher.open(name, sealed, deps.now());
  const savedUrl = saved === undefined ? undefined : URL.parse(saved, "http://saved.invalid");
  if (!savedUrl) return errorAnswer(new OAuthError("error"));
  const parsed = parseAuthorizeRequest(deps.clients, savedUrl.searchParams);
  if (!parsed.ok) return parsed.response;
  const ar = parsed.request;
  const scopes = codeScopes(ar.scopes);
  try {
    const code = await deps.codec.authorizationCode(
      { subject: identity.userId, clientId: ar.client.id, issuer, userInfo: userInfoToJson(identity.userInfo) },
      scopes,
      ar.pkce,
    );
    return redirectAnswer(ar.redirectUri, { code: code.token, scope: scopes.join(" "), state: ar.state });
  } catch (e) {
    return errorAnswer(e);
  }
}
