// Upstream's scope bookkeeping in stateless tokens (Z/stateless_token_store.go, Z/token.go): a code
// carries each requested scope as `f.<scope>` (`offline` plain) plus `access_token`; a refresh token
// carries its scopes `f.`-prefixed; granting strips one leading `f.`. Kept so tokens and the `scope`
// answers read as upstream's.

export const requestedScopePrefix = "f.";
export const accessTokenScope = "access_token";
export const offlineScope = "offline";

/** Order kept, duplicates dropped (fosite's GrantScope appends only what is not there yet). */
export const union = (...lists: ReadonlyArray<readonly string[]>): string[] => [...new Set(lists.flat())];

export const stripPrefix = (scope: string): string => (scope.startsWith(requestedScopePrefix) ? scope.slice(requestedScopePrefix.length) : scope);

/** What the token endpoint grants for requested scopes: each with its `f.` stripped. */
export const grantedFrom = (requested: readonly string[]): string[] => union(requested.map(stripPrefix));

/** The `scp` of an authorization code for the scopes asked at /oauth2/authorize. */
export const codeScopes = (requested: readonly string[]): string[] =>
  union(
    requested.map((s) => (s === offlineScope ? s : `${requestedScopePrefix}${s}`)),
    [accessTokenScope],
  );

/** The scopes a code was asked for, from its `scp`; undefined when it is not a code's (no access_token). */
export function requestedFromCode(codeScp: readonly string[]): string[] | undefined {
  if (!codeScp.includes(accessTokenScope)) return undefined;
  return union(codeScp.filter((s) => s !== accessTokenScope).map(stripPrefix));
}

/** The `scp` of a refresh token for granted scopes. */
export const refreshScopes = (granted: readonly string[]): string[] =>
  union(granted.map((s) => (s === offlineScope || s === accessTokenScope || s.startsWith(requestedScopePrefix) ? s : `${requestedScopePrefix}${s}`)));
