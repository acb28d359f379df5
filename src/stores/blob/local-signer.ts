// Signed URLs for the local store, served by the server's own /dataproxy/blob/ routes: an HMAC over
// method, key, expiry and the required Content-MD5, so a URL cannot be reused for another object,
// another method, another digest or after it expires.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { localBlobRoutePrefix, type UrlVerifier } from "../../ports/blob";

export interface LocalGrant {
  method: "GET" | "PUT";
  /** Key relative to the store folder. */
  key: string;
  /** Unix seconds. */
  expires: number;
  /** Base64 MD5 the upload must have, or "". */
  md5: string;
}

/**
 * Replicas sharing one blob folder may start at the same moment: the key is written whole to a file of
 * its own and linked into place, which fails when another got there first, so every replica reads the one
 * key that won (never a half-written file, never one overwritten after another replica read it).
 */
function createKeyFile(keyFile: string): void {
  mkdirSync(dirname(keyFile), { recursive: true });
  const draft = `${keyFile}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(draft, randomBytes(32).toString("base64"), { mode: 0o600 });
  try {
    linkSync(draft, keyFile);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  } finally {
    rmSync(draft, { force: true });
  }
}

export class LocalUrlSigner implements UrlVerifier {
  constructor(private readonly secret: Buffer) {}

  /** A key from config, else one kept in `keyFile` (made on first use) so URLs survive restarts. */
  static fromConfig(configured: string, keyFile: string): LocalUrlSigner {
    if (configured) return new LocalUrlSigner(Buffer.from(configured));
    if (!existsSync(keyFile)) createKeyFile(keyFile);
    return new LocalUrlSigner(Buffer.from(readFileSync(keyFile, "utf8").trim(), "base64"));
  }

  private mac(g: LocalGrant): Buffer {
    return createHmac("sha256", this.secret).update(`${g.method}\n${g.key}\n${g.expires}\n${g.md5}`).digest();
  }

  /** Path and query of a signed URL for the grant. */
  sign(g: LocalGrant): string {
    const q = new URLSearchParams({ expires: String(g.expires), sig: this.mac(g).toString("hex") });
    if (g.md5) q.set("md5", g.md5);
    return `${localBlobRoutePrefix}${g.key.split("/").map(encodeURIComponent).join("/")}?${q}`;
  }

  /** Checks a request against its signature; returns why it is refused, or undefined when it holds. */
  verify(method: string, key: string, query: URLSearchParams, now = Date.now()): string | undefined {
    const expires = Number(query.get("expires"));
    const sig = query.get("sig") ?? "";
    if (!Number.isInteger(expires) || !/^[0-9a-f]{64}$/.test(sig)) return "the URL is not signed";
    const expected = this.mac({ method: method as LocalGrant["method"], key, expires, md5: query.get("md5") ?? "" });
    if (!timingSafeEqual(expected, Buffer.from(sig, "hex"))) return "the URL signature does not match";
    if (expires * 1000 < now) return "the signed URL has expired";
    return undefined;
  }
}
