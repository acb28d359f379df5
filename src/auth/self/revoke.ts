// POST /oauth2/revoke (RFC 7009), beyond upstream. A well-formed request from an authenticated client
// is answered 200 whatever the token is (§2.2: an invalid or unknown token is no error). A refresh token
// or code takes its grant family with it; an access token stops verifying (see access-verifier.ts).
import { AuthFailure } from "../failure";
import type { OAuthGrantStore } from "../../ports/oauth-grants";
import type { ClientRegistry } from "./clients";
import { param, postForm } from "./form";
import { errorAnswer, OAuthError } from "./oauth-error";
import { claimText, familyOf, type TokenCodec } from "./tokens";

export interface RevokeDeps {
  clients: ClientRegistry;
  codec: TokenCodec;
  grants: OAuthGrantStore;
  now: () => number;
  /** Seconds a revoked family must be remembered. */
  familyLifetimeSeconds: number;
  /** Called with a revoked access token, so this process's cache drops it at once. */
  forget(token: string): void;
}

export async function revokeEndpoint(deps: RevokeDeps, req: Request): Promise<Response> {
  try {
    if (req.method !== "POST") throw new OAuthError("invalid_request", `HTTP method is '${req.method}', expected 'POST'.`);
    const form = await postForm(req);
    const client = await deps.clients.authenticate(req, form);
    const token = param(form, "token");
    if (token === "") throw new OAuthError("invalid_request", "Request parameter 'token' is missing.");
    let claims: Record<string, unknown>;
    try {
      claims = await deps.codec.decode(token);
    } catch (e) {
      if (e instanceof AuthFailure) return new Response(null, { status: 200, headers: { "cache-control": "no-store" } });
      throw e;
    }
    // A token names its client; client_credentials tokens name none (upstream's), so their holder may revoke them.
    const owner = claimText(claims, "client_id");
    if (owner === "" || owner === client.id) {
      const now = Math.floor(deps.now() / 1000);
      const jti = claimText(claims, "jti");
      const use = claims.token_use;
      const family = use === "refresh" ? familyOf(claims) : use === "code" ? jti : "";
      const exp = typeof claims.exp === "number" ? claims.exp : now;
      if (jti) await deps.grants.revoke([jti], exp, now);
      if (family) await deps.grants.revoke([family], now + deps.familyLifetimeSeconds, now);
      deps.forget(token);
    }
    return new Response(null, { status: 200, headers: { "cache-control": "no-store" } });
  } catch (e) {
    return errorAnswer(e);
  }
}
