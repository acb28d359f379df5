// flyteidl.service.IdentityService: UserInfo answers who the call's credential says the caller is.
import { create } from "@bufbuild/protobuf";
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { type IdentityService, UserInfoResponseSchema } from "../gen/flyteidl/service/identity_pb";
import { callerOf } from "./caller";

/** Claims as a Struct: JSON values only (a claim that is not JSON is dropped, as upstream's marshalling would). */
function toStruct(claims: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(claims)) {
    try {
      const json = JSON.stringify(v);
      if (json !== undefined) out[k] = JSON.parse(json) as JsonValue;
    } catch {
      // not representable
    }
  }
  return out;
}

export function identityService(): Partial<ServiceImpl<typeof IdentityService>> {
  return {
    userInfo(_req, ctx) {
      const caller = callerOf(ctx);
      // No identity: auth let the call through anonymously (disableForHttp/Grpc); upstream answers empty.
      if (!caller) return create(UserInfoResponseSchema);
      const u = caller.userInfo;
      return create(UserInfoResponseSchema, {
        subject: u.subject || caller.userId,
        name: u.name,
        preferredUsername: u.preferredUsername,
        givenName: u.givenName,
        familyName: u.familyName,
        email: u.email,
        picture: u.picture,
        additionalClaims: toStruct(u.additionalClaims),
      });
    },
  };
}
