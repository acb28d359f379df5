// One error family for the whole server. Managers and stores throw AdminError; the edge maps it to a
// Connect/gRPC status (with typed details) once, so every protocol answers the same code and message.
import { Code, ConnectError } from "@connectrpc/connect";
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";

/** A typed detail that travels as google.rpc.Status details (grpc-status-details-bin, gateway `details`). */
export interface ErrorDetail<D extends DescMessage = DescMessage> {
  desc: D;
  value: MessageShape<D>;
}

/** Upstream truncates status messages to this many bytes (common.MaxResponseStatusBytes). */
const maxMessageBytes = 32000;

export class AdminError extends Error {
  override readonly name = "AdminError";
  constructor(
    readonly code: Code,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }

  toConnectError(): ConnectError {
    let msg = this.message;
    if (Buffer.byteLength(msg) > maxMessageBytes) msg = Buffer.from(msg).subarray(0, maxMessageBytes).toString();
    return new ConnectError(
      msg,
      this.code,
      undefined,
      this.details.map((d) => ({ desc: d.desc, value: d.value })),
    );
  }
}

export function detail<D extends DescMessage>(desc: D, init: Parameters<typeof create<D>>[1]): ErrorDetail {
  return { desc, value: create(desc, init) };
}

export const invalidArgument = (message: string, ...details: ErrorDetail[]) =>
  new AdminError(Code.InvalidArgument, message, details);
export const notFound = (message: string) => new AdminError(Code.NotFound, message);
export const alreadyExists = (message: string, ...details: ErrorDetail[]) =>
  new AdminError(Code.AlreadyExists, message, details);
export const failedPrecondition = (message: string, ...details: ErrorDetail[]) =>
  new AdminError(Code.FailedPrecondition, message, details);
export const resourceExhausted = (message: string) => new AdminError(Code.ResourceExhausted, message);
export const internal = (message: string) => new AdminError(Code.Internal, message);
export const unavailable = (message: string) => new AdminError(Code.Unavailable, message);

/** Upstream's wording for validation failures (manager/impl/shared/errors.go). */
export const missingArgument = (field: string) => invalidArgument(`missing ${field}`);
export const invalidValue = (field: string) => invalidArgument(`invalid value for ${field}`);

/**
 * Maps anything thrown below the edge to a ConnectError. An unexpected error (a database driver's, a bug)
 * becomes Internal with a short generic message naming the request id: its own text may carry SQL, paths
 * or parameters, so it goes to the log only (kept as the ConnectError's cause).
 */
export function toConnectError(err: unknown, requestId?: string): ConnectError {
  if (err instanceof AdminError) return err.toConnectError();
  if (err instanceof ConnectError) return err;
  const message = requestId ? `internal error (request id ${requestId})` : "internal error";
  return new ConnectError(message, Code.Internal, undefined, undefined, err);
}

/** The text of what was thrown, for the log. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
