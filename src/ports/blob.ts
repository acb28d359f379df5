// One interface for every object store: addressed by URIs such as s3://bucket/a/b or file:///root/a/b,
// the form upstream stores in its tables (remote closure identifiers, inputs/outputs URIs).
export interface BlobInfo {
  size: number;
  /** Hex MD5 of the content when the backend knows it. */
  md5?: string;
}

export interface SignedUrl {
  url: string;
  /** Headers the client must send with the request for the signature to hold. */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface SignOptions {
  method: "GET" | "PUT";
  expiresInSeconds: number;
  /** Base64 MD5 the upload must have (PUT only). */
  contentMd5?: string;
  /** Where clients reach this server, for stores whose URLs the server serves itself (local). */
  baseUrl?: string;
}

export interface BlobStore {
  /** The URI of a key path inside the configured container, e.g. uri("metadata", "p", "d") */
  uri(...keys: string[]): string;
  head(uri: string): Promise<BlobInfo | undefined>;
  /** undefined when there is no such object. */
  read(uri: string): Promise<Uint8Array | undefined>;
  write(uri: string, data: Uint8Array, opts?: { contentType?: string }): Promise<void>;
  /** URIs of the objects whose URI starts with `prefix`, in key order. */
  list(prefix: string): Promise<string[]>;
  signedUrl(uri: string, opts: SignOptions): Promise<SignedUrl>;
}

/** Where the local store's signed URLs point: this server serves them itself (edge/blob-routes.ts). */
export const localBlobRoutePrefix = "/dataproxy/blob/";

/**
 * Checks the signed URLs a store hands out for this server to serve (the local store's). Signing stays
 * the store's own business (signedUrl); serving needs only the check.
 */
export interface UrlVerifier {
  /** Why a `method` request for `key` with this query is refused, or undefined when its signature holds. */
  verify(method: string, key: string, query: URLSearchParams): string | undefined;
}

/**
 * A failure the blob store describes itself (its messages name no server paths). `outside` marks a URI
 * that is not in this store at all: the caller's mistake, not the server's.
 */
export class BlobError extends Error {
  override readonly name = "BlobError";
  constructor(
    message: string,
    readonly outside = false,
  ) {
    super(message);
  }
}

/** Joins key parts with "/", dropping empty parts and stray slashes, as upstream's ConstructReference. */
export function joinKey(parts: string[]): string {
  return parts
    .flatMap((p) => p.split("/"))
    .filter((p) => p !== "")
    .join("/");
}

/** Splits scheme://container/key into its parts. */
export function parseUri(uri: string): { scheme: string; container: string; key: string } {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)\/?(.*)$/i.exec(uri);
  if (!m) throw new BlobError("not a blob URI", true);
  return { scheme: m[1].toLowerCase(), container: m[2], key: m[3] };
}
