// S3-compatible backend (AWS S3, MinIO, R2, GCS interop) over fetch, signed with aws4fetch. URIs are
// s3://<bucket>/<key>, as upstream writes them.
import { AwsClient } from "aws4fetch";
import { BlobError, joinKey, parseUri, type BlobInfo, type BlobStore, type SignOptions, type SignedUrl } from "../../ports/blob";

export interface S3Options {
  bucket: string;
  region: string;
  /** Empty: AWS (virtual-hosted URLs). Set: that endpoint, path-style (MinIO, s3rver, R2, GCS). */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Use http:// when the endpoint has no scheme. */
  disableSsl: boolean;
}

const encodeKey = (key: string) => key.split("/").map(encodeURIComponent).join("/");

function xmlValues(xml: string, tag: string): string[] {
  const out: string[] = [];
  const re = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g");
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push(unescapeXml(m[1]));
  return out;
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}

export class S3BlobStore implements BlobStore {
  private readonly client: AwsClient;
  private readonly bucket: string;
  private readonly objectBase: string;

  constructor(opts: S3Options) {
    if (!opts.bucket) throw new BlobError("storage.container (the bucket) is required for s3/minio storage");
    if (!opts.accessKeyId || !opts.secretAccessKey) {
      throw new BlobError("s3 storage needs storage.connection.access-key/secret-key or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY");
    }
    this.bucket = opts.bucket;
    this.client = new AwsClient({
      accessKeyId: opts.accessKeyId,
      secretAccessKey: opts.secretAccessKey,
      sessionToken: opts.sessionToken || undefined,
      region: opts.region || "us-east-1",
      service: "s3",
    });
    if (opts.endpoint) {
      const ep = /^https?:\/\//.test(opts.endpoint) ? opts.endpoint : `${opts.disableSsl ? "http" : "https"}://${opts.endpoint}`;
      this.objectBase = `${ep.replace(/\/+$/, "")}/${encodeURIComponent(opts.bucket)}`;
    } else {
      this.objectBase = `https://${opts.bucket}.s3.${opts.region || "us-east-1"}.amazonaws.com`;
    }
  }

  uri(...keys: string[]): string {
    return `s3://${this.bucket}/${joinKey(keys)}`;
  }

  private url(uri: string): string {
    const { scheme, container, key } = parseUri(uri);
    if (scheme !== "s3" || container !== this.bucket) throw new BlobError(`not in bucket ${this.bucket}`, true);
    return `${this.objectBase}/${encodeKey(key)}`;
  }

  private async call(url: string, init: RequestInit, what: string): Promise<Response> {
    const res = await this.client.fetch(url, init);
    if (!res.ok && res.status !== 404) {
      const body = await res.text().catch(() => "");
      const code = xmlValues(body, "Code")[0] ?? "";
      throw new BlobError(`s3 ${what} failed with HTTP ${res.status}${code ? ` ${code}` : ""}`);
    }
    return res;
  }

  async head(uri: string): Promise<BlobInfo | undefined> {
    const res = await this.call(this.url(uri), { method: "HEAD" }, `HEAD ${uri}`);
    if (res.status === 404) return undefined;
    const etag = res.headers.get("etag")?.replace(/"/g, "");
    return { size: Number(res.headers.get("content-length") ?? 0), md5: etag && /^[0-9a-f]{32}$/.test(etag) ? etag : undefined };
  }

  async read(uri: string): Promise<Uint8Array | undefined> {
    const res = await this.call(this.url(uri), { method: "GET" }, `GET ${uri}`);
    if (res.status === 404) return undefined;
    return new Uint8Array(await res.arrayBuffer());
  }

  async write(uri: string, data: Uint8Array, opts?: { contentType?: string }): Promise<void> {
    await this.call(this.url(uri), { method: "PUT", body: data, headers: { "content-type": opts?.contentType ?? "application/octet-stream" } }, `PUT ${uri}`);
  }

  async list(prefix: string): Promise<string[]> {
    const { key } = parseUri(prefix);
    const out: string[] = [];
    let token: string | undefined;
    do {
      const q = new URLSearchParams({ "list-type": "2", prefix: key });
      if (token) q.set("continuation-token", token);
      const res = await this.call(`${this.objectBase}?${q}`, { method: "GET" }, `LIST ${prefix}`);
      if (res.status === 404) throw new BlobError(`s3 bucket ${this.bucket} does not exist`);
      const xml = await res.text();
      out.push(...xmlValues(xml, "Key").map((k) => `s3://${this.bucket}/${k}`));
      token = xmlValues(xml, "IsTruncated")[0] === "true" ? xmlValues(xml, "NextContinuationToken")[0] : undefined;
    } while (token);
    return out.sort();
  }

  async signedUrl(uri: string, opts: SignOptions): Promise<SignedUrl> {
    const url = new URL(this.url(uri));
    url.searchParams.set("X-Amz-Expires", String(Math.max(1, Math.floor(opts.expiresInSeconds))));
    const headers: Record<string, string> = {};
    if (opts.method === "PUT" && opts.contentMd5) headers["Content-MD5"] = opts.contentMd5;
    const signed = await this.client.sign(url.toString(), { method: opts.method, headers, aws: { signQuery: true, allHeaders: true } });
    return { url: signed.url, headers, expiresAt: new Date(Date.now() + opts.expiresInSeconds * 1000) };
  }
}
