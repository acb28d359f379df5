// An /oauth2/authorize request checked as fosite checks it (fo: authorize_request_handler.go, and the
// explicit-code and PKCE handlers of the authorize response), in its order. Until the redirect URI is
// known to be the client's, errors are JSON; after, they go to the redirect URI. Upstream runs the last
// checks (response type handled, insecure redirect, PKCE method) only when the code is minted, after the
// login; they run here at once, so a request that cannot succeed fails before the user logs in.
import { audiencesOf, checkAudience, checkScopes, type ClientRegistry, type OAuthClient } from "./clients";
import { param, spaceList } from "./form";
import { checkChallengeMethod } from "./grant-code";
import { errorAnswer, OAuthError, redirectError } from "./oauth-error";
import type { Pkce } from "./tokens";

export interface AuthorizeRequest {
  client: OAuthClient;
  redirectUri: URL;
  state: string;
  scopes: string[];
  pkce: Partial<Pkce>;
}

export type AuthorizeParse = { ok: true; request: AuthorizeRequest } | { ok: false; response: Response };

const minStateLength = 8;
const responseModes = new Set(["", "query", "fragment", "form_post"]);

const isLoopbackHost = (host: string) => /^(127\.0\.0\.1|\[::1\])(:?)(\d*)$/.test(host);

/** fosite's redirect matching: exact, or for http://127.0.0.1 and http://[::1] any port; omitted when the client has one. */
function matchRedirect(raw: string, client: OAuthClient): URL | undefined {
  let chosen: string | undefined;
  if (raw === "" && client.redirectUris.length === 1) {
    chosen = client.redirectUris[0];
  } else if (raw !== "") {
    const requested = URL.parse(raw);
    for (const registered of client.redirectUris) {
      if (registered === raw) {
        chosen = registered;
        break;
      }
      const r = URL.parse(registered);
      if (requested && r && requested.protocol === "http:" && isLoopbackHost(requested.host) && r.hostname === requested.hostname) {
        if (r.pathname === requested.pathname && r.search === requested.search) {
          chosen = raw;
          break;
        }
      }
    }
  }
  const u = chosen === undefined ? undefined : URL.parse(chosen);
  // IsValidRedirectURI: an absolute URL without a fragment.
  if (!u || chosen?.includes("#")) return undefined;
  return u;
}

/** fosite's IsRedirectURISecure: plain http only to localhost, *.localhost and the loopback addresses. */
function redirectSecure(u: URL): boolean {
  if (u.protocol !== "http:") return true;
  const h = u.hostname;
  return h === "localhost" || h.endsWith(".localhost") || h === "127.0.0.1" || h === "[::1]";
}

/** Same set of response types, order aside (fosite's Arguments.Matches). */
const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

export function parseAuthorizeRequest(clients: ClientRegistry, form: URLSearchParams): AuthorizeParse {
  const client = clients.get(param(form, "client_id"));
  if (!client) return { ok: false, response: errorAnswer(new OAuthError("invalid_client", "The requested OAuth 2.0 Client does not exist.")) };
  const responseMode = param(form, "response_mode");
  if (!responseModes.has(responseMode)) {
    return { ok: false, response: errorAnswer(new OAuthError("unsupported_response_mode", `Request with unsupported response_mode "${responseMode}".`)) };
  }
  const redirectUri = matchRedirect(param(form, "redirect_uri"), client);
  if (!redirectUri) {
    const e = new OAuthError("invalid_request", "The 'redirect_uri' parameter does not match any of the OAuth 2.0 Client's pre-registered redirect urls.");
    return { ok: false, response: errorAnswer(e) };
  }
  const state = param(form, "state");
  const responseTypes = spaceList(param(form, "response_type"));
  let fragment = responseMode === "fragment";
  try {
    const scopes = spaceList(param(form, "scope"));
    checkScopes(client, scopes);
    checkAudience(client, audiencesOf(form));
    if (param(form, "registration") !== "") throw new OAuthError("registration_not_supported");
    if (responseTypes.length === 0) throw new OAuthError("unsupported_response_type", "`The request is missing the 'response_type' parameter.");
    if (!client.responseTypes.some((t) => sameSet(responseTypes, spaceList(t)))) {
      throw new OAuthError("unsupported_response_type", `The client is not allowed to request response_type '${param(form, "response_type")}'.`);
    }
    // A DefaultClient names no response modes, so fosite refuses any that is asked for.
    if (responseMode !== "") {
      throw new OAuthError(
        "unsupported_response_mode",
        `The request has response_mode "${responseMode}". set but registered OAuth 2.0 client doesn't support response_mode`,
      );
    }
    const codeOnly = responseTypes.length === 1 && responseTypes[0] === "code";
    fragment = !codeOnly;
    if (state.length < minStateLength) {
      throw new OAuthError("invalid_state", `Request parameter 'state' must be at least be ${minStateLength} characters long to ensure sufficient entropy.`);
    }
    // Only the authorization code flow is composed upstream; implicit and hybrid types are never handled.
    if (codeOnly && !redirectSecure(redirectUri)) {
      throw new OAuthError(
        "invalid_request",
        "Redirect URL is using an insecure protocol, http is only allowed for hosts with suffix `localhost`, for example: http://myapp.localhost/.",
      );
    }
    const pkce = { challenge: param(form, "code_challenge"), method: param(form, "code_challenge_method") };
    if (responseTypes.includes("code")) checkChallengeMethod(pkce);
    if (!codeOnly) throw new OAuthError("unsupported_response_type");
    return { ok: true, request: { client, redirectUri, state, scopes, pkce } };
  } catch (e) {
    return { ok: false, response: redirectError(redirectUri, e, state, fragment) };
  }
}
