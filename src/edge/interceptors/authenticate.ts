// Authentication of every call, on every protocol (REST goes through the same router): the credential
// from metadata (gRPC, Connect, gRPC-web) or from the REST request's headers and id-token cookie, in
// upstream's precedence; verified, scope-checked, and put in the call's context for what follows.
import type { Interceptor } from "@connectrpc/connect";
import { AdminError, ErrorCode } from "../../kernel/errors";
import { AuthFailure, missingScopeMessage, requiredScope } from "../../auth/failure";
import type { Identity, UserInfo } from "../../auth/identity";
import { publicUrl, requestUrl, urlText } from "../../auth/public-url";
import type { AccessTokenVerifier, IdTokenVerifier } from "../../auth/verifiers";
import { callerKey, principalKey } from "../../services/caller";
import { inGatewayCall } from "../access-log";
import type { CallGuard } from "./edge";

export interface AuthenticationOptions {
  accessTokens: AccessTokenVerifier;
  /** The OIDC provider's id tokens (browser sessions); absent: IDToken credentials are refused. */
  idTokens?: IdTokenVerifier;
  /** A REST request's session cookies as an `IDToken …` credential and the user info beside it, if they open. */
  cookieCredential?: (cookieHeader: string) => { authorization?: string; userInfo?: UserInfo };
  authorizedUris: readonly URL[];
  grpcAuthorizationHeader: string;
  httpAuthorizationHeader: string;
  disableForHttp: boolean;
  disableForGrpc: boolean;
  /** Services answered without a credential (AuthMetadataService). */
  openServices: ReadonlySet<string>;
}

const retrieveError = (what: string, scheme: string) =>
  `[JWT_VERIFICATION_FAILED] Could not retrieve ${what} from metadata, caused by: rpc error: code = Unauthenticated desc = Request unauthenticated with ${scheme}`;

/** upstream's combined message (its labels swapped, kept as they are). */
const parseError = (bearer: string, idToken: string) => `token parse error id token err: access token err: ${bearer}, access token err: ${idToken}`;

const failureText = (e: unknown): string => {
  if (e instanceof AuthFailure) return e.message;
  // A verifier's own bug must not leak internals into a client's message.
  return "token verification failed";
};

/** The authority of an absolute URL ("http://host:port/path" → "host:port") without parsing all of it. */
function hostOf(url: string): string {
  const start = url.indexOf("//") + 2;
  const end = url.indexOf("/", start);
  return url.slice(start, end < 0 ? undefined : end);
}

/** The credential's scheme and token, as go-grpc-middleware's AuthFromMD reads it; undefined: none. */
function splitCredential(value: string): { scheme: string; token: string } | "malformed" {
  const space = value.indexOf(" ");
  if (space < 0) return "malformed";
  return { scheme: value.slice(0, space), token: value.slice(space + 1) };
}

/** Authentication as a guard for the edge interceptor: the caller into the call's context, or Unauthenticated. */
export function authenticationGuard(opts: AuthenticationOptions): CallGuard {
  const grpcKey = opts.grpcAuthorizationHeader.toLowerCase();
  const httpKey = opts.httpAuthorizationHeader.toLowerCase();

  type Credential = { value?: string; userInfo?: UserInfo };
  const credentialOf = (header: Headers, rest: boolean): Credential => {
    // The first authorization value wins; Headers joins repeats with ", ".
    const first = (v: string | null) => (v === null ? undefined : v.split(", ")[0]);
    const direct = first(header.get("authorization"));
    if (direct !== undefined) return { value: direct };
    if (rest) {
      const cookie = header.get("cookie");
      const fromCookie = cookie ? opts.cookieCredential?.(cookie) : undefined;
      if (fromCookie?.authorization) return { value: fromCookie.authorization, userInfo: fromCookie.userInfo };
      return { value: first(header.get(httpKey)) };
    }
    return { value: grpcKey === "authorization" ? undefined : first(header.get(grpcKey)) };
  };

  async function verify({ value, userInfo }: Credential, audience: string): Promise<Identity> {
    if (value === undefined) throw new AuthFailure(parseError(retrieveError("bearer token", "Bearer"), retrieveError("id token", "IDToken")));
    const parts = splitCredential(value);
    if (parts === "malformed") throw new AuthFailure(parseError("Bad authorization string", "Bad authorization string"));
    const scheme = parts.scheme.toLowerCase();
    if (parts.token === "") {
      const blank = "[JWT_VERIFICATION_FAILED] IDToken token is blank";
      throw new AuthFailure(parseError(blank, blank));
    }
    if (scheme === "bearer") {
      try {
        return await opts.accessTokens.verify(parts.token, audience);
      } catch (e) {
        throw new AuthFailure(parseError(`[JWT_VERIFICATION_FAILED] ${failureText(e)}`, retrieveError("id token", "IDToken")));
      }
    }
    if (scheme === "idtoken" && opts.idTokens) {
      try {
        return await opts.idTokens.verify(parts.token, userInfo);
      } catch (e) {
        throw new AuthFailure(parseError(retrieveError("bearer token", "Bearer"), `[JWT_VERIFICATION_FAILED] ${failureText(e)}`));
      }
    }
    throw new AuthFailure(parseError(retrieveError("bearer token", "Bearer"), retrieveError("id token", "IDToken")));
  }

  const audiences = new Map<string, string>();
  const accept = (req: Parameters<ReturnType<Interceptor>>[0], identity: Identity | undefined) => {
    if (identity) {
      // BlanketAuthorization: a verified caller still needs the `all` scope, on any transport.
      if (!identity.scopes.has(requiredScope)) throw new AdminError(ErrorCode.Unauthenticated, missingScopeMessage);
      req.contextValues.set(callerKey, identity);
    }
    req.contextValues.set(principalKey, identity?.userId ?? "");
  };

  const guard: CallGuard = (req) => {
    if (opts.openServices.has(req.service.typeName)) return undefined;
    const rest = inGatewayCall();
    const host = req.header.get("x-forwarded-host") || hostOf(req.url);
    let audience = audiences.get(host);
    if (audience === undefined) {
      audience = urlText(publicUrl(requestUrl(host), opts.authorizedUris));
      // Hosts come from callers: keep a few, not one per made-up Host header.
      if (audiences.size >= 64) audiences.clear();
      audiences.set(host, audience);
    }
    const credential = credentialOf(req.header, rest);
    // A token seen before and still good: no await on the way to the handler.
    const bearer = credential.value && /^bearer /i.test(credential.value) ? credential.value.slice(7) : "";
    const known = bearer ? opts.accessTokens.cached?.(bearer, audience) : undefined;
    if (known) {
      accept(req, known);
      return undefined;
    }
    return verify(credential, audience).then(
      (identity) => accept(req, identity),
      (e: unknown) => {
        if (!(rest ? opts.disableForHttp : opts.disableForGrpc)) throw new AdminError(ErrorCode.Unauthenticated, failureText(e));
        accept(req, undefined);
      },
    );
  };
  return guard;
}

/** The same check as an interceptor of its own, for when the plugins' middleware must run between it and the policy. */
export function authenticateInterceptor(opts: AuthenticationOptions): Interceptor {
  const guard = authenticationGuard(opts);
  return (next) => (req) => {
    const pending = guard(req);
    return pending ? pending.then(() => next(req)) : next(req);
  };
}
