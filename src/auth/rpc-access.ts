// Every RPC the server answers, classified once: what the caller needs (nothing, a token, or a role),
// which project and domain the request is about, and whether it writes (for the audit log). The edge's
// authorize interceptor reads this table; a method missing from it needs admin on every project.
import { type DescMethod, type DescService, isMessage, type MessageShape } from "@bufbuild/protobuf";
import type { RoleBindingConfig } from "../config/schema";
import { AdminService } from "../gen/flyteidl/service/admin_pb";
import { AuthMetadataService } from "../gen/flyteidl/service/auth_pb";
import { DataProxyService } from "../gen/flyteidl/service/dataproxy_pb";
import { IdentityService } from "../gen/flyteidl/service/identity_pb";
import { SignalService } from "../gen/flyteidl/service/signal_pb";
import { Health } from "../gen/grpc/health/v1/health_pb";
import { ServerReflection as ReflectionV1 } from "../gen/grpc/reflection/v1/reflection_pb";
import { ServerReflection as ReflectionV1Alpha } from "../gen/grpc/reflection/v1alpha/reflection_pb";

export type Role = RoleBindingConfig["role"];
/** `open`: no identity at all; `authenticated`: any valid token; a role: that role (or a higher one) where the call lands. */
export type Need = "open" | "authenticated" | Role;

/** Where a call lands. An absent project is every project; an absent domain is the whole project (a project-level call). */
export interface Scope {
  project?: string;
  domain?: string;
}

/** A role the call needs somewhere else besides its own scope. */
export interface Requirement {
  role: Role;
  scope: Scope;
}

export interface MethodAccess {
  readonly need: Need;
  /** Changes state: one audit line per call. */
  readonly write: boolean;
  /** The request's project and domain; without it (or for a stream) the call is judged at every project. */
  readonly scope?: (request: unknown) => Scope;
  /** More roles the request needs elsewhere (CreateExecution: viewer where its launch plan lives). */
  readonly also?: (request: unknown) => Requirement[];
  /** The response is a project list to be cut down to the projects the caller can read. */
  readonly filter?: "projects";
}

export interface AccessInit<M extends DescMethod> {
  write?: boolean;
  scope?: (request: MessageShape<M["input"]>) => Scope;
  also?: (request: MessageShape<M["input"]>) => Requirement[];
  filter?: "projects";
}

/** "/<service type name>/<method name>", the key of the table (and the gRPC path). */
export const methodPath = (service: string, method: string) => `/${service}/${method}`;

/**
 * A table entry for `method`, its extractors typed by the method's request. A message of another type
 * (never expected) gives no scope, so it is judged at every project.
 */
export function access<M extends DescMethod>(method: M, need: Need, init: AccessInit<M> = {}): [string, MethodAccess] {
  const { scope, also } = init;
  return [
    methodPath(method.parent.typeName, method.name),
    {
      need,
      write: init.write ?? false,
      scope: scope && ((r: unknown) => (isMessage<M["input"]>(r, method.input) ? scope(r) : {})),
      also: also && ((r: unknown) => (isMessage<M["input"]>(r, method.input) ? also(r) : [])),
      filter: init.filter,
    },
  ];
}

/** The call's scope with empty fields dropped: an empty project (or a stream, `request` undefined) is every project. */
export function scopeOf(entry: MethodAccess, request: unknown): Scope {
  return !entry.scope || request === undefined ? {} : cleanScope(entry.scope(request));
}

/** A scope without its empty fields. */
export const cleanScope = ({ project, domain }: Scope): Scope => ({ ...(project && { project }), ...(domain && { domain }) });

/** Anything with a project and maybe a domain: every identifier kind, the attribute messages, list requests. */
interface Located {
  project: string;
  domain?: string;
}
const at = (x: Located | undefined): Scope => ({ project: x?.project, domain: x?.domain });
const projectOnly = (project: string | undefined): Scope => ({ project });

// Same segments as the data proxy's parser (flyte://v1/<project>/<domain>/…); where it would fail, so does this.
const flyteUrlPrefix = /^flyte:\/\/v1\/([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_-]+)\//;
const flyteUrlScope = (url: string): Scope => {
  const m = flyteUrlPrefix.exec(url);
  return m ? { project: m[1], domain: m[2] } : {};
};

const A = AdminService.method;
const S = SignalService.method;
const D = DataProxyService.method;
const write = true;

