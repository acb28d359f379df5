// OAuth2 errors as fosite writes them (fo: errors.go, access_error.go, authorize_error.go): a name, a
// fixed description, an optional hint appended to it, and an HTTP status. JSON bodies carry
// {"error","error_description"}; after a valid redirect URI the same values go to it as a 303.

const descriptions = {
  invalid_request:
    "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.",
  unauthorized_client: "The client is not authorized to request a token using this method.",
  access_denied: "The resource owner or authorization server denied the request.",
  unsupported_response_type: "The authorization server does not support obtaining a token using this method.",
  unsupported_response_mode: "The authorization server does not support obtaining a response using this response mode.",
  invalid_scope: "The requested scope is invalid, unknown, or malformed.",
  server_error: "The authorization server encountered an unexpected condition that prevented it from fulfilling the request.",
  unsupported_grant_type: "The authorization grant type is not supported by the authorization server.",
  invalid_grant:
    "The provided authorization grant (e.g., authorization code, resource owner credentials) or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
  invalid_client: "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method).",
  invalid_state: "The state is missing or does not have enough characters and is therefore considered too weak.",
  scope_not_granted: "The token was not granted the requested scope.",
  registration_not_supported: "The OP does not support use of the registration parameter.",
  // fosite's catch-all for errors that are not OAuth2 errors.
  error: "The error is unrecognizable",
  // RFC 8628 §3.5, beyond fosite.
  authorization_pending: "The authorization request is still pending as the end user hasn't yet completed the user-interaction steps.",
  slow_down:
    "The authorization request is still pending and polling should continue, but the interval must be increased by 5 seconds for this and all subsequent requests.",
  expired_token: "The device_code has expired, and the device authorization session has concluded.",
} as const;

export type OAuthErrorName = keyof typeof descriptions;

const statuses: Partial<Record<OAuthErrorName, number>> = {
  access_denied: 403,
  server_error: 500,
  invalid_client: 401,
  scope_not_granted: 403,
  error: 500,
};

/** fosite presets this hint on invalid_request (replaced by any other hint). */
const defaultHints: Partial<Record<OAuthErrorName, string>> = {
  invalid_request:
    "Make sure that the various parameters are correct, be aware of case sensitivity and trim your parameters. Make sure that the client you are using has exactly whitelisted the redirect_uri you specified.",
  unauthorized_client: "Make sure that client id and secret are correctly specified and that the client exists.",
  access_denied:
    "Make sure that the request you are making is valid. Maybe the credential or request parameters you are using are limited in scope or otherwise restricted.",
  scope_not_granted: "The resource owner did not grant the requested scope.",
};

export class OAuthError extends Error {
  override readonly name = "OAuthError";
  readonly status: number;
  readonly hint: string;

  constructor(
    readonly error: OAuthErrorName,
    hint?: string,
    status?: number,
  ) {
    super(`${error}: ${hint ?? ""}`);
    this.hint = hint ?? defaultHints[error] ?? "";
    this.status = status ?? statuses[error] ?? 400;
  }

  /** fosite's GetDescription: description, a space and the hint; double quotes become single ones. */
  get description(): string {
    const text = this.hint ? `${descriptions[this.error]} ${this.hint}` : descriptions[this.error];
    return text.replaceAll('"', "'");
  }

  toJson(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

/** Anything thrown that is not an OAuthError is fosite's 500 `error`. */
export const asOAuthError = (e: unknown): OAuthError => (e instanceof OAuthError ? e : new OAuthError("error"));

const noStore = { "cache-control": "no-store", pragma: "no-cache" };

export const jsonHeaders = { "content-type": "application/json;charset=UTF-8", ...noStore };

/** A JSON answer with fosite's headers. */
export function jsonAnswer(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...jsonHeaders, ...headers } });
}

export function errorAnswer(e: unknown, headers: Record<string, string> = {}): Response {
  const err = asOAuthError(e);
  return jsonAnswer(err.toJson(), err.status, headers);
}

/** Go's url.Values.Encode: keys sorted, form-encoded (space as +). */
export function encodeValues(values: Record<string, string>): string {
  return Object.keys(values)
    .sort()
    .map((k) => `${formEscape(k)}=${formEscape(values[k])}`)
    .join("&");
}

/** Go's url.QueryEscape. */
export function formEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}

/** A 303 to `redirect` with `params` merged into its query (fosite's writer: new values first, sorted). */
export function redirectAnswer(redirect: URL, params: Record<string, string>, fragment = false, headers: Record<string, string> = {}): Response {
  const u = new URL(redirect.href);
  u.hash = "";
  let location: string;
  if (fragment) {
    location = `${u.href}#${encodeValues(params)}`;
  } else {
    const merged: Record<string, string> = { ...Object.fromEntries(u.searchParams), ...params };
    u.search = "";
    const query = encodeValues(merged);
    location = query ? `${u.href}?${query}` : u.href;
  }
  return new Response(null, { status: 303, headers: { location, ...noStore, ...headers } });
}

/** An authorize error after the redirect URI was validated: error, error_description and state to it. */
export function redirectError(redirect: URL, e: unknown, state: string, fragment = false): Response {
  const err = asOAuthError(e);
  return redirectAnswer(redirect, { error: err.error, error_description: err.description, state }, fragment);
}
