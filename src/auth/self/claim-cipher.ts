// The PKCE values an authorization code carries are encrypted under the claim key, in upstream's format
// (cryptopasta): AES-256-GCM, nonce || ciphertext || tag, unpadded standard base64.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

const nonceLength = 12;
const tagLength = 16;

export class ClaimCipher {
  constructor(private readonly key: Buffer) {}

  encrypt(plain: string): string {
    const nonce = randomBytes(nonceLength);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64").replace(/=+$/, "");
  }

  /** The plain text, or undefined when `sealed` was not encrypted under this key. */
  decrypt(sealed: string): string | undefined {
    const raw = Buffer.from(sealed, "base64");
    if (raw.length < nonceLength + tagLength) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, nonceLength));
      decipher.setAuthTag(raw.subarray(raw.length - tagLength));
      return Buffer.concat([decipher.update(raw.subarray(nonceLength, raw.length - tagLength)), decipher.final()]).toString("utf8");
    } catch {
      return undefined;
    }
  }

  /** A MAC key for `purpose`, derived so no two uses of the claim key share one. */
  derivedKey(purpose: string): Buffer {
    return createHmac("sha256", this.key).update(`flyteadmin-ts ${purpose}`).digest();
  }
}