// Project-level calls (no domain): a read needs the role in some domain of the project, a write in every one.
// Calls judged at every project, as their request names none: ListMatchableAttributes, CreateDownloadLocation
// (a bare blob URL), and any request whose project field is empty.
const builtIn: [string, MethodAccess][] = [
  // Tasks, workflows, launch plans.
  access(A.createTask, "editor", { write, scope: (r) => at(r.id) }),
  access(A.getTask, "viewer", { scope: (r) => at(r.id) }),
  access(A.listTaskIds, "viewer", { scope: (r) => at(r) }),
  access(A.listTasks, "viewer", { scope: (r) => at(r.id) }),
  access(A.createWorkflow, "editor", { write, scope: (r) => at(r.id) }),
  access(A.getWorkflow, "viewer", { scope: (r) => at(r.id) }),
  access(A.listWorkflowIds, "viewer", { scope: (r) => at(r) }),
  access(A.listWorkflows, "viewer", { scope: (r) => at(r.id) }),
  access(A.createLaunchPlan, "editor", { write, scope: (r) => at(r.id) }),
  access(A.getLaunchPlan, "viewer", { scope: (r) => at(r.id) }),
  access(A.getActiveLaunchPlan, "viewer", { scope: (r) => at(r.id) }),
  access(A.listActiveLaunchPlans, "viewer", { scope: (r) => at(r) }),
  access(A.listLaunchPlanIds, "viewer", { scope: (r) => at(r) }),
  access(A.listLaunchPlans, "viewer", { scope: (r) => at(r.id) }),
  // Activation and deactivation.
  access(A.updateLaunchPlan, "editor", { write, scope: (r) => at(r.id) }),
  // Executions. A launch plan (or task) may live in another project; launching it reads it there.
  access(A.createExecution, "editor", {
    write,
    scope: (r) => at(r),
    also: (r) => (r.spec?.launchPlan ? [{ role: "viewer", scope: at(r.spec.launchPlan) }] : []),
  }),
  // Relaunch and recover create the new execution beside the one they name.
  access(A.relaunchExecution, "editor", { write, scope: (r) => at(r.id) }),
  access(A.recoverExecution, "editor", { write, scope: (r) => at(r.id) }),
  access(A.getExecution, "viewer", { scope: (r) => at(r.id) }),
  access(A.updateExecution, "editor", { write, scope: (r) => at(r.id) }),
  access(A.getExecutionData, "viewer", { scope: (r) => at(r.id) }),
  access(A.listExecutions, "viewer", { scope: (r) => at(r.id) }),
  access(A.terminateExecution, "editor", { write, scope: (r) => at(r.id) }),
  access(A.getExecutionMetrics, "viewer", { scope: (r) => at(r.id) }),
  // Node and task executions live in their workflow execution's project, whatever project the task came from.
  access(A.getNodeExecution, "viewer", { scope: (r) => at(r.id?.executionId) }),
  access(A.getDynamicNodeWorkflow, "viewer", { scope: (r) => at(r.id?.executionId) }),
  access(A.listNodeExecutions, "viewer", { scope: (r) => at(r.workflowExecutionId) }),
  access(A.listNodeExecutionsForTask, "viewer", { scope: (r) => at(r.taskExecutionId?.nodeExecutionId?.executionId) }),
  access(A.getNodeExecutionData, "viewer", { scope: (r) => at(r.id?.executionId) }),
  access(A.getTaskExecution, "viewer", { scope: (r) => at(r.id?.nodeExecutionId?.executionId) }),
  access(A.listTaskExecutions, "viewer", { scope: (r) => at(r.nodeExecutionId?.executionId) }),
  access(A.getTaskExecutionData, "viewer", { scope: (r) => at(r.id?.nodeExecutionId?.executionId) }),
  // Events, as propeller sends them: the execution the event is about.
  access(A.createWorkflowEvent, "editor", { write, scope: (r) => at(r.event?.executionId) }),
  access(A.createNodeEvent, "editor", { write, scope: (r) => at(r.event?.id?.executionId) }),
  access(A.createTaskEvent, "editor", { write, scope: (r) => at(r.event?.parentNodeExecutionId?.executionId) }),
  // Projects. ListProjects answers only the projects the caller can read.
  access(A.registerProject, "admin", { write, scope: (r) => projectOnly(r.project?.id) }),
  access(A.updateProject, "admin", { write, scope: (r) => projectOnly(r.id) }),
  access(A.getProject, "viewer", { scope: (r) => projectOnly(r.id) }),
  access(A.listProjects, "authenticated", { filter: "projects" }),
  access(A.getDomains, "authenticated"),
  // Matchable attributes: changing them is an admin's, reading them a viewer's.
  access(A.updateProjectDomainAttributes, "admin", { write, scope: (r) => at(r.attributes) }),
  access(A.getProjectDomainAttributes, "viewer", { scope: (r) => at(r) }),
  access(A.deleteProjectDomainAttributes, "admin", { write, scope: (r) => at(r) }),
  access(A.updateProjectAttributes, "admin", { write, scope: (r) => projectOnly(r.attributes?.project) }),
  access(A.getProjectAttributes, "viewer", { scope: (r) => projectOnly(r.project) }),
  access(A.deleteProjectAttributes, "admin", { write, scope: (r) => projectOnly(r.project) }),
  access(A.updateWorkflowAttributes, "admin", { write, scope: (r) => at(r.attributes) }),
  access(A.getWorkflowAttributes, "viewer", { scope: (r) => at(r) }),
  access(A.deleteWorkflowAttributes, "admin", { write, scope: (r) => at(r) }),
  // Names no project: every project's attributes of one kind.
  access(A.listMatchableAttributes, "viewer"),
  // Named entities and descriptions.
  access(A.listNamedEntities, "viewer", { scope: (r) => at(r) }),
  access(A.getNamedEntity, "viewer", { scope: (r) => at(r.id) }),
  access(A.updateNamedEntity, "editor", { write, scope: (r) => at(r.id) }),
  access(A.getDescriptionEntity, "viewer", { scope: (r) => at(r.id) }),
  access(A.listDescriptionEntities, "viewer", { scope: (r) => at(r.id) }),
  access(A.getVersion, "authenticated"),
  // Signals: propeller creates them, a user (or gate) sets them.
  access(S.getOrCreateSignal, "editor", { write, scope: (r) => at(r.id?.executionId) }),
  access(S.listSignals, "viewer", { scope: (r) => at(r.workflowExecutionId) }),
  access(S.setSignal, "editor", { write, scope: (r) => at(r.id?.executionId) }),
  // Data proxy.
  access(D.createUploadLocation, "editor", { write, scope: (r) => at(r) }),
  // A bare blob URL names no project: every project.
  access(D.createDownloadLocation, "viewer"),
  access(D.createDownloadLink, "viewer", { scope: (r) => (r.source.case === "nodeExecutionId" ? at(r.source.value.executionId) : {}) }),
  access(D.getData, "viewer", { scope: (r) => flyteUrlScope(r.flyteUrl) }),
  access(IdentityService.method.userInfo, "authenticated"),
  // How to get a token: before there is one.
  ...serviceAccess(AuthMetadataService, "open"),
  ...serviceAccess(Health, "authenticated"),
  // Reflection describes the API, not its data: any authenticated caller (with auth on it needs a token,
  // as every call but AuthMetadataService does).
  ...serviceAccess(ReflectionV1, "authenticated"),
  ...serviceAccess(ReflectionV1Alpha, "authenticated"),
];

