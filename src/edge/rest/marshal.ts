// Content negotiation and the two wire forms the gateway speaks: JSON as grpc-gateway's marshallers
// write and read it (gateway-json.ts) and protobuf binary.
import { fromBinary, toBinary, type DescMessage, type Message, type Registry } from "@bufbuild/protobuf";
import { errorText } from "../../kernel/errors";
import { fromGatewayJson, toGatewayJsonText } from "../gateway-json";
import { invalidArgument } from "./errors";

/** application/json (proto names, unknown fields rejected), application/octet-stream, and grpc-gateway's `*`. */
export type Marshaller = "json" | "binary" | "fallback";

const marshallerByMime = new Map<string, Marshaller>([
  ["application/json", "json"],
  ["application/octet-stream", "binary"],
  ["*", "fallback"],
]);

/**
 * Inbound by the Content-Type's media type, else `*`; outbound by an Accept value matching a registered
 * type exactly (no q-values, no lists), else the inbound one. Repeated Accept headers reach us joined by
 * ", ", so only a single Accept header can match, which is what clients send.
 */
export function pickMarshallers(headers: Headers): { inbound: Marshaller; outbound: Marshaller } {
  const contentType = headers.get("content-type");
  const mediaType = contentType?.split(";")[0].trim().toLowerCase();
  const inbound = (mediaType && mediaType !== "*" ? marshallerByMime.get(mediaType) : undefined) ?? "fallback";
  const accept = headers.get("accept");
  const outbound = (accept !== null ? marshallerByMime.get(accept) : undefined) ?? inbound;
  return { inbound, outbound };
}

export interface Encoded {
  body: Uint8Array | string;
  contentType: string;
}

export function encode(schema: DescMessage, msg: Message, marshaller: Marshaller, registry: Registry): Encoded {
  if (marshaller === "binary") return { body: toBinary(schema, msg), contentType: "application/octet-stream" };
  return { body: toGatewayJsonText(schema, msg, { protoNames: marshaller === "json", registry }), contentType: "application/json" };
}

export function decode(schema: DescMessage, bytes: Uint8Array, marshaller: Marshaller, registry: Registry): Message {
  try {
    if (marshaller === "binary") return fromBinary(schema, bytes);
    const text = new TextDecoder().decode(bytes);
    return fromGatewayJson(schema, text, { discardUnknown: marshaller === "fallback", registry });
  } catch (e) {
    throw invalidArgument(errorText(e));
  }
}
