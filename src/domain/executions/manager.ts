// Execution rules, as upstream's execution manager: launch from a launch plan or a single task, with
// inputs checked and merged, execution config resolved level by level, inputs offloaded; then read,
// list, archive, terminate, relaunch and recover. The row is committed before the workflow is handed
// to the cluster, so propeller never reports on an execution we do not know; a refused submission
// leaves the execution FAILED with the reason.
import { clone, create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  ExecutionClosureSchema,
  ExecutionMetadataSchema,
  ExecutionMetadata_ExecutionMode as Mode,
  ExecutionSchema,
  ExecutionSpecSchema,
  ExecutionState,
  WorkflowExecutionGetDataResponseSchema,
  type Execution,
  type ExecutionCreateRequest,
  type ExecutionRecoverRequest,
  type ExecutionRelaunchRequest,
  type ExecutionSpec,
  type ExecutionTerminateRequest,
  type ExecutionUpdateRequest,
  type WorkflowExecutionGetDataResponse,
} from "../../gen/flyteidl/admin/execution_pb";
import type { WorkflowExecutionEventRequest } from "../../gen/flyteidl/admin/event_pb";
import { applyWorkflowEvent, checkTransition, validateWorkflowEvent } from "./events";
import { retryStale, terminalStateError } from "../shared/event-rules";
import type { ResourceListRequest } from "../../gen/flyteidl/admin/common_pb";
import { LaunchPlanClosureSchema, LaunchPlanSpecSchema, type LaunchPlanSpec } from "../../gen/flyteidl/admin/launch_plan_pb";
import { WorkflowClosureSchema, type WorkflowClosure } from "../../gen/flyteidl/admin/workflow_pb";
import type { Project } from "../../gen/flyteidl/admin/project_pb";
import { MatchableResource, type PluginOverride } from "../../gen/flyteidl/admin/matchable_resource_pb";
import { ExecutionError_ErrorKind, WorkflowExecution_Phase as Phase } from "../../gen/flyteidl/core/execution_pb";
import { IdentifierSchema, ResourceType, WorkflowExecutionIdentifierSchema, type Identifier, type WorkflowExecutionIdentifier } from "../../gen/flyteidl/core/identifier_pb";
import { LiteralMapSchema, type LiteralMap } from "../../gen/flyteidl/core/literals_pb";
import { AdminError, ErrorCode, alreadyExists, internal, invalidArgument, missingArgument, notFound } from "../../kernel/errors";
import { validateIdentifierFields } from "../../kernel/identifiers";
import { knownEnum, requireId, validateLabels } from "../../kernel/validate";
import { filtersOnState, parseFilters, phaseIn, scopeFilters, stateIs, type Filter } from "../../kernel/lists/filters";
import { nextToken, parseSort, parseToken, requireLimit } from "../../kernel/lists/page";
import { validateLiteralMap, validateNotifications, type TypeRules } from "../launchplans/validate";
import type { LaunchPlanRecord, LaunchPlanStore } from "../../ports/launchplans";
import type { WorkflowRecord, WorkflowStore } from "../../ports/workflows";
import type { TaskStore } from "../../ports/tasks";
import { missingEntity, missingExecution } from "../shared/not-found";
import { executionKeyOf, validateExecutionId } from "../shared/execution-keys";
import type { ProjectManager } from "../projects/manager";
import type { BlobStore } from "../../ports/blob";
import type { ExecutionRecord, ExecutionStore } from "../../ports/executions";
import type { NodeExecutionStore } from "../../ports/nodeexecutions";
import { ConcurrencyLimitBehavior } from "../../gen/flyteidl/admin/launch_plan_pb";
import type { Launcher, ResourceSet } from "../../ports/launcher";
import { checkAndFetchInputs } from "./inputs";
import { checkExecutionName, generateExecutionName } from "./names";
import { resolveAuthRole, resolveExecConfig, type ExecConfigSource } from "./exec-config";
import { readLiteralMap, readOutputs } from "../shared/read-data";
import { applyTaskResourceDefaults } from "./task-resources";
import { applyQueue, pickQueue, type QueueSettings } from "./queues";
import type { SingleTaskLaunchPlans } from "./single-task";
import { CompiledWorkflowClosureSchema, type CompiledWorkflowClosure } from "../../gen/flyteidl/core/compiler_pb";
import { BoundedCache } from "../../kernel/bounded-cache";