/** One entry for every method of `service`, all with the same need (reads, no scope). */
export function serviceAccess(service: DescService, need: Need): [string, MethodAccess][] {
  return service.methods.map((m) => access(m, need));
}

/** What a method we do not know needs: a plugin's service is admin-only until its methods are classified. */
export const unknownMethodAccess: MethodAccess = { need: "admin", write: true };

/** The classification the server uses: the built-in table, plus entries for services plugins add. */
export class AccessTable {
  private readonly entries: Map<string, MethodAccess>;

  constructor(extra: Iterable<[string, MethodAccess]> = []) {
    this.entries = new Map(builtIn);
    for (const [path, entry] of extra) this.set(path, entry);
  }

  /** The entry for a call; unknown methods get `unknownMethodAccess`. */
  get(service: string, method: string): MethodAccess {
    return this.entries.get(methodPath(service, method)) ?? unknownMethodAccess;
  }

  has(service: string, method: string): boolean {
    return this.entries.has(methodPath(service, method));
  }

  /** Classifies one method (from `access(...)`); replaces what was there. */
  set(path: string, entry: MethodAccess): this {
    this.entries.set(path, entry);
    return this;
  }

  /** Opens every method of a plugin's service to `need` (default: anyone, no identity needed). */
  openService(service: DescService, need: Need = "open"): this {
    for (const [path, entry] of serviceAccess(service, need)) this.set(path, entry);
    return this;
  }

  paths(): IterableIterator<string> {
    return this.entries.keys();
  }
}
