// The gateway's status mapping and its error shape, google.rpc.Status as `{code, message, details}`.
// Plain HTTP routes beside the gateway (not found, crashes, the local blob store's signed URLs) answer
// in the same shape through gatewayError; the gateway's own calls marshal it (responses.ts).
import { Code, ConnectError } from "@connectrpc/connect";

/** grpc-gateway's HTTPStatusFromCode. */
const httpStatusByCode: Record<Code, number> = {
  [Code.Canceled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 400, // deliberately not 412, as in grpc-gateway
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

export function httpStatusFromCode(code: Code): number {
  // OK (0) has no member in Connect's Code; anything unknown is 500, as in grpc-gateway
  return httpStatusByCode[code] ?? (Number(code) === 0 ? 200 : 500);
}

/** The gateway's own refusals (a path, query, body or header it cannot bind): they reach no manager. */
export function invalidArgument(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}

/**
 * An error in the gateway's JSON shape, for routes whose failures carry no details. The status is
 * grpc-gateway's for the code unless the route's HTTP meaning needs its own (413 for an upload too large).
 * Written with JSON.stringify, not the gateway's marshaller, so these answers stay as they always were.
 */
export function gatewayError(code: Code, message: string, status = httpStatusFromCode(code)): Response {
  return new Response(JSON.stringify({ code, message, details: [] }), { status, headers: { "Content-Type": "application/json" } });
}
