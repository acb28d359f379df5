// The one place our error family becomes a Connect/gRPC status: AdminError's code (gRPC's numbers by
// definition), its message cut to fit a header, its typed details; anything unexpected becomes a generic
// Internal naming the request id, its own text (SQL, paths) left for the log.
import { Code, ConnectError } from "@connectrpc/connect";
import { AdminError, cutBytes, maxMessageBytes } from "../kernel/errors";

export function toConnectError(err: unknown, requestId?: string): ConnectError {
  if (err instanceof AdminError) {
    return new ConnectError(
      cutBytes(err.message, maxMessageBytes),
      err.code.valueOf() as Code,
      undefined,
      err.details.map((d) => ({ desc: d.desc, value: d.value })),
    );
  }
  if (err instanceof ConnectError) return err;
  const message = requestId ? `internal error (request id ${requestId})` : "internal error";
  return new ConnectError(message, Code.Internal, undefined, undefined, err);
}
