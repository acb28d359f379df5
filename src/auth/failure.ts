// Why a credential was refused. Messages follow upstream's so logs and clients read the same; the edge
// turns an AuthFailure into Unauthenticated (gRPC) or 401 (REST).
export class AuthFailure extends Error {
  override readonly name = "AuthFailure";
}

/** The scope every API call needs (upstream's BlanketAuthorization). */
export const requiredScope = "all";
export const missingScopeMessage = "authenticated user doesn't have required scope";
