// Headers across the gateway: HTTP request headers into call metadata as grpc-gateway's AnnotateContext
// forwards them, grpc-timeout, and the call's response metadata back out as HTTP headers.
import { isMessage, type Message } from "@bufbuild/protobuf";
import { UserInfoResponseSchema } from "../../gen/flyteidl/service/identity_pb";
import { invalidArgument } from "./errors";

/** grpc-gateway forwards these HTTP headers as `grpcgateway-<name>` metadata. */
const permanentHttpHeaders = new Set([
  "accept",
  "accept-charset",
  "accept-language",
  "accept-ranges",
  "authorization",
  "cache-control",
  "content-type",
  "cookie",
  "date",
  "expect",
  "from",
  "host",
  "if-match",
  "if-modified-since",
  "if-none-match",
  "if-schedule-tag-match",
  "if-unmodified-since",
  "max-forwards",
  "origin",
  "pragma",
  "referer",
  "user-agent",
  "via",
  "warning",
]);

/**
 * Passed through under their own names: authorization (grpc-gateway does), x-request-id (flyteadmin's
 * header matcher does), and flyte-authorization and cookie, which our auth layer reads from the call
 * where upstream's gateway turns them into `authorization` itself.
 */
const passThroughHeaders = new Set(["authorization", "x-request-id", "flyte-authorization", "cookie"]);

const metadataPrefix = "grpc-metadata-";

/** Extra headers to forward (the CustomerHeaderMatcher plugin): the metadata key, or undefined. */
export type HeaderMatcher = (key: string) => string | undefined;

/**
 * Request metadata as grpc-gateway's AnnotateContext builds it (plus x-forwarded-proto, see below).
 * `matcher` is asked only about headers the built-in rules leave out, and its keys pass the same checks.
 */
export function forwardHeaders(req: Request, matcher?: HeaderMatcher): Headers {
  const out = new Headers();
  for (const [key, value] of req.headers) {
    if (key === "x-forwarded-for" || key === "x-forwarded-host") continue;
    if (passThroughHeaders.has(key)) out.append(key, value);
    const target =
      (permanentHttpHeaders.has(key) ? `grpcgateway-${key}` : key.startsWith(metadataPrefix) ? key.slice(metadataPrefix.length) : undefined) ?? matcher?.(key);
    if (!target || !/^[0-9a-z._-]+$/.test(target) || isReservedKey(target)) continue;
    if (target.endsWith("-bin")) out.append(target, checkBinaryHeader(key, value));
    else if (/^[\x20-\x7e]*$/.test(value)) out.append(target, value); // non-ASCII values are skipped, as upstream does
  }
  const url = new URL(req.url);
  out.set("x-forwarded-host", req.headers.get("x-forwarded-host") ?? url.host);
  const forwardedFor = req.headers.get("x-forwarded-for");
  if (forwardedFor) out.set("x-forwarded-for", forwardedFor);
  // Not grpc-gateway's: its call leaves over the network, ours in-process; the data proxy builds the
  // URLs it hands out from where the caller reached us.
  out.set("x-forwarded-proto", req.headers.get("x-forwarded-proto") ?? url.protocol.replace(/:$/, ""));
  return out;
}

/** Keys the transport owns (gRPC's reserved headers and Connect's own): Grpc-Metadata-* may not set them. */
function isReservedKey(key: string): boolean {
  return transportHeaders.has(key) || key === "user-agent" || key.startsWith("grpc-") || key.startsWith("connect-");
}

/** A `-bin` header must be base64 (padded or not); Connect carries it base64-encoded as it came. */
function checkBinaryHeader(key: string, value: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || (value.includes("=") && value.length % 4 !== 0)) {
    throw invalidArgument(`invalid binary header ${key}: illegal base64 data`);
  }
  return value;
}

/** grpc-timeout: digits and one unit letter (H M S m u n). */
export function parseGrpcTimeout(value: string | null): number | undefined {
  if (value === null) return undefined;
  const m = /^([+-]?\d+)([HMSmun])$/.exec(value);
  if (!m) throw invalidArgument(`invalid grpc-timeout: ${value}`);
  const msPerUnit: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };
  const ms = Number(m[1]) * msPerUnit[m[2]];
  return ms === 0 ? undefined : Math.max(ms, 0);
}

/** Metadata of the transport itself, not of the call: never forwarded. */
const transportHeaders = new Set([
  "content-type",
  "content-length",
  "content-encoding",
  "accept-encoding",
  "transfer-encoding",
  "te",
  "trailer",
  "connect-content-encoding",
  "connect-accept-encoding",
  "connect-protocol-version",
  "connect-timeout-ms",
  "grpc-status",
  "grpc-message",
  "grpc-status-details-bin",
  "grpc-encoding",
  "grpc-accept-encoding",
]);

/** Response metadata as `Grpc-Metadata-<key>` headers (grpc-gateway's default); x-request-id also as is. */
export function responseHeaders(metadata: Headers, contentType: string): Headers {
  const out = new Headers({ "content-type": contentType });
  for (const [key, value] of metadata) {
    if (transportHeaders.has(key)) continue;
    if (key === "x-request-id") out.set(key, value);
    out.append(`${metadataPrefix}${key}`, value);
  }
  return out;
}

/** flyteadmin's forward-response option for UserInfo: the subject and each extra claim as headers. */
export function addUserInfoHeaders(msg: Message, headers: Headers): void {
  if (!isMessage(msg, UserInfoResponseSchema)) return;
  for (const [claim, value] of Object.entries(msg.additionalClaims ?? {})) {
    try {
      headers.set(`x-user-claim-${claim.replaceAll("_", "-")}`, JSON.stringify(value));
    } catch {
      // a claim that cannot be a header value is skipped, as upstream skips claims it cannot marshal
    }
  }
  headers.set("x-user-subject", msg.subject);
}
