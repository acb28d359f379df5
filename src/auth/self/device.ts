// The device authorization grant (RFC 8628), beyond upstream: POST /oauth2/device/code hands a client a
// device code and a user code; the user approves it at /oauth2/device (device-page.ts); the client polls
// the token endpoint with the device code until it redeems, once. Device codes live in the database,
// hashed, so a read of the table yields no usable code.
import { createHash, randomBytes, randomInt } from "node:crypto";
import type { OAuthGrantStore } from "../../ports/oauth-grants";
import { publicEndpoint } from "../public-url";
import { audiencesOf, checkAudience, checkScopes, type ClientRegistry, deviceGrantType, type OAuthClient } from "./clients";
import { param, postForm, spaceList } from "./form";
import { type GrantContext, issueTokens, mayRefresh, requireGrantType, type TokenAnswer } from "./issue";
import { errorAnswer, jsonAnswer, OAuthError } from "./oauth-error";
import { grantedFrom } from "./scopes";

/** RFC 8628 §6.1: twenty consonants, no vowels (no words) and nothing that reads as a digit. */
export const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ";
export const pollInterval = 5;

export const hashDeviceCode = (code: string): string => createHash("sha256").update(code).digest("hex");

export function newUserCode(): string {
  let out = "";
  for (let i = 0; i < 8; i++) out += userCodeAlphabet[randomInt(userCodeAlphabet.length)];
  return out;
}

/** A typed user code as stored: upper case, anything outside the alphabet (dashes, spaces) dropped. */
export const normalizeUserCode = (typed: string): string =>
  typed
    .toUpperCase()
    .split("")
    .filter((c) => userCodeAlphabet.includes(c))
    .join("");

/** XXXX-XXXX, as shown to the user. */
export const displayUserCode = (code: string): string => (code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code);

export interface DeviceAuthorizationDeps {
  clients: ClientRegistry;
  grants: OAuthGrantStore;
  lifespanMs: number;
  now: () => number;
}

/** POST /oauth2/device/code (RFC 8628 §3.1, §3.2). */
export async function deviceAuthorization(deps: DeviceAuthorizationDeps, req: Request, publicUrl: URL): Promise<Response> {
  try {
    if (req.method !== "POST") throw new OAuthError("invalid_request", `HTTP method is '${req.method}', expected 'POST'.`);
    const form = await postForm(req);
    const client = await deps.clients.authenticate(req, form);
    requireGrantType(client, deviceGrantType);
    const scopes = spaceList(param(form, "scope"));
    checkScopes(client, scopes);
    checkAudience(client, audiencesOf(form));
    const nowMs = deps.now();
    const expiresAt = Math.floor((nowMs + deps.lifespanMs) / 1000);
    const deviceCode = randomBytes(32).toString("base64url");
    // A user code may collide with a live one; a fresh one is tried (20^8 codes make that rare).
    for (let attempt = 0; attempt < 8; attempt++) {
      const userCode = newUserCode();
      const stored = await deps.grants.createDeviceCode(
        {
          deviceCodeHash: hashDeviceCode(deviceCode),
          userCode,
          clientId: client.id,
          scopes,
          status: "pending",
          subject: "",
          userInfo: null,
          interval: pollInterval,
          lastPolledAtMs: 0,
          expiresAt,
        },
        Math.floor(nowMs / 1000),
      );
      if (!stored) continue;
      const verificationUri = publicEndpoint(publicUrl, "/oauth2/device");
      return jsonAnswer({
        device_code: deviceCode,
        expires_in: Math.floor(deps.lifespanMs / 1000),
        interval: pollInterval,
        user_code: displayUserCode(userCode),
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?user_code=${displayUserCode(userCode)}`,
      });
    }
    throw new OAuthError("server_error", "No free user code could be found; try again.");
  } catch (e) {
    return errorAnswer(e);
  }
}

/** grant_type=urn:ietf:params:oauth:grant-type:device_code (RFC 8628 §3.4, §3.5). */
export async function deviceCodeGrant(ctx: GrantContext, client: OAuthClient, form: URLSearchParams): Promise<TokenAnswer> {
  requireGrantType(client, deviceGrantType);
  const deviceCode = param(form, "device_code");
  if (deviceCode === "") throw new OAuthError("invalid_request", "Request parameter 'device_code' is missing.");
  const hash = hashDeviceCode(deviceCode);
  const nowMs = ctx.now();
  const poll = await ctx.grants.pollDeviceCode(hash, nowMs);
  if (poll.outcome === "unknown") throw new OAuthError("invalid_grant", "The device_code is not known.");
  const record = poll.record;
  if (record.clientId !== client.id) throw new OAuthError("invalid_grant", "The device_code was issued to another client.");
  if (Math.floor(nowMs / 1000) >= record.expiresAt) throw new OAuthError("expired_token");
  switch (record.status) {
    case "pending":
      throw new OAuthError(poll.outcome === "slow_down" ? "slow_down" : "authorization_pending");
    case "denied":
      // RFC 8628 answers every polling error with 400, fosite's access_denied is 403.
      throw new OAuthError("access_denied", "The end user denied the authorization request.", 400);
    case "redeemed":
      throw new OAuthError("invalid_grant", "The device_code has already been used.");
  }
  if (!(await ctx.grants.redeemDeviceCode(hash))) throw new OAuthError("invalid_grant", "The device_code has already been used.");
  const granted = grantedFrom(record.scopes);
  const subject = { subject: record.subject, clientId: client.id, issuer: ctx.issuer, userInfo: record.userInfo };
  // Each approval starts its own family; the device code's hash names it.
  return issueTokens(ctx, subject, granted, mayRefresh(client, granted) ? hash : undefined);
}
