// Per-project authorization of every call, on every protocol (REST goes through the same Connect
// router): runs after authentication, looks the method up in the access table (auth/rpc-access),
// checks the policy, cuts ListProjects down to what the caller can read, and writes one audit line
// per write call with its outcome.
import { create, isMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { ProjectsSchema } from "../../gen/flyteidl/admin/project_pb";
import type { Identity } from "../../auth/identity";
import type { Policy } from "../../auth/policy";
import { AccessTable, type MethodAccess, scopeOf } from "../../auth/rpc-access";
import { AdminError, ErrorCode } from "../../kernel/errors";
import type { Logger } from "../../kernel/log";
import { callerKey } from "../../services/caller";
import { requestIdKey } from "./edge";

export interface AuthorizeOptions {
  /** One `audit` line per write call (auth.rbac.auditLog). */
  auditLog: boolean;
  /** The classification; default the built-in table (plugins' services then need admin everywhere). */
  access?: AccessTable;
}

/** The status code name a failure leaves with, as the access log spells it. */
function outcomeOf(e: unknown): string {
  if (e instanceof AdminError) return ErrorCode[e.code] ?? String(e.code);
  if (e instanceof ConnectError) return Code[e.code] ?? String(e.code);
  return "Internal";
}

const callerName = (identity: Identity | undefined) => (identity ? identity.userId || identity.appId : "");

export function authorizeInterceptor(policy: Policy, log: Logger, opts: AuthorizeOptions): Interceptor {
  const table = opts.access ?? new AccessTable();
  // Nothing to check and nothing to record: no frame per call.
  if (!policy.enabled && !opts.auditLog) return (next) => next;
  return (next) => (req) => {
    const access = table.get(req.service.typeName, req.method.name);
    // With no policy, a read has nothing to check or record: straight through, no async frame.
    if (!policy.enabled && !(opts.auditLog && access.write)) return next(req);
    return judged(next, req, access);
  };

  async function judged(next: Parameters<Interceptor>[0], req: Parameters<ReturnType<Interceptor>>[0], access: MethodAccess) {
    const identity = req.contextValues.get(callerKey);
    // A stream's messages are not read here: such a call is judged at every project.
    const message = req.stream ? undefined : req.message;
    const call = async () => {
      policy.check(identity, access, message);
      const res = await next(req);
      if (access.filter !== "projects" || !policy.enabled || res.stream) return res;
      const list = isMessage(res.message, ProjectsSchema) ? res.message : create(ProjectsSchema, res.message as MessageInitShape<typeof ProjectsSchema>);
      // A page may come back shorter than its limit; its token still leads to the next page.
      return { ...res, message: { ...list, projects: list.projects.filter((p) => policy.canRead(identity, p.id)) } };
    };
    if (!opts.auditLog || !access.write) return call();
    let outcome = "ok";
    try {
      return await call();
    } catch (e) {
      outcome = outcomeOf(e);
      throw e;
    } finally {
      const scope = scopeOf(access, message);
      log.info("audit", {
        method: `/${req.service.typeName}/${req.method.name}`,
        caller: callerName(identity),
        project: scope.project ?? "",
        domain: scope.domain ?? "",
        outcome,
        request_id: req.contextValues.get(requestIdKey),
      });
    }
  }
}
