// What the self-hosted OAuth2 server keeps in the database: which single-use tokens (authorization
// codes, refresh tokens) have been redeemed, which tokens and grant families are revoked, and the
// device codes of the device authorization grant. Every row carries the time it may be forgotten, so
// the tables stay bounded. Times are epoch seconds from the caller's clock.

/** A device code of the device authorization grant (RFC 8628). */
export interface DeviceCodeRecord {
  /** SHA-256 of the device code, hex: the code itself is never stored. */
  deviceCodeHash: string;
  /** The user code, normalised (upper case, no separator). */
  userCode: string;
  clientId: string;
  /** Requested scopes. */
  scopes: string[];
  status: "pending" | "approved" | "denied" | "redeemed";
  /** The approving user's subject; "" until decided. */
  subject: string;
  /** The approving user's UserInfoResponse JSON (snake_case); null until approved. */
  userInfo: Record<string, unknown> | null;
  /** Seconds a client must wait between polls; grows on slow_down. */
  interval: number;
  /** When the client last polled, epoch milliseconds (0: never). */
  lastPolledAtMs: number;
  expiresAt: number;
}

export type DevicePoll = { outcome: "unknown" } | { outcome: "slow_down"; record: DeviceCodeRecord } | { outcome: "polled"; record: DeviceCodeRecord };

export interface OAuthGrantStore {
  /**
   * Records that the single-use token `jti` was redeemed. True for the first caller only: of racing
   * redemptions exactly one wins. `family` names the grant the token belongs to.
   */
  markUsed(jti: string, family: string, expiresAt: number, now: number): Promise<boolean>;
  /** Revokes tokens or grant families by id (a jti or a family id) until `expiresAt`. */
  revoke(ids: readonly string[], expiresAt: number, now: number): Promise<void>;
  /** True when any of `ids` is revoked. */
  isRevoked(ids: readonly string[]): Promise<boolean>;
  /** Forgets rows whose time has passed; the number removed. Writes also purge now and then. */
  purgeExpired(now: number): Promise<number>;

  /** Stores a new pending device code; false when its user code (or device code) is already taken. */
  createDeviceCode(record: DeviceCodeRecord, now: number): Promise<boolean>;
  deviceCodeByUserCode(userCode: string): Promise<DeviceCodeRecord | undefined>;
  /**
   * The user's decision on a pending, unexpired device code. False when the code is unknown, expired
   * or already decided (a second decision never overrides the first).
   */
  decideDeviceCode(userCode: string, decision: { approved: boolean; subject: string; userInfo: Record<string, unknown> | null }, now: number): Promise<boolean>;
  /**
   * A client's poll: records its time. A poll sooner than the interval after the previous one is
   * slow_down, and the interval grows by five seconds (RFC 8628 §3.5).
   */
  pollDeviceCode(deviceCodeHash: string, nowMs: number): Promise<DevicePoll>;
  /** Marks an approved device code redeemed; true for the one caller that does. */
  redeemDeviceCode(deviceCodeHash: string): Promise<boolean>;
}
