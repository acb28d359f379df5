// The local blob store's signed URLs, which this server serves itself: a request is honoured only with a
// valid, unexpired signature for its method and key; an upload must also stay within the size limit and,
// when the URL was signed for a digest, carry that Content-MD5 and match it.
import { createHash } from "node:crypto";
import { BlobError, type BlobStore, type UrlVerifier } from "../../ports/blob";

/** Why a request is refused; the edge answers each kind with its own status. */
export interface BlobRefusal {
  refused: "forbidden" | "invalid" | "too-large" | "missing";
  message: string;
}

/** The upload headers the rules read, as the client sent them. */
export interface UploadHeaders {
  contentLength: string | undefined;
  contentMd5: string | undefined;
}

const refuse = (refused: BlobRefusal["refused"], message: string): BlobRefusal => ({ refused, message });

export class SignedBlobs {
  constructor(
    private readonly store: BlobStore,
    private readonly verifier: UrlVerifier,
    private readonly maxBytes: number,
  ) {}

  /** Stores an upload. The body is read only once the signature and the declared size hold. */
  async put(key: string, query: URLSearchParams, headers: UploadHeaders, readBody: () => Promise<Uint8Array>): Promise<BlobRefusal | { stored: true }> {
    const why = this.verifier.verify("PUT", key, query);
    if (why) return refuse("forbidden", why);
    const declared = Number(headers.contentLength ?? "0");
    if (declared > this.maxBytes) return this.tooLarge(declared);
    const body = await readBody();
    if (body.length > this.maxBytes) return this.tooLarge(body.length);
    const signedMd5 = query.get("md5");
    if (signedMd5) {
      if (headers.contentMd5 !== signedMd5) return refuse("invalid", "the Content-MD5 header must be the digest the URL was signed for");
      if (createHash("md5").update(body).digest("base64") !== signedMd5) return refuse("invalid", "the body does not match its Content-MD5");
    }
    const uri = this.uriOf(key);
    if (!uri) return refuse("invalid", "invalid blob key");
    await this.store.write(uri, body);
    return { stored: true };
  }

  async get(key: string, query: URLSearchParams): Promise<BlobRefusal | { data: Uint8Array }> {
    const why = this.verifier.verify("GET", key, query);
    if (why) return refuse("forbidden", why);
    const uri = this.uriOf(key);
    if (!uri) return refuse("invalid", "invalid blob key");
    const data = await this.store.read(uri);
    if (!data) return refuse("missing", `no object at ${key}`);
    return { data };
  }

  private tooLarge(size: number): BlobRefusal {
    return refuse("too-large", `upload of ${size} bytes is larger than the limit of ${this.maxBytes} bytes`);
  }

  /** Keys are checked when signed; a "." or ".." segment is refused here too. Other failures are the server's. */
  private uriOf(key: string): string | undefined {
    try {
      return this.store.uri(key);
    } catch (e) {
      if (e instanceof BlobError) return undefined;
      throw e;
    }
  }
}
