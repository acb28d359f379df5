// One error family for the whole server. Managers and stores throw AdminError with our own ErrorCode;
// the edge maps it to a Connect/gRPC status (with typed details) once (edge/status.ts), so every
// protocol answers the same code and message.
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";

/** A typed detail that travels as google.rpc.Status details (grpc-status-details-bin, gateway `details`). */
export interface ErrorDetail<D extends DescMessage = DescMessage> {
  desc: D;
  value: MessageShape<D>;
}

/**
 * Longest status message, in bytes. Upstream allows 32,000, but the message travels as the grpc-message
 * header and grpcio's default metadata limit (8 KiB, all headers together) then turns the real error
 * into RESOURCE_EXHAUSTED on the client; under 1 KiB always fits.
 */
export const maxMessageBytes = 1000;
/** Longest part of a caller's value echoed in a message, in characters. */
export const maxEchoChars = 256;

/** `text` cut to at most `maxBytes` UTF-8 bytes on a character boundary, ending in "…" when cut. */
export function cutBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const budget = maxBytes - Buffer.byteLength("…");
  let used = 0;
  let out = "";
  for (const ch of text) {
    used += Buffer.byteLength(ch);
    if (used > budget) break;
    out += ch;
  }
  return `${out}…`;
}

/** A caller's value as it may appear in a message: cut to `maxEchoChars` characters with "…". */
export function echo(value: string): string {
  // Two UTF-16 units a character at most, so the slice keeps every character the cut can reach.
  const chars = [...value.slice(0, 2 * maxEchoChars + 2)];
  return chars.length > maxEchoChars ? `${chars.slice(0, maxEchoChars).join("")}…` : value;
}

/**
 * What went wrong, as a status code. Names and numbers are gRPC's status codes (and so Connect's Code,
 * spelled as Connect spells them): the edge passes the number on unchanged, and a refused launch records
 * the name (`ErrorCode[code]`) as upstream records Go's code name.
 */
export enum ErrorCode {
  Canceled = 1,
  Unknown = 2,
  InvalidArgument = 3,
  DeadlineExceeded = 4,
  NotFound = 5,
  AlreadyExists = 6,
  PermissionDenied = 7,
  ResourceExhausted = 8,
  FailedPrecondition = 9,
  Aborted = 10,
  OutOfRange = 11,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
  DataLoss = 15,
  Unauthenticated = 16,
}

export class AdminError extends Error {
  override readonly name = "AdminError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

export function detail<D extends DescMessage>(desc: D, init: Parameters<typeof create<D>>[1]): ErrorDetail {
  return { desc, value: create(desc, init) };
}

export const invalidArgument = (message: string, ...details: ErrorDetail[]) => new AdminError(ErrorCode.InvalidArgument, message, details);
export const notFound = (message: string) => new AdminError(ErrorCode.NotFound, message);
export const alreadyExists = (message: string, ...details: ErrorDetail[]) => new AdminError(ErrorCode.AlreadyExists, message, details);
export const failedPrecondition = (message: string, ...details: ErrorDetail[]) => new AdminError(ErrorCode.FailedPrecondition, message, details);
export const aborted = (message: string) => new AdminError(ErrorCode.Aborted, message);
export const resourceExhausted = (message: string) => new AdminError(ErrorCode.ResourceExhausted, message);
export const internal = (message: string) => new AdminError(ErrorCode.Internal, message);
export const unavailable = (message: string) => new AdminError(ErrorCode.Unavailable, message);

/** Whether `e` is one of ours with this code (a duplicate registration, say). */
export const hasCode = (e: unknown, code: ErrorCode): e is AdminError => e instanceof AdminError && e.code === code;

/** Upstream's wording for validation failures (manager/impl/shared/errors.go). */
export const missingArgument = (field: string) => invalidArgument(`missing ${field}`);
export const invalidValue = (field: string) => invalidArgument(`invalid value for ${field}`);

/** The text of what was thrown, for the log. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
