// Who is calling: what a verified credential says, in the shape upstream's identity context has.
/** UserInfoResponse's fields (flyteidl.service.UserInfoResponse), plain. */
export interface UserInfo {
  subject: string;
  name: string;
  preferredUsername: string;
  givenName: string;
  familyName: string;
  email: string;
  picture: string;
  /** The credential's raw claims (UserInfoResponse.additional_claims). */
  additionalClaims: Record<string, unknown>;
}

export interface Identity {
  /** The user (`sub`); "" for a client_credentials token. */
  userId: string;
  /** The OAuth2 client the token was issued to (`client_id`); "" for a browser's id token. */
  appId: string;
  scopes: ReadonlySet<string>;
  userInfo: UserInfo;
  /** Every claim of the credential, for policies that match on one (groups, email). */
  claims: Readonly<Record<string, unknown>>;
  /** When the credential stops being valid, epoch seconds (0: unknown). */
  expiresAt: number;
}

export function emptyUserInfo(): UserInfo {
  return { subject: "", name: "", preferredUsername: "", givenName: "", familyName: "", email: "", picture: "", additionalClaims: {} };
}

const text = (v: unknown): string => (typeof v === "string" ? v : "");

/** A user_info claim (snake_case keys, as UserInfoResponse's JSON) into UserInfo; anything else gives the empty one. */
export function userInfoFromJson(value: unknown): UserInfo {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return emptyUserInfo();
  const v = value as Record<string, unknown>;
  const extra = v.additional_claims ?? v.additionalClaims;
  return {
    subject: text(v.subject),
    name: text(v.name),
    preferredUsername: text(v.preferred_username ?? v.preferredUsername),
    givenName: text(v.given_name ?? v.givenName),
    familyName: text(v.family_name ?? v.familyName),
    email: text(v.email),
    picture: text(v.picture),
    additionalClaims: typeof extra === "object" && extra !== null && !Array.isArray(extra) ? (extra as Record<string, unknown>) : {},
  };
}

/** UserInfo as UserInfoResponse's JSON (snake_case), as it travels in tokens and cookies. */
export function userInfoToJson(u: UserInfo): Record<string, unknown> {
  return {
    subject: u.subject,
    name: u.name,
    preferred_username: u.preferredUsername,
    given_name: u.givenName,
    family_name: u.familyName,
    email: u.email,
    picture: u.picture,
    additional_claims: u.additionalClaims,
  };
}

/**
 * The identity a verified access token's claims give, as upstream maps them: user id = sub, app id =
 * client_id, user info from the user_info claim with `email` overriding and the subject defaulting to
 * the user id, additional claims = all claims. Scopes come from `scp` (array or one string) and, beyond
 * upstream, from a space-separated `scope`; a token with neither scopes nor client_id is given `all`.
 */
export function identityFromClaims(claims: Record<string, unknown>): Identity {
  const scopes = new Set<string>();
  const scp = claims.scp;
  if (Array.isArray(scp)) for (const s of scp) typeof s === "string" && scopes.add(s);
  else if (typeof scp === "string" && scp) scopes.add(scp);
  if (typeof claims.scope === "string") for (const s of claims.scope.split(" ")) s && scopes.add(s);
  const appId = text(claims.client_id);
  if (scopes.size === 0 && !appId) scopes.add("all");
  const userId = text(claims.sub);
  const userInfo = userInfoFromJson(claims.user_info);
  if (typeof claims.email === "string" && claims.email) userInfo.email = claims.email;
  userInfo.subject ||= userId;
  userInfo.additionalClaims = { ...claims };
  return { userId, appId, scopes, userInfo, claims, expiresAt: typeof claims.exp === "number" ? claims.exp : 0 };
}
