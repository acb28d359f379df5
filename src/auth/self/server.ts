// The self-hosted OAuth2 authorization server (auth.appAuth.authServerType: Self) as one object: it
// verifies the access tokens it issued, publishes its keys and metadata, and has one web-standard
// handler per route; src/edge mounts them.
import type { Config } from "../../config/schema";
import { parseGoDuration } from "../../kernel/duration";
import type { OAuthGrantStore } from "../../ports/oauth-grants";
import type { CookieCipher, CookieSettings } from "../cookies";
import type { Identity } from "../identity";
import type { OAuth2Metadata } from "../oauth2-metadata";
import { publicEndpoint, publicUrlOf, urlText } from "../public-url";
import type { Secrets } from "../secrets";
import type { AccessTokenVerifier, BrowserSessions } from "../verifiers";
import { CachedAccessVerifier } from "./access-verifier";
import { type AuthorizeDeps, authorizeCallback, authorizeEndpoint } from "./authorize";
import { ClaimCipher } from "./claim-cipher";
import { ClientRegistry, clientsFrom, deviceGrantType } from "./clients";
import { deviceAuthorization } from "./device";
import { devicePage } from "./device-page";
import type { GrantContext } from "./issue";
import { jwksOf, loadSigningKeys, type PublicJwk, type SigningKeys } from "./keys";
import { revokeEndpoint } from "./revoke";
import { tokenEndpoint } from "./token-endpoint";
import { type Lifespans, TokenCodec } from "./tokens";

export interface SelfAuthServerDeps {
  settings: Config["auth"];
  secrets: Secrets;
  grants: OAuthGrantStore;
  sessions: BrowserSessions;
  cookies: { cipher: CookieCipher; settings: CookieSettings };
  authorizedUris: URL[];
  /** Epoch milliseconds; tests move it. */
  now?: () => number;
}

type Handler = (req: Request) => Promise<Response>;

const durationMs = (text: string): number => parseGoDuration(text) ?? 0;

export class SelfAuthServer implements AccessTokenVerifier {
  private readonly now: () => number;
  private readonly clients: ClientRegistry;
  private readonly codec: TokenCodec;
  private readonly lifespans: Lifespans;
  private readonly accessTokens: CachedAccessVerifier;
  private readonly authorizeDeps: AuthorizeDeps;
  private readonly deviceCsrfKey: Buffer;

  /** Reads the keys; a missing or malformed one throws an Error naming its secret. */
  static async load(deps: SelfAuthServerDeps): Promise<SelfAuthServer> {
    return new SelfAuthServer(deps, await loadSigningKeys(deps.secrets, deps.settings.appAuth.selfAuthServer));
  }

  private constructor(
    private readonly deps: SelfAuthServerDeps,
    private readonly keys: SigningKeys,
  ) {
    const self = deps.settings.appAuth.selfAuthServer;
    this.now = deps.now ?? Date.now;
    this.lifespans = {
      accessMs: durationMs(self.accessTokenLifespan),
      refreshMs: durationMs(self.refreshTokenLifespan),
      codeMs: durationMs(self.authorizationCodeLifespan),
    };
    this.clients = new ClientRegistry(clientsFrom(self.staticClients));
    const cipher = new ClaimCipher(keys.claimKey);
    this.codec = new TokenCodec(keys, this.lifespans, cipher, this.now);
    this.deviceCsrfKey = cipher.derivedKey("device-csrf");
    this.accessTokens = new CachedAccessVerifier(this.codec, deps.grants, this.now);
    this.authorizeDeps = {
      clients: this.clients,
      codec: this.codec,
      cookies: deps.cookies,
      sessions: deps.sessions,
      accessTokens: this.accessTokens,
      httpAuthorizationHeader: deps.settings.httpAuthorizationHeader,
      now: this.now,
    };
  }

  /** AccessTokenVerifier: one of our access tokens, valid now, for `audience` and not revoked. */
  verify(token: string, audience: string): Promise<Identity> {
    return this.accessTokens.verify(token, audience);
  }

  cached(token: string, audience: string): Identity | undefined {
    return this.accessTokens.cached(token, audience);
  }

  jwks(): { keys: PublicJwk[] } {
    return jwksOf(this.keys);
  }

  /** The configured issuer, else the public URL as upstream prints it (no trailing slash). */
  issuerFor(publicUrl: URL): string {
    return this.deps.settings.appAuth.selfAuthServer.issuer || urlText(publicUrl);
  }

  metadata(publicUrl: URL): OAuth2Metadata {
    return {
      issuer: this.issuerFor(publicUrl),
      authorizationEndpoint: publicEndpoint(publicUrl, "/oauth2/authorize"),
      tokenEndpoint: publicEndpoint(publicUrl, "/oauth2/token"),
      responseTypesSupported: ["code", "token", "code token"],
      scopesSupported: ["all"],
      tokenEndpointAuthMethodsSupported: ["client_secret_basic"],
      jwksUri: publicEndpoint(publicUrl, "/oauth2/jwks"),
      codeChallengeMethodsSupported: ["S256"],
      grantTypesSupported: ["client_credentials", "refresh_token", "authorization_code", deviceGrantType],
      deviceAuthorizationEndpoint: publicEndpoint(publicUrl, "/oauth2/device/code"),
    };
  }

  private publicUrl(req: Request): URL {
    return publicUrlOf(req, this.deps.authorizedUris);
  }

  private grantContext(req: Request): GrantContext {
    return {
      codec: this.codec,
      grants: this.deps.grants,
      clients: this.clients,
      lifespans: this.lifespans,
      now: this.now,
      issuer: this.issuerFor(this.publicUrl(req)),
    };
  }

  readonly authorize: Handler = (req) => authorizeEndpoint(this.authorizeDeps, req);

  readonly authorizeCallback: Handler = (req) => {
    const publicUrl = this.publicUrl(req);
    return authorizeCallback(this.authorizeDeps, req, this.issuerFor(publicUrl), urlText(publicUrl));
  };

  readonly token: Handler = (req) => tokenEndpoint(this.grantContext(req), req);

  readonly revoke: Handler = (req) =>
    revokeEndpoint(
      {
        clients: this.clients,
        codec: this.codec,
        grants: this.deps.grants,
        now: this.now,
        familyLifetimeSeconds: Math.ceil(Math.max(this.lifespans.accessMs, this.lifespans.refreshMs, this.lifespans.codeMs) / 1000),
        forget: (token) => this.accessTokens.forget(token),
      },
      req,
    );

  readonly jwksHandler: Handler = async () => new Response(JSON.stringify(this.jwks()), { headers: { "content-type": "application/json" } });

  readonly deviceCode: Handler = (req) =>
    deviceAuthorization(
      {
        clients: this.clients,
        grants: this.deps.grants,
        lifespanMs: durationMs(this.deps.settings.appAuth.selfAuthServer.deviceCodeLifespan),
        now: this.now,
      },
      req,
      this.publicUrl(req),
    );

  readonly device: Handler = (req) => devicePage({ grants: this.deps.grants, sessions: this.deps.sessions, csrfKey: this.deviceCsrfKey, now: this.now }, req);
}
