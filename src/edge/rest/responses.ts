// A call's outcome as the gateway answers it: the response message, or the error as google.rpc.Status,
// in the outbound marshaller with the call's metadata as headers.
import { create, type DescMethodUnary, type Message, type Registry } from "@bufbuild/protobuf";
import { AnySchema, anyPack, type Any } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { StatusSchema } from "../../gen/google/rpc/status_pb";
import { errorText } from "../../kernel/errors";
import { httpStatusFromCode } from "./errors";
import { addUserInfoHeaders, responseHeaders } from "./headers";
import { encode, type Encoded, type Marshaller } from "./marshal";

/** Throws Unknown when the answer cannot be marshalled, for the caller to answer as an error. */
export function successResponse(method: DescMethodUnary, msg: Message, metadata: Headers, outbound: Marshaller, registry: Registry): Response {
  let encoded: Encoded;
  try {
    encoded = encode(method.output, msg, outbound, registry);
  } catch (e) {
    throw new ConnectError(errorText(e), Code.Unknown);
  }
  const headers = responseHeaders(metadata, encoded.contentType);
  addUserInfoHeaders(msg, headers);
  return new Response(encoded.body, { status: 200, headers });
}

function detailAsAny(detail: ConnectError["details"][number]): Any {
  if ("desc" in detail) return anyPack(detail.desc, create(detail.desc, detail.value));
  return create(AnySchema, { typeUrl: `type.googleapis.com/${detail.type}`, value: detail.value });
}

/** google.rpc.Status in the outbound marshaller, at grpc-gateway's HTTP status for the code. */
export function errorResponse(err: ConnectError, outbound: Marshaller, registry: Registry): Response {
  const status = create(StatusSchema, { code: err.code, message: err.rawMessage, details: err.details.map(detailAsAny) });
  let encoded: Encoded;
  try {
    encoded = encode(StatusSchema, status, outbound, registry);
  } catch {
    // e.g. a detail whose type we cannot resolve for JSON: grpc-gateway's own fallback body
    return new Response('{"code": 13, "message": "failed to marshal error message"}', {
      status: 500,
      headers: { "content-type": outbound === "binary" ? "application/octet-stream" : "application/json" },
    });
  }
  const headers = responseHeaders(err.metadata, encoded.contentType);
  if (err.code === Code.Unauthenticated) {
    try {
      headers.set("www-authenticate", err.rawMessage);
    } catch {
      // not representable as a header value
    }
  }
  return new Response(encoded.body, { status: httpStatusFromCode(err.code), headers });
}
