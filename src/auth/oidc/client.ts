// This server as an OAuth2 client of the OIDC provider: the authorize URL, the code exchange, the
// refresh grant and the userinfo call, with golang.org/x/oauth2's and go-oidc's behaviour where a
// provider could tell the difference (parameter order, Basic-then-form client authentication).
import { emptyUserInfo, type UserInfo, userInfoFromJson } from "../identity";
import type { ProviderMetadata } from "./discovery";
import { type FetchLike, jsonObject, stringField, transportError } from "./http";

export interface OidcClientSettings {
  clientId: string;
  clientSecret: string;
  scopes: readonly string[];
}

/** What the token endpoint answered. */
export interface TokenSet {
  accessToken: string;
  tokenType: string;
  refreshToken: string;
  /** "" when the answer carried none. */
  idToken: string;
  /** Seconds, 0 when not given. */
  expiresIn: number;
}

type AuthStyle = "basic" | "post";

// x/oauth2 puts id and secret through QueryEscape before Basic encoding them (RFC 6749 §2.3.1).
const queryEscape = (s: string): string => encodeURIComponent(s).replace(/%20/g, "+");

export class OidcClient {
  /** The client authentication the token endpoint accepted, once known (x/oauth2 remembers it too). */
  private authStyle: AuthStyle | undefined;

  constructor(
    readonly provider: ProviderMetadata,
    readonly settings: OidcClientSettings,
    private readonly fetchFn: FetchLike,
  ) {}

  /**
   * The provider's authorize URL for a login started at `redirectUri`, with x/oauth2's parameters in its
   * (sorted) order; `extra` (the idpQueryParameter) is added and the query sorted again, as upstream does.
   */
  authorizeUrl(redirectUri: string, state: string, extra?: [string, string]): string {
    const u = new URL(this.provider.authorizationEndpoint);
    const params = new URLSearchParams(u.search);
    params.append("client_id", this.settings.clientId);
    params.append("redirect_uri", redirectUri);
    params.append("response_type", "code");
    if (this.settings.scopes.length > 0) params.append("scope", this.settings.scopes.join(" "));
    params.append("state", state);
    if (extra) params.append(extra[0], extra[1]);
    params.sort();
    u.search = params.toString();
    return u.href;
  }

  /** Exchanges an authorization code; throws when the provider refuses or the answer has no access token. */
  exchangeCode(code: string, redirectUri: string): Promise<TokenSet> {
    return this.tokenRequest({ grant_type: "authorization_code", code, redirect_uri: redirectUri });
  }

  /** The refresh grant; a provider that sends no new refresh token leaves the old one in use (x/oauth2). */
  async refresh(refreshToken: string): Promise<TokenSet> {
    const tokens = await this.tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken });
    return { ...tokens, refreshToken: tokens.refreshToken || refreshToken };
  }

  /**
   * The userinfo endpoint's answer as UserInfoResponse fields. As upstream, the provider's `sub` is not
   * mapped (the subject comes from the id token later) and its claims are not kept as additional claims.
   */
  async userInfo(accessToken: string): Promise<UserInfo> {
    const url = this.provider.userinfoEndpoint;
    if (!url) throw new Error("oidc: user info endpoint is not supported by this provider");
    let res: Response;
    let body: string;
    try {
      res = await this.fetchFn(url, { method: "GET", headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" } });
      body = await res.text();
    } catch (e) {
      throw transportError("GET", url, e);
    }
    if (res.status !== 200) throw new Error(`${res.status} ${res.statusText}: ${body.slice(0, 512)}`);
    // go-oidc reads a signed userinfo answer's payload without verifying it.
    const mediaType = (res.headers.get("content-type") ?? "").split(";")[0].trim();
    if (mediaType === "application/jwt") body = Buffer.from(body.split(".")[1] ?? "", "base64url").toString();
    const claims = jsonObject(res, body, "oidc: failed to decode userinfo");
    const info = { ...emptyUserInfo(), ...userInfoFromJson(claims) };
    info.additionalClaims = {};
    return info;
  }

  private async tokenRequest(form: Record<string, string>): Promise<TokenSet> {
    if (this.authStyle) return this.postToken(form, this.authStyle);
    // Unknown yet: Basic first, and on any failure the same request with the credentials in the form.
    try {
      const tokens = await this.postToken(form, "basic");
      this.authStyle = "basic";
      return tokens;
    } catch {
      const tokens = await this.postToken(form, "post");
      this.authStyle = "post";
      return tokens;
    }
  }

  private async postToken(form: Record<string, string>, style: AuthStyle): Promise<TokenSet> {
    const { clientId, clientSecret } = this.settings;
    const body = new URLSearchParams(form);
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
    if (style === "basic") {
      headers.authorization = `Basic ${Buffer.from(`${queryEscape(clientId)}:${queryEscape(clientSecret)}`).toString("base64")}`;
    } else {
      body.set("client_id", clientId);
      if (clientSecret) body.set("client_secret", clientSecret);
    }
    const url = this.provider.tokenEndpoint;
    let res: Response;
    let text: string;
    try {
      res = await this.fetchFn(url, { method: "POST", headers, body: body.toString() });
      text = await res.text();
    } catch (e) {
      throw transportError("POST", url, e);
    }
    if (res.status < 200 || res.status > 299) throw new Error(`oauth2: cannot fetch token: ${res.status} ${res.statusText}\nResponse: ${text.slice(0, 512)}`);
    const answer = parseTokenAnswer(res, text);
    const accessToken = stringField(answer, "access_token");
    if (!accessToken) throw new Error("oauth2: server response missing access_token");
    const expiresIn = Number(answer.expires_in);
    return {
      accessToken,
      tokenType: stringField(answer, "token_type"),
      refreshToken: stringField(answer, "refresh_token"),
      idToken: stringField(answer, "id_token"),
      expiresIn: Number.isFinite(expiresIn) ? expiresIn : 0,
    };
  }
}

/** x/oauth2 reads form-encoded answers for those content types, JSON otherwise. */
function parseTokenAnswer(res: Response, text: string): Record<string, unknown> {
  const mediaType = (res.headers.get("content-type") ?? "").split(";")[0].trim();
  if (mediaType === "application/x-www-form-urlencoded" || mediaType === "text/plain") {
    return Object.fromEntries(new URLSearchParams(text));
  }
  return jsonObject(res, text, "oauth2: cannot parse json");
}
