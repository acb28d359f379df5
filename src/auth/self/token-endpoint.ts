// POST /oauth2/token, as upstream's (Z/token.go over fo: access_request_handler.go): the request is read
// and the client authenticated first, then exactly one grant handles it; grants beyond upstream's three
// are the device grant. client_credentials lives here, the others in their own modules.
import { audiencesOf, checkAudience, checkScopes, deviceGrantType, type OAuthClient } from "./clients";
import { deviceCodeGrant } from "./device";
import { param, postForm, spaceList } from "./form";
import { authorizationCodeGrant } from "./grant-code";
import { refreshTokenGrant } from "./grant-refresh";
import { type GrantContext, issueTokens, requireGrantType, type TokenAnswer } from "./issue";
import { errorAnswer, jsonAnswer, OAuthError } from "./oauth-error";
import { grantedFrom } from "./scopes";

type Grant = (ctx: GrantContext, client: OAuthClient, form: URLSearchParams) => Promise<TokenAnswer>;

/** grant_type=client_credentials (fo: flow_client_credentials.go): confidential clients only, no refresh token. */
async function clientCredentialsGrant(ctx: GrantContext, client: OAuthClient, form: URLSearchParams): Promise<TokenAnswer> {
  const requested = spaceList(param(form, "scope"));
  checkScopes(client, requested);
  checkAudience(client, audiencesOf(form));
  if (client.public) {
    throw new OAuthError("invalid_grant", "The OAuth 2.0 Client is marked as public and is thus not allowed to use authorization grant 'client_credentials'.");
  }
  // fosite checks the client's grant types only when it writes the answer, after the checks above.
  requireGrantType(client, "client_credentials");
  // Upstream's session for this grant has no subject, no issuer and an empty client_id. Beyond upstream the
  // token names its client, so a per-project policy can bind a role to it ("client:flytepropeller").
  return issueTokens(ctx, { subject: "", clientId: client.id, issuer: "", userInfo: null }, grantedFrom(requested));
}

const grants = new Map<string, Grant>([
  ["authorization_code", authorizationCodeGrant],
  ["client_credentials", clientCredentialsGrant],
  ["refresh_token", refreshTokenGrant],
  [deviceGrantType, deviceCodeGrant],
]);

export async function tokenEndpoint(ctx: GrantContext, req: Request): Promise<Response> {
  try {
    if (req.method !== "POST") throw new OAuthError("invalid_request", `HTTP method is '${req.method}', expected 'POST'.`);
    const form = await postForm(req);
    if ([...form.keys()].length === 0) throw new OAuthError("invalid_request", "The POST body can not be empty.");
    const grantTypes = spaceList(param(form, "grant_type"));
    if (grantTypes.length === 0) throw new OAuthError("invalid_request", "Request parameter 'grant_type' is missing");
    // The client is authenticated before the grant is chosen, but its failure only counts when a grant handles the request.
    const client = ctx.clients.authenticate(req, form);
    client.catch(() => {});
    const grant = grantTypes.length === 1 ? grants.get(grantTypes[0]) : undefined;
    if (!grant) throw new OAuthError("invalid_request");
    return jsonAnswer(await grant(ctx, await client, form));
  } catch (e) {
    return errorAnswer(e);
  }
}