/** Matchable attributes as executions read them: the most specific match, or undefined. */
export type AttributeLookup = (
  resource: MatchableResource,
  scope: { project: string; domain?: string; workflow?: string; launchPlan?: string },
) => Promise<import("../../gen/flyteidl/admin/matchable_resource_pb").MatchingAttributes | undefined>;

/** Gives the lookup for one launch (which may read every candidate row once up front). */
export type LaunchAttributes = (scope: { project: string; domain: string; workflow: string; launchPlan: string }) => Promise<AttributeLookup>;

export interface ExecutionSettings {
  namespaceTemplate: string;
  maxSizeInBytes: number;
  inlineEventDataPolicy: "Offload" | "StoreInline";
  metadataPrefix: string;
  defaults: ExecConfigSource;
  taskResources: { defaults: ResourceSet; limits: ResourceSet };
  queues: QueueSettings;
  /** clusterPools.clusterPoolAssignments: domain → pool. */
  clusterPools: Record<string, string>;
}


const terminal = new Set(["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]);
export const isTerminalPhase = (phase: string) => terminal.has(phase);

const nowIso = () => new Date().toISOString();
const versionKey = (id: Identifier) => `${id.project}\u0000${id.domain}\u0000${id.name}\u0000${id.version}`;


export class ExecutionManager {
  constructor(
    private readonly store: ExecutionStore,
    private readonly nodeExecutions: NodeExecutionStore,
    private readonly launchPlans: LaunchPlanStore,
    private readonly workflows: WorkflowStore,
    private readonly tasks: TaskStore,
    private readonly projects: ProjectManager,
    private readonly blobs: BlobStore,
    private readonly types: TypeRules,
    private readonly launcher: Launcher,
    private readonly launchAttributes: LaunchAttributes,
    private readonly skeletons: SingleTaskLaunchPlans,
    private readonly settings: ExecutionSettings,
  ) {}

  private namespaceOf(project: string, domain: string): string {
    return this.settings.namespaceTemplate.replaceAll("{{ project }}", project).replaceAll("{{ domain }}", domain);
  }

  /** Returns the (active) project, whose labels the execution inherits. */
  private async validateCreate(req: ExecutionCreateRequest): Promise<Project> {
    requireId(req.project, "project");
    requireId(req.domain, "domain");
    if (req.name !== "") checkExecutionName(req.name);
    if (req.name.length > 63) throw invalidArgument(`name for ExecutionCreateRequest exceeded allowed length 63`);
    const project = await this.projects.requireActive(req.project, req.domain);
    if (!req.spec) throw missingArgument("spec");
    validateIdentifierFields(req.spec.launchPlan);
    const type = req.spec.launchPlan.resourceType;
    if (type !== ResourceType.LAUNCH_PLAN && type !== ResourceType.TASK) {
      throw invalidArgument(`Invalid reference entity resource type [${ResourceType[type]}], only [LAUNCH_PLAN TASK] allowed`);
    }
    validateLiteralMap(req.inputs, "inputs");
    if (req.spec.notificationOverrides.case === "notifications") validateNotifications(req.spec.notificationOverrides.value.notifications);
    validateLabels(req.spec.labels?.values);
    return project;
  }

  // Workflow closures are immutable (their key holds the version), so parsed ones are kept and shared:
  // callers never mutate them.
  private readonly closures = new BoundedCache<string, WorkflowClosure>(256);
  // The compiled closure as launched: platform task resources and the queue applied, per combination.
  private readonly launchClosures = new BoundedCache<string, CompiledWorkflowClosure>(256);
  // Registered versions never change (a launch plan's state does, and launching does not read it), so the
  // rows a launch reads are kept by identifier; they are only ever read, never modified.
  private readonly launchPlanRows = new BoundedCache<string, LaunchPlanRecord>(256);
  private readonly workflowRows = new BoundedCache<string, WorkflowRecord>(256);

  private readWorkflowClosure(wf: WorkflowRecord): Promise<WorkflowClosure> {
    const uri = wf.remoteClosureIdentifier;
    return this.closures.getOrLoad(uri, async () => {
      const bytes = await this.blobs.read(uri);
      if (!bytes) throw internal(`workflow closure [${uri}] is missing from the blob store`);
      return fromBinary(WorkflowClosureSchema, bytes);
    });
  }

  /** The closure to launch (shared, never mutated): the workflow's, with the platform's task resources and queue. */
  private launchClosure(wf: WorkflowRecord, taskResources: { defaults: ResourceSet; limits: ResourceSet }, queue: string | undefined): Promise<CompiledWorkflowClosure> {
    const key = `${wf.remoteClosureIdentifier}\u0000${JSON.stringify(taskResources)}\u0000${queue ?? ""}`;
    return this.launchClosures.getOrLoad(key, async () => {
      const compiled = (await this.readWorkflowClosure(wf)).compiledWorkflow;
      if (!compiled) throw internal(`workflow [${wf.name}] has no compiled closure`);
      const closure = clone(CompiledWorkflowClosureSchema, compiled);
      applyTaskResourceDefaults(closure, taskResources);
      applyQueue(closure, queue);
      return closure;
    });
  }

  private async execConfig(attributes: AttributeLookup, req: ExecutionCreateRequest, lpSpec: LaunchPlanSpec, workflowName: string) {
    const wec = async (scope: Parameters<AttributeLookup>[1]) => {
      const a = await attributes(MatchableResource.WORKFLOW_EXECUTION_CONFIG, scope);
      return a?.target.case === "workflowExecutionConfig" ? a.target.value : undefined;
    };
    const spec = req.spec as ExecutionSpec;
    const levels: ExecConfigSource[] = [spec, lpSpec];
    const specific = await wec({ project: req.project, domain: req.domain, workflow: workflowName });
    if (specific) levels.push(specific);
    const projectLevel = await wec({ project: req.project });
    if (projectLevel) levels.push(projectLevel);
    return resolveExecConfig(levels, resolveAuthRole(spec, lpSpec), this.settings.defaults);
  }

  /** TASK_RESOURCE attributes for the workflow, else the server's task_resources. */
  private async platformTaskResources(attributes: AttributeLookup, project: string, domain: string, workflow: string): Promise<{ defaults: ResourceSet; limits: ResourceSet }> {
    const a = await attributes(MatchableResource.TASK_RESOURCE, { project, domain, workflow });
    if (a?.target.case !== "taskResourceAttributes") return this.settings.taskResources;
    const set = (s: { cpu: string; memory: string; gpu: string; ephemeralStorage: string } | undefined): ResourceSet => ({
      cpu: s?.cpu ?? "",
      memory: s?.memory ?? "",
      gpu: s?.gpu ?? "",
      ephemeralStorage: s?.ephemeralStorage ?? "",
    });
    return { defaults: set(a.target.value.defaults), limits: set(a.target.value.limits) };
  }

  /** A requested cluster pool must be the one configured for the project/domain, when one is. */
  private async checkClusterPool(attributes: AttributeLookup, req: ExecutionCreateRequest): Promise<void> {
    const wanted = req.spec?.clusterAssignment?.clusterPoolName ?? "";
    if (wanted === "") return;
    const a = await attributes(MatchableResource.CLUSTER_ASSIGNMENT, { project: req.project, domain: req.domain });
    const stored = a?.target.case === "clusterAssignment" ? a.target.value.clusterPoolName : (this.settings.clusterPools[req.domain] ?? "");
    if (stored !== "" && stored !== wanted) {
      throw invalidArgument(
        `execution with project "${req.project}" and domain "${req.domain}" cannot run on cluster pool "${wanted}", because its configured to run on pool "${stored}"`,
      );
    }
  }

  /** EXECUTION_CLUSTER_LABEL attributes (upstream passes the workflow name as the launch plan too). */
  private async clusterLabel(attributes: AttributeLookup, project: string, domain: string, workflow: string): Promise<string | undefined> {
    const a = await attributes(MatchableResource.EXECUTION_CLUSTER_LABEL, { project, domain, workflow, launchPlan: workflow });
    return a?.target.case === "executionClusterLabel" ? a.target.value.value || undefined : undefined;
  }

  private async pluginOverrides(attributes: AttributeLookup, project: string, domain: string, workflow: string, launchPlan: string): Promise<PluginOverride[]> {
    const a = await attributes(MatchableResource.PLUGIN_OVERRIDE, { project, domain, workflow, launchPlan });
    return a?.target.case === "pluginOverrides" ? a.target.value.overrides : [];
  }

  /**
   * A child execution (launched by a launch-plan node) inherits from its parent: the node and execution
   * it came from, the principal, one more level of nesting and the cluster label.
   */
  private async inherit(spec: ExecutionSpec): Promise<{ parentNodeExecutionId: number | null; sourceExecutionId: number | null }> {
    const metadata = spec.metadata;
    const parent = metadata?.parentNodeExecution;
    if (!metadata || !parent) return { parentNodeExecutionId: null, sourceExecutionId: null };
    const exec = parent.executionId;
    if (!exec) throw missingArgument("parent_node_execution.execution_id");
    const node = await this.nodeExecutions.get({ project: exec.project, domain: exec.domain, name: exec.name, nodeId: parent.nodeId });
    if (!node) throw notFound(`missing entity of type node execution with identifier node_id:"${parent.nodeId}"`);
    const source = await this.store.get(executionKeyOf(exec));
    if (!source) throw missingExecution(executionKeyOf(exec));
    metadata.principal = source.user;
    const sourceSpec = fromBinary(ExecutionSpecSchema, source.spec);
    metadata.nesting = (sourceSpec.metadata?.nesting ?? 0) + 1;
    if (sourceSpec.executionClusterLabel) spec.executionClusterLabel = sourceSpec.executionClusterLabel;
    return { parentNodeExecutionId: node.id ?? null, sourceExecutionId: source.id ?? null };
  }

  /** A launch plan's concurrency policy: too many QUEUED/RUNNING executions of it (any version) → skip. */
  private async checkConcurrency(lp: LaunchPlanRecord, policy: NonNullable<LaunchPlanSpec["concurrencyPolicy"]>): Promise<void> {
    const count = await this.store.count({
      filters: [
        ...scopeFilters("execution", { project: lp.project, domain: lp.domain }),
        ...scopeFilters("launch_plan", { name: lp.name }),
        phaseIn("execution", ["QUEUED", "RUNNING"]),
      ],
    });
    if (count < policy.max) return;
    if (policy.behavior === ConcurrencyLimitBehavior.SKIP) {
      throw alreadyExists(`concurrency limit (${policy.max}) reached for launch plan ${lp.name}; skipping execution`);
    }
    if (policy.behavior !== ConcurrencyLimitBehavior.UNSPECIFIED) throw internal(`unsupported concurrency-limit behavior: ${policy.behavior}`);
  }

  /** CreateExecution (and the shared path of relaunch and recover). */
  async create(req: ExecutionCreateRequest, extra: { sourceExecutionId?: number } = {}): Promise<WorkflowExecutionIdentifier> {
    const acceptedAt = new Date();
    // Clients before flyteidl 0.15 sent inputs inside the spec.
    if (!req.inputs || Object.keys(req.inputs.literals).length === 0) req.inputs = req.spec?.inputs;
    const project = await this.validateCreate(req);
    const spec = req.spec as ExecutionSpec;
    const isTask = spec.launchPlan?.resourceType === ResourceType.TASK;
    const lpRecord = isTask ? await this.skeletons.launchPlanFor(spec.launchPlan as Identifier, spec) : await this.launchPlanRows.getOrLoad(versionKey(spec.launchPlan as Identifier), () => this.launchPlans.get(spec.launchPlan as Identifier));
    if (!lpRecord) throw missingEntity("LAUNCH_PLAN", spec.launchPlan as Identifier);
    const lpSpec = fromBinary(LaunchPlanSpecSchema, lpRecord.spec);
    const lpClosure = fromBinary(LaunchPlanClosureSchema, lpRecord.closure);
    const inputs = checkAndFetchInputs(req.inputs, lpSpec.fixedInputs, lpClosure.expectedInputs, this.types);

    const wfId = lpSpec.workflowId;
    const wfRecord = wfId ? await this.workflowRows.getOrLoad(versionKey(wfId), () => this.workflows.get(wfId)) : undefined;
    if (!wfId || !wfRecord) throw missingEntity("WORKFLOW", wfId ?? create(IdentifierSchema));
    const workflowId = create(IdentifierSchema, { resourceType: ResourceType.WORKFLOW, project: wfRecord.project, domain: wfRecord.domain, name: wfRecord.name, version: wfRecord.version });

    const name = req.name || generateExecutionName();
    const id = create(WorkflowExecutionIdentifierSchema, { project: req.project, domain: req.domain, name, org: req.org });
    const base = [this.settings.metadataPrefix, req.project, req.domain, name];
    const inputsUri = this.blobs.uri(...base, "inputs");
    const userInputsUri = this.blobs.uri(...base, "user_inputs");
    await this.readWorkflowClosure(wfRecord); // a missing closure refuses the request before any row exists

    const metadata = (spec.metadata ??= create(ExecutionMetadataSchema));
    const inherited = await this.inherit(spec);

    const attributes = await this.launchAttributes({ project: req.project, domain: req.domain, workflow: wfRecord.name, launchPlan: lpRecord.name });
    const execConfig = await this.execConfig(attributes, req, lpSpec, wfRecord.name);
    await this.checkClusterPool(attributes, req);
    const labels = { ...(execConfig.labels?.values ?? lpSpec.labels?.values ?? {}) };
    const projectLabels = project.labels?.values ?? {};
    for (const [k, v] of Object.entries(projectLabels)) if (!(k in labels)) labels[k] = v;
    const annotations = { ...(execConfig.annotations?.values ?? lpSpec.annotations?.values ?? {}) };
    const namespace = this.namespaceOf(req.project, req.domain);

    let notifications = lpSpec.entityMetadata?.notifications ?? [];
    if (spec.notificationOverrides.case === "notifications" && spec.notificationOverrides.value.notifications.length > 0) {
      notifications = spec.notificationOverrides.value.notifications;
    } else if (spec.notificationOverrides.case === "disableAll" && spec.notificationOverrides.value) notifications = [];
    spec.maxParallelism = execConfig.maxParallelism;
    spec.securityContext = execConfig.securityContext;
    // The cluster is chosen before the row is written, so the row is complete in one write.
    const clusterLabel = spec.executionClusterLabel?.value || undefined;
    const attributeLabel = await this.clusterLabel(attributes, req.project, req.domain, wfRecord.name);
    const plannedCluster = this.launcher.clusterFor({ executionId: id, clusterLabel, attributeLabel }) ?? "";
    metadata.systemMetadata = { $typeName: "flyteidl.admin.SystemMetadata", executionCluster: plannedCluster, namespace };

    const created = timestampFromDate(acceptedAt);
    const closure = create(ExecutionClosureSchema, {
      createdAt: created,
      updatedAt: created,
      notifications,
      workflowId,
      stateChangeDetails: { state: ExecutionState.EXECUTION_ACTIVE, principal: metadata.principal, occurredAt: created },
    });
    const record: ExecutionRecord = {
      project: id.project,
      domain: id.domain,
      name: id.name,
      launchPlanId: isTask ? null : (lpRecord.id ?? null),
      workflowId: wfRecord.id ?? null,
      taskId: isTask ? ((await this.tasks.get(spec.launchPlan as Identifier))?.id ?? null) : null,
      phase: Phase[Phase.UNDEFINED],
      spec: toBinary(ExecutionSpecSchema, spec),
      closure: toBinary(ExecutionClosureSchema, closure),
      startedAt: null,
      executionCreatedAt: acceptedAt.toISOString(),
      executionUpdatedAt: acceptedAt.toISOString(),
      duration: 0,
      abortCause: "",
      mode: metadata.mode,
      sourceExecutionId: extra.sourceExecutionId ?? inherited.sourceExecutionId,
      parentNodeExecutionId: inherited.parentNodeExecutionId,
      cluster: plannedCluster,
      inputsUri,
      userInputsUri,
      errorKind: null,
      errorCode: null,
      user: metadata.principal,
      state: ExecutionState.EXECUTION_ACTIVE,
      launchEntity: isTask ? "task" : "launch_plan",
    };
    if (!isTask && lpSpec.concurrencyPolicy) await this.checkConcurrency(lpRecord, lpSpec.concurrencyPolicy);
    const tags = [
      ...Object.entries(spec.labels?.values ?? {}).map(([key, value]) => ({ key, value })),
      ...spec.tags.map((key) => ({ key, value: "" })),
    ];
    // A taken name is the database's AlreadyExists, message and all, as upstream returns it.
    await this.store.create(record, tags);

    // Committed, so the name is ours: only now write its inputs (a losing duplicate must not overwrite
    // the winner's), then hand it to the cluster. A refusal is recorded on the execution, not lost.
    try {
      await Promise.all([
        this.blobs.write(inputsUri, toBinary(LiteralMapSchema, inputs)),
        this.blobs.write(userInputsUri, toBinary(LiteralMapSchema, req.inputs ?? create(LiteralMapSchema))),
      ]).catch((e: unknown) => {
        throw internal(`failed to offload the execution inputs: ${(e as Error).message}`);
      });
      const taskResources = await this.platformTaskResources(attributes, req.project, req.domain, wfRecord.name);
      const queueAttributes = await attributes(MatchableResource.EXECUTION_QUEUE, { project: req.project, domain: req.domain, workflow: wfRecord.name });
      const tags = queueAttributes?.target.case === "executionQueueAttributes" ? queueAttributes.target.value.tags : undefined;
      const compiled = await this.launchClosure(wfRecord, taskResources, pickQueue(tags, req.domain, this.settings.queues));
      const { cluster } = await this.launcher.launch({
        executionId: id,
        namespace,
        closure: compiled,
        closureUri: wfRecord.remoteClosureIdentifier,
        inputs,
        inputsUri,
        acceptedAt,
        labels,
        annotations,
        executionConfig: execConfig,
        taskResources,
        pluginOverrides: await this.pluginOverrides(attributes, req.project, req.domain, wfRecord.name, lpRecord.name),
        clusterLabel,
        attributeLabel,
        recoveryExecution: metadata.mode === Mode.RECOVERED ? metadata.referenceExecution : undefined,
        workflowName: wfRecord.name,
        launchPlanName: lpRecord.name,
      });
      if (cluster !== plannedCluster) {
        metadata.systemMetadata.executionCluster = cluster;
        await this.store.update(record, { cluster, spec: toBinary(ExecutionSpecSchema, spec) });
      }
    } catch (e) {
      // As upstream records a refused launch: the gRPC code name of an admin error, else "Unknown".
      const message = (e as Error).message;
      const code = e instanceof AdminError ? ErrorCode[e.code] : "Unknown";
      const kind = e instanceof AdminError && e.code === ErrorCode.InvalidArgument ? ExecutionError_ErrorKind.USER : ExecutionError_ErrorKind.SYSTEM;
      closure.phase = Phase.FAILED;
      closure.outputResult = { case: "error", value: { $typeName: "flyteidl.core.ExecutionError", code, message, errorUri: "", kind, timestamp: undefined, worker: "" } };
      closure.updatedAt = timestampFromDate(new Date());
      await this.store.update(record, {
        phase: Phase[Phase.FAILED],
        closure: toBinary(ExecutionClosureSchema, closure),
        errorKind: ExecutionError_ErrorKind[kind],
        errorCode: code,
        executionUpdatedAt: nowIso(),
      });
    }
    return id;
  }

  private async requireRecord(id: WorkflowExecutionIdentifier | undefined): Promise<ExecutionRecord> {
    validateExecutionId(id);
    const r = await this.store.get(executionKeyOf(id));
    if (!r) throw missingExecution(executionKeyOf(id));
    return r;
  }

  /** Relaunch and recover start a new execution from an old one's spec and user inputs. */
  private async again(old: ExecutionRecord, name: string, mode: Mode, overwriteCache?: boolean): Promise<WorkflowExecutionIdentifier> {
    const spec = fromBinary(ExecutionSpecSchema, old.spec);
    const oldId = create(WorkflowExecutionIdentifierSchema, { project: old.project, domain: old.domain, name: old.name });
    const metadata = (spec.metadata ??= create(ExecutionMetadataSchema));
    metadata.mode = mode;
    metadata.referenceExecution = oldId;
    metadata.systemMetadata = undefined;
    if (overwriteCache !== undefined) spec.overwriteCache = overwriteCache;
    const { full: userInputs } = await readLiteralMap(this.blobs, old.userInputsUri);
    return this.create(
      { $typeName: "flyteidl.admin.ExecutionCreateRequest", project: old.project, domain: old.domain, name, spec, inputs: userInputs, org: "" },
      { sourceExecutionId: old.id },
    );
  }

  async relaunch(req: ExecutionRelaunchRequest): Promise<WorkflowExecutionIdentifier> {
    const old = await this.requireRecord(req.id);
    return this.again(old, req.name, Mode.RELAUNCH, req.overwriteCache);
  }

  async recover(req: ExecutionRecoverRequest): Promise<WorkflowExecutionIdentifier> {
    const old = await this.requireRecord(req.id);
    return this.again(old, req.name, Mode.RECOVERED);
  }

  private toExecution(r: ExecutionRecord, trimErrors = false): Execution {
    const spec = fromBinary(ExecutionSpecSchema, r.spec);
    const closure = fromBinary(ExecutionClosureSchema, r.closure);
    if (trimErrors && closure.outputResult.case === "error" && closure.outputResult.value.message.length > 100) {
      closure.outputResult.value.message = Buffer.from(closure.outputResult.value.message).subarray(0, 100).toString();
    }
    closure.stateChangeDetails ??= {
      $typeName: "flyteidl.admin.ExecutionStateChangeDetails",
      state: r.state as ExecutionState,
      principal: r.user,
      occurredAt: timestampFromDate(new Date(r.executionCreatedAt)),
    };
    if (r.phase === "ABORTED" && closure.outputResult.case !== "abortMetadata") {
      closure.outputResult = { case: "abortMetadata", value: { $typeName: "flyteidl.admin.AbortMetadata", cause: r.abortCause, principal: "" } };
    }
    return create(ExecutionSchema, { id: { project: r.project, domain: r.domain, name: r.name }, spec, closure });
  }

  async get(id: WorkflowExecutionIdentifier | undefined): Promise<Execution> {
    return this.toExecution(await this.requireRecord(id));
  }

  async update(req: ExecutionUpdateRequest): Promise<void> {
    knownEnum(ExecutionState, req.state, "state");
    const r = await this.requireRecord(req.id);
    const closure = fromBinary(ExecutionClosureSchema, r.closure);
    closure.stateChangeDetails = { $typeName: "flyteidl.admin.ExecutionStateChangeDetails", state: req.state, principal: "", occurredAt: timestampFromDate(new Date()) };
    await this.store.update(r, { state: req.state, closure: toBinary(ExecutionClosureSchema, closure) });
  }

  async list(req: ResourceListRequest): Promise<{ executions: Execution[]; token: string }> {
    if (!req.id) throw missingArgument("id");
    requireId(req.id.project, "project");
    requireId(req.id.domain, "domain");
    requireLimit(req.limit);
    const filters: Filter[] = scopeFilters("execution", { project: req.id.project, domain: req.id.domain, name: req.id.name || undefined });
    const parsed = parseFilters(req.filters, "execution", ["execution", "launch_plan", "workflow", "task", "admin_tag", "execution_tag"]);
    filters.push(...parsed);
    // Archived executions stay hidden unless the request asks about state itself.
    if (!filtersOnState(parsed)) filters.push(stateIs("execution", ExecutionState.EXECUTION_ACTIVE));
    const order = parseSort(req.sortBy, "execution");
    const offset = parseToken(req.token, "ListExecutions");
    const rows = await this.store.list({ filters, order, limit: req.limit, offset });
    const executions = rows.map((r) => {
      const e = this.toExecution(r, true);
      if (e.spec) e.spec.inputs = undefined;
      if (e.closure) e.closure.computedInputs = undefined;
      return e;
    });
    return { executions, token: nextToken(offset, rows.length, req.limit) };
  }

  async getData(id: WorkflowExecutionIdentifier | undefined): Promise<WorkflowExecutionGetDataResponse> {
    const r = await this.requireRecord(id);
    const closure = fromBinary(ExecutionClosureSchema, r.closure);
    const result = closure.outputResult;
    const blob = result.case === "outputs" ? result.value.data : undefined;
    const outputUri = blob?.case === "uri" ? blob.value : "";
    const inline: LiteralMap | undefined = result.case === "outputData" ? result.value : blob?.case === "values" ? blob.value : undefined;
    const [inputs, outputs] = await Promise.all([readLiteralMap(this.blobs, r.inputsUri), readOutputs(this.blobs, outputUri, inline, this.settings.maxSizeInBytes)]);
    return create(WorkflowExecutionGetDataResponseSchema, { inputs: inputs.blob, outputs: outputs.blob, fullInputs: inputs.full, fullOutputs: outputs.full });
  }

  /** CreateWorkflowEvent from propeller. */
  async createWorkflowEvent(req: WorkflowExecutionEventRequest): Promise<void> {
    validateWorkflowEvent(req, this.settings.maxSizeInBytes);
    const event = req.event;
    const r = await this.requireRecord(event.executionId);
    checkTransition(r, event);
    const patch = await applyWorkflowEvent(r, event, this.blobs, {
      maxSizeInBytes: this.settings.maxSizeInBytes,
      inlineEventDataPolicy: this.settings.inlineEventDataPolicy,
      metadataPrefix: this.settings.metadataPrefix,
    });
    await this.store.update(r, patch);
    await this.store.recordEvent(r, { phase: Phase[event.phase], requestId: req.requestId, occurredAt: patch.executionUpdatedAt ?? nowIso() });
  }

  async terminate(req: ExecutionTerminateRequest): Promise<void> {
    // Conditional on the state read, so a terminal event that lands meanwhile is not overwritten with
    // ABORTING: the retry then sees the terminal phase and refuses, as it would one call later.
    const r = await retryStale(async () => {
      const r = await this.requireRecord(req.id);
      if (isTerminalPhase(r.phase)) {
        throw terminalStateError("Cannot abort an already terminated workflow execution", r.phase);
      }
      const closure = fromBinary(ExecutionClosureSchema, r.closure);
      closure.outputResult = { case: "abortMetadata", value: { $typeName: "flyteidl.admin.AbortMetadata", cause: req.cause, principal: "" } };
      closure.phase = Phase.ABORTING;
      const readFrom = { phase: r.phase, cluster: r.cluster, closure: r.closure };
      await this.store.update(r, { phase: Phase[Phase.ABORTING], abortCause: req.cause, closure: toBinary(ExecutionClosureSchema, closure), readFrom });
      return r;
    });
    await this.launcher.abort({ cluster: r.cluster, namespace: this.namespaceOf(r.project, r.domain), executionName: r.name });
  }
}
