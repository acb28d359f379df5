// The auth cookies: names and attributes as upstream's (auth.md §4), contents sealed with the two cookie
// keys. Only this server reads them, so the sealing is ours: AES-256-GCM under a key derived from both
// secrets, the cookie's name bound in as associated data (a value cannot be moved to another cookie),
// and a timestamp so values older than 30 days are refused as upstream's are.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

export const cookieNames = {
  csrfState: "flyte_csrf_state",
  redirectLocation: "flyte_redirect_location",
  accessToken: "flyte_at",
  accessTokenPart1: "flyte_at_1",
  accessTokenPart2: "flyte_at_2",
  idToken: "flyte_idt",
  refreshToken: "flyte_rt",
  userInfo: "flyte_user_info",
  authCode: "flyte_auth_code",
} as const;

const maxAgeSeconds = 30 * 24 * 3600;
const maxCookieChars = 4096;

export type SameSite = "DefaultMode" | "LaxMode" | "StrictMode" | "NoneMode";

export interface CookieSettings {
  sameSite: SameSite;
  domain: string;
  /** server.security.insecureCookieHeader: no Secure attribute. */
  insecure: boolean;
}

/** Decodes unpadded standard base64 as upstream's RawStdEncoding does: padding is an error, newlines are ignored. */
export function rawBase64(text: string, name: string): Buffer {
  const clean = text.replace(/[\r\n]/g, "");
  if (clean === "" || !/^[A-Za-z0-9+/]*$/.test(clean) || clean.length % 4 === 1) {
    throw new Error(`secret ${name} is not unpadded standard base64`);
  }
  return Buffer.from(clean, "base64");
}

export class CookieCipher {
  private readonly key: Buffer;

  /** `hashKey`, `blockKey`: the decoded cookie_hash_key and cookie_block_key secrets. */
  constructor(hashKey: Buffer, blockKey: Buffer) {
    if (![16, 24, 32].includes(blockKey.length)) throw new Error(`cookie block key must be 16, 24 or 32 bytes, not ${blockKey.length}`);
    if (hashKey.length === 0) throw new Error("cookie hash key is empty");
    this.key = createHmac("sha256", hashKey).update(blockKey).digest();
  }

  seal(name: string, value: string, now = Date.now()): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(name));
    const stamp = Buffer.alloc(8);
    stamp.writeBigUInt64BE(BigInt(Math.floor(now / 1000)));
    const body = Buffer.concat([cipher.update(Buffer.concat([stamp, Buffer.from(value)])), cipher.final()]);
    const sealed = Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
    if (sealed.length > maxCookieChars) throw new Error(`cookie ${name} would be longer than ${maxCookieChars} characters`);
    return sealed;
  }

  /** The value, or undefined when it was not sealed by us for this name, or is too old. */
  open(name: string, sealed: string, now = Date.now()): string | undefined {
    const raw = Buffer.from(sealed, "base64url");
    if (raw.length < 12 + 8 + 16 || sealed.length > maxCookieChars) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(name));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const plain = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
      const stamp = Number(plain.readBigUInt64BE(0));
      if (now / 1000 - stamp > maxAgeSeconds) return undefined;
      return plain.subarray(8).toString();
    } catch {
      return undefined;
    }
  }
}

/** The Cookie header's values by name (the first of a repeated name wins, as Go's Request.Cookie). */
export function parseCookies(header: string | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (name && !out.has(name)) out.set(name, value);
  }
  return out;
}

const sameSiteAttribute: Record<SameSite, string | undefined> = {
  DefaultMode: undefined,
  LaxMode: "Lax",
  StrictMode: "Strict",
  NoneMode: "None",
};

export interface CookieOptions {
  /** Overrides the configured SameSite (the CSRF and redirect cookies are always Lax). */
  sameSite?: SameSite;
  /** Overrides the configured Domain ("" for none). */
  domain?: string;
  /** Set-Cookie that deletes: empty value, Expires an hour ago. */
  expired?: boolean;
}

/** One Set-Cookie header value: no Path and no Max-Age, HttpOnly, Secure unless insecure (upstream's). */
export function setCookie(name: string, value: string, settings: CookieSettings, opts: CookieOptions = {}): string {
  const parts = [`${name}=${opts.expired ? "" : value}`];
  const domain = opts.domain ?? settings.domain;
  if (domain) parts.push(`Domain=${domain}`);
  if (opts.expired) parts.push(`Expires=${new Date(Date.now() - 3600_000).toUTCString()}`);
  parts.push("HttpOnly");
  if (!settings.insecure) parts.push("Secure");
  const sameSite = sameSiteAttribute[opts.sameSite ?? settings.sameSite];
  if (sameSite) parts.push(`SameSite=${sameSite}`);
  return parts.join("; ");
}
