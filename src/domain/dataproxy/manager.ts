// The data proxy's upload and download locations, as upstream: signed URLs into the blob store so
// clients (pyflyte, flytectl) can upload fast-register archives and fetch artifacts directly.
import { create } from "@bufbuild/protobuf";
import { durationMs, timestampFromDate, type Duration } from "@bufbuild/protobuf/wkt";
import {
  CreateDownloadLocationResponseSchema,
  CreateUploadLocationResponseSchema,
  type CreateDownloadLocationRequest,
  type CreateDownloadLocationResponse,
  type CreateUploadLocationRequest,
  type CreateUploadLocationResponse,
} from "../../gen/flyteidl/service/dataproxy_pb";
import { alreadyExists, echo, internal, invalidArgument } from "../../kernel/errors";
import { formatGoDuration, parseGoDuration } from "../../kernel/duration";
import { randomString } from "../../kernel/random";
import { BlobError, type BlobStore } from "../../ports/blob";
import { checkName, checkRelativePath } from "./paths";

export interface DataProxyConfig {
  upload: { maxExpiresIn: string; defaultFileNameLength: number; storagePrefix: string };
  download: { maxExpiresIn: string };
}

/** RFC 4648 base32 with padding, as Go's base32.StdEncoding (used for hash-derived folder names). */
export function base32(bytes: Uint8Array): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += "=";
  return out;
}

const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const toBase64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

/** A request's expires_in in milliseconds, checked against the maximum; absent means the maximum. */
export function expiry(given: Duration | undefined, max: string): number {
  const maxMs = parseGoDuration(max)!;
  if (!given) return maxMs;
  const secs = Number(given.seconds);
  if (Math.abs(given.nanos) > 999_999_999 || (secs > 0 && given.nanos < 0) || (secs < 0 && given.nanos > 0)) {
    throw new Error(`input duration [${secs}s ${given.nanos}ns] is invalid`);
  }
  const ms = durationMs(given);
  if (ms < 0) throw new Error(`input duration [${formatGoDuration(ms)}] should not less than 0`);
  if (ms > maxMs) throw new Error(`input duration [${formatGoDuration(ms)}] cannot exceed max allowed expiration [${formatGoDuration(maxMs)}]`);
  return ms;
}

/**
 * The store's own failures keep upstream's "what failed. Error: why" shape; anything else (a file
 * system error, whose text names server paths) is rethrown for the edge to answer as a generic Internal.
 */
function blobFailure(what: string, e: unknown): unknown {
  return e instanceof BlobError ? internal(`${what}. Error: ${e.message}`) : e;
}

export class DataProxyManager {
  constructor(
    private readonly store: BlobStore,
    private readonly cfg: DataProxyConfig,
  ) {}

  private location(...parts: string[]): string {
    return this.store.uri(this.cfg.upload.storagePrefix, ...parts.filter((p) => p !== ""));
  }

  /** When the full path is chosen by the client, an existing object may only be replaced by the same bytes. */
  private async checkRewrite(uri: string, md5: Uint8Array): Promise<void> {
    const existing = await this.store.head(uri).catch((e: unknown) => {
      throw blobFailure("failed to check if the file exists", e);
    });
    if (!existing) return;
    const refuse = () => alreadyExists(`file already exists at location [${uri}], specify a matching hash if you wish to rewrite`);
    if (md5.length === 0) throw refuse();
    const known = existing.md5;
    if (!known || (known !== toHex(md5) && known !== base32(md5) && known !== toBase64(md5))) throw refuse();
  }

  async createUploadLocation(req: CreateUploadLocationRequest, baseUrl: string): Promise<CreateUploadLocationResponse> {
    if (req.project === "" || req.domain === "") throw invalidArgument("project and domain are required parameters");
    checkName("project", req.project);
    checkName("domain", req.domain);
    checkName("org", req.org);
    checkRelativePath("filename_root", req.filenameRoot);
    checkRelativePath("filename", req.filename);
    if (req.filenameRoot === "" && req.contentMd5.length === 0) {
      throw invalidArgument("content_md5 or filename_root is a required parameter");
    }
    if (req.filename !== "" && req.filenameRoot !== "") {
      await this.checkRewrite(this.location(req.org, req.project, req.domain, req.filenameRoot, req.filename), req.contentMd5);
    }
    let ttl: number;
    try {
      ttl = expiry(req.expiresIn, this.cfg.upload.maxExpiresIn);
    } catch (e) {
      throw invalidArgument(`expiresIn is invalid: ${(e as Error).message}`);
    }
    const filename = req.filename || randomString(this.cfg.upload.defaultFileNameLength);
    const folder = req.filenameRoot || base32(req.contentMd5);
    const uri = this.location(req.org, req.project, req.domain, folder, filename);
    const contentMd5 = req.contentMd5.length > 0 ? toBase64(req.contentMd5) : undefined;
    const signed = await this.store.signedUrl(uri, { method: "PUT", expiresInSeconds: ttl / 1000, contentMd5, baseUrl }).catch((e: unknown) => {
      throw blobFailure("failed to create a signed url", e);
    });
    return create(CreateUploadLocationResponseSchema, {
      signedUrl: signed.url,
      nativeUrl: uri,
      expiresAt: timestampFromDate(new Date(Date.now() + ttl)),
      headers: signed.headers,
    });
  }

  async createDownloadLocation(req: CreateDownloadLocationRequest, baseUrl: string): Promise<CreateDownloadLocationResponse> {
    let ttl: number;
    try {
      ttl = expiry(req.expiresIn, this.cfg.download.maxExpiresIn);
    } catch (e) {
      throw invalidArgument(`error while validating request: expiresIn is invalid. Error: ${(e as Error).message}`);
    }
    if (!URL.canParse(req.nativeUrl)) {
      throw invalidArgument(`error while validating request: failed to parse native_url [${echo(req.nativeUrl)}]`);
    }
    const signed = await this.store.signedUrl(req.nativeUrl, { method: "GET", expiresInSeconds: ttl / 1000, baseUrl }).catch((e: unknown) => {
      if (e instanceof BlobError && e.outside) {
        throw invalidArgument(`error while validating request: native_url [${echo(req.nativeUrl)}] is not in this server's blob store`);
      }
      throw blobFailure("failed to create a signed url", e);
    });
    return create(CreateDownloadLocationResponseSchema, {
      signedUrl: signed.url,
      expiresAt: timestampFromDate(new Date(Date.now() + ttl)),
    });
  }
}
