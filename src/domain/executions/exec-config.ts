// The execution config an execution runs with, resolved as upstream does: the request, then the launch
// plan, then the most specific WORKFLOW_EXECUTION_CONFIG attributes, then project-level ones, then the
// deprecated auth-role fields, then the server's defaults. Each level only fills what is still unset.
import { create } from "@bufbuild/protobuf";
import { WorkflowExecutionConfigSchema, type WorkflowExecutionConfig } from "../../gen/flyteidl/admin/matchable_resource_pb";
import { SecurityContextSchema, type SecurityContext } from "../../gen/flyteidl/core/security_pb";
import type { Labels, Annotations, Envs, RawOutputDataConfig, AuthRole } from "../../gen/flyteidl/admin/common_pb";
import type { ExecutionSpec } from "../../gen/flyteidl/admin/execution_pb";
import type { LaunchPlanSpec } from "../../gen/flyteidl/admin/launch_plan_pb";

/** What every level offers (request spec, launch plan spec, matchable attributes, server defaults). */
export interface ExecConfigSource {
  maxParallelism?: number;
  securityContext?: SecurityContext;
  rawOutputDataConfig?: RawOutputDataConfig;
  labels?: Labels;
  annotations?: Annotations;
  interruptible?: boolean;
  overwriteCache?: boolean;
  envs?: Envs;
}

const hasIdentity = (s: SecurityContext | undefined) =>
  !!s?.runAs && (s.runAs.k8sServiceAccount !== "" || s.runAs.iamRole !== "" || s.runAs.executionIdentity !== "");

/** Fills unset parts of `into` from `from` (upstream's MergeIntoExecConfig). */
export function mergeExecConfig(into: WorkflowExecutionConfig, from: ExecConfigSource): WorkflowExecutionConfig {
  if (into.maxParallelism === 0 && (from.maxParallelism ?? 0) > 0) into.maxParallelism = from.maxParallelism ?? 0;
  if (!into.securityContext && hasIdentity(from.securityContext)) into.securityContext = from.securityContext;
  if (!into.rawOutputDataConfig?.outputLocationPrefix && from.rawOutputDataConfig?.outputLocationPrefix) into.rawOutputDataConfig = from.rawOutputDataConfig;
  if (Object.keys(into.labels?.values ?? {}).length === 0 && Object.keys(from.labels?.values ?? {}).length > 0) into.labels = from.labels;
  if (Object.keys(into.annotations?.values ?? {}).length === 0 && Object.keys(from.annotations?.values ?? {}).length > 0) into.annotations = from.annotations;
  if (into.interruptible === undefined && from.interruptible !== undefined) into.interruptible = from.interruptible;
  if (!into.overwriteCache && from.overwriteCache) into.overwriteCache = true;
  if (Object.keys(into.envs?.values ?? {}).length === 0 && Object.keys(from.envs?.values ?? {}).length > 0) into.envs = from.envs;
  return into;
}

/** The deprecated role fields, request first, then the launch plan's (auth_role, auth, role). */
export function resolveAuthRole(spec: ExecutionSpec | undefined, lp: LaunchPlanSpec | undefined): { iamRole: string; serviceAccount: string } {
  const fromRole = (r: AuthRole) => ({ iamRole: r.assumableIamRole, serviceAccount: r.kubernetesServiceAccount });
  if (spec?.authRole) return fromRole(spec.authRole);
  if (!lp) return { iamRole: "", serviceAccount: "" };
  if (lp.authRole) return fromRole(lp.authRole);
  if (lp.auth) return { iamRole: lp.auth.assumableIamRole, serviceAccount: lp.auth.kubernetesServiceAccount };
  if (lp.role) return { iamRole: lp.role, serviceAccount: "" };
  return { iamRole: "", serviceAccount: "" };
}

export function resolveExecConfig(
  levels: ExecConfigSource[],
  authRole: { iamRole: string; serviceAccount: string },
  defaults: ExecConfigSource,
): WorkflowExecutionConfig {
  const cfg = create(WorkflowExecutionConfigSchema);
  for (const level of levels) mergeExecConfig(cfg, level);
  if (!cfg.securityContext && (authRole.iamRole || authRole.serviceAccount)) {
    cfg.securityContext = create(SecurityContextSchema, { runAs: { iamRole: authRole.iamRole, k8sServiceAccount: authRole.serviceAccount } });
  }
  mergeExecConfig(cfg, defaults);
  // Downstream code expects a security context with a run-as identity, even an empty one.
  cfg.securityContext ??= create(SecurityContextSchema, { runAs: {} });
  cfg.securityContext.runAs ??= create(SecurityContextSchema, { runAs: {} }).runAs;
  return cfg;
}
