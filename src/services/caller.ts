// The authenticated caller of a call, put in the call's context by the edge's auth interceptor and read
// by the services (principal of executions, IdentityService). Absent when auth is off or the call was let
// through anonymously.
import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import type { Identity } from "../auth/identity";

export const callerKey = createContextKey<Identity | undefined>(undefined, { description: "authenticated caller" });

export function callerOf(ctx: HandlerContext): Identity | undefined {
  return ctx.values.get(callerKey);
}
