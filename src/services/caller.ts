// The authenticated caller of a call, put in the call's context by the edge's auth interceptor and read
// by the services (principal of executions, IdentityService). Absent when auth is off or the call was let
// through anonymously.
import { createContextKey, type HandlerContext } from "@connectrpc/connect";
import type { Identity } from "../auth/identity";

export const callerKey = createContextKey<Identity | undefined>(undefined, { description: "authenticated caller" });

/**
 * The principal recorded for the call's writes: the caller's user id, "" for an anonymous call or a
 * client's own token. Undefined when auth is off, where the request's own principal stands.
 */
export const principalKey = createContextKey<string | undefined>(undefined, { description: "principal of the call" });

export function callerOf(ctx: HandlerContext): Identity | undefined {
  return ctx.values.get(callerKey);
}

export function principalOf(ctx: HandlerContext): string | undefined {
  return ctx.values.get(principalKey);
}
