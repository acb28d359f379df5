// The self-hosted server's keys, read from the secrets as upstream reads them (auth.md §1.3, §2): the
// claim key that encrypts PKCE values inside codes, the RSA key tokens are signed with and, optionally,
// the previous RSA key, which only verifies and is published beside the current one.
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint } from "jose";
import { rawBase64 } from "../cookies";
import type { Secrets } from "../secrets";

/** AES-256: the claim key is zero-padded or cut to this many bytes, as upstream's fixed-size array. */
export const claimKeyLength = 32;

export interface PublicJwk {
  e: string;
  kid: string;
  kty: "RSA";
  n: string;
}

export interface VerificationKey {
  kid: string;
  publicKey: KeyObject;
  jwk: PublicJwk;
}

export interface SigningKeys {
  claimKey: Buffer;
  /** The current key: signs, and verifies. */
  signing: VerificationKey & { privateKey: KeyObject };
  /** Current first, then the old key when there is one. */
  verification: VerificationKey[];
}

export interface KeySecretNames {
  claimSymmetricEncryptionKeySecretName: string;
  tokenSigningRSAKeySecretName: string;
  oldTokenSigningRSAKeySecretName: string;
}

function claimKeyFrom(secrets: Secrets, name: string): Buffer {
  const text = secrets.get(name);
  if (text.trim() === "") throw new Error(`secret ${name} (the claim encryption key) is empty`);
  const raw = rawBase64(text.trim(), name);
  const key = Buffer.alloc(claimKeyLength);
  raw.copy(key, 0, 0, Math.min(raw.length, claimKeyLength));
  return key;
}

/** An RSA private key from PEM: PKCS#1 ("RSA PRIVATE KEY", upstream's) or PKCS#8 ("PRIVATE KEY"). */
function rsaKeyFrom(pem: string, name: string): KeyObject {
  if (pem.trim() === "") throw new Error(`secret ${name} (an RSA signing key) is empty`);
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem)) {
    throw new Error(`secret ${name} holds no PEM "RSA PRIVATE KEY" (PKCS#1) or "PRIVATE KEY" (PKCS#8) block`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch (e) {
    throw new Error(`secret ${name} is not a readable PEM private key: ${(e as Error).message}`);
  }
  if (key.asymmetricKeyType !== "rsa") throw new Error(`secret ${name} is a ${key.asymmetricKeyType} key, not an RSA key`);
  return key;
}

async function verificationKeyOf(privateKey: KeyObject): Promise<VerificationKey> {
  const publicKey = createPublicKey(privateKey);
  const { n, e } = publicKey.export({ format: "jwk" });
  if (!n || !e) throw new Error("RSA public key without modulus or exponent");
  // RFC 7638 thumbprint, unpadded base64url SHA-256: what upstream's jwx AssignKeyID computes.
  const kid = await calculateJwkThumbprint({ kty: "RSA", n, e }, "sha256");
  return { kid, publicKey, jwk: { e, kid, kty: "RSA", n } };
}

/** Reads and checks every key; a missing or malformed one throws an Error naming the secret. */
export async function loadSigningKeys(secrets: Secrets, names: KeySecretNames): Promise<SigningKeys> {
  const claimKey = claimKeyFrom(secrets, names.claimSymmetricEncryptionKeySecretName);
  const privateKey = rsaKeyFrom(secrets.get(names.tokenSigningRSAKeySecretName), names.tokenSigningRSAKeySecretName);
  const signing = { ...(await verificationKeyOf(privateKey)), privateKey };
  const verification: VerificationKey[] = [signing];
  // Optional, but present-and-broken is fatal as upstream's.
  const oldPem = secrets.find(names.oldTokenSigningRSAKeySecretName);
  if (oldPem !== undefined) verification.push(await verificationKeyOf(rsaKeyFrom(oldPem, names.oldTokenSigningRSAKeySecretName)));
  return { claimKey, signing, verification };
}

/** The /oauth2/jwks document: current key first, then the old one. */
export function jwksOf(keys: SigningKeys): { keys: PublicJwk[] } {
  return { keys: keys.verification.map((k) => k.jwk) };
}
