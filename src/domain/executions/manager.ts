// Execution rules, as upstream's execution manager: launch from a launch plan or a single task, with
// inputs checked and merged, execution config resolved level by level, inputs offloaded; then read,
// list, archive, terminate, relaunch and recover. The row is committed before the workflow is handed
// to the cluster, so propeller never reports on an execution we do not know; a refused submission
// leaves the execution FAILED with the reason. Each step of a launch is its own module (below).
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  ExecutionClosureSchema,
  ExecutionMetadataSchema,
  ExecutionMetadata_ExecutionMode as Mode,
  ExecutionState,
  WorkflowExecutionGetDataResponseSchema,
  type Execution,
  type ExecutionCreateRequest,
  type ExecutionRecoverRequest,
  type ExecutionRelaunchRequest,
  type ExecutionTerminateRequest,
  type ExecutionUpdateRequest,
  type WorkflowExecutionGetDataResponse,
} from "../../gen/flyteidl/admin/execution_pb";
import type { WorkflowExecutionEventRequest } from "../../gen/flyteidl/admin/event_pb";
import type { ResourceListRequest } from "../../gen/flyteidl/admin/common_pb";
import { WorkflowExecution_Phase as Phase } from "../../gen/flyteidl/core/execution_pb";
import { WorkflowExecutionIdentifierSchema, type Identifier, type WorkflowExecutionIdentifier } from "../../gen/flyteidl/core/identifier_pb";
import { LiteralMapSchema, type LiteralMap } from "../../gen/flyteidl/core/literals_pb";
import { missingArgument } from "../../kernel/errors";
import { knownEnum, requireId } from "../../kernel/validate";
import { filtersOnState, parseFilters, scopeFilters, stateIs, type Filter } from "../../kernel/lists/filters";
import { nextToken, parseSort, parseToken, requireLimit } from "../../kernel/lists/page";
import type { TypeRules } from "../launchplans/validate";
import type { ProjectManager } from "../projects/manager";
import type { BlobStore } from "../../ports/blob";
import type { ExecutionRecord, ExecutionStore } from "../../ports/executions";
import type { LaunchPlanStore } from "../../ports/launchplans";
import type { Launcher } from "../../ports/launcher";
import type { NodeExecutionStore } from "../../ports/nodeexecutions";
import type { TaskStore } from "../../ports/tasks";
import type { WorkflowStore } from "../../ports/workflows";
import { retryStale, terminalStateError } from "../shared/event-rules";
import { executionKeyOf, validateExecutionId } from "../shared/execution-keys";
import { missingExecution } from "../shared/not-found";
import { readLiteralMap, readOutputs } from "../shared/read-data";
import { applyWorkflowEvent, checkTransition, validateWorkflowEvent } from "./events";
import { validateCreateRequest } from "./create-request";
import { LaunchTargets } from "./launch-target";
import { WorkflowClosures } from "./workflow-closures";
import { inheritFromParent } from "./parent-execution";
import { checkClusterPool, clusterLabelFor, executionConfigFor, type LaunchAttributes } from "./launch-attributes";
import { executionRow, executionTags, inputUris, settleSpec, type NewExecution } from "./execution-record";
import { checkConcurrency } from "./concurrency";
import { submitExecution } from "./submit";
import { rerunRequest } from "./rerun";
import { toExecution } from "./execution-message";
import { generateExecutionName } from "./names";
import { namespaceFor, type ExecutionSettings } from "./settings";
import type { SingleTaskLaunchPlans } from "./single-task";

// The composition root imports these from here.
export type { ExecutionSettings } from "./settings";
export type { AttributeLookup, LaunchAttributes } from "./launch-attributes";

/** What the execution manager works with, by name. */
export interface ExecutionManagerDeps {
  executions: ExecutionStore;
  nodeExecutions: NodeExecutionStore;
  launchPlans: LaunchPlanStore;
  workflows: WorkflowStore;
  tasks: TaskStore;
  projects: ProjectManager;
  blobs: BlobStore;
  types: TypeRules;
  launcher: Launcher;
  launchAttributes: LaunchAttributes;
  singleTaskLaunchPlans: SingleTaskLaunchPlans;
  settings: ExecutionSettings;
}

const terminal = new Set(["SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]);
export const isTerminalPhase = (phase: string) => terminal.has(phase);

const nowIso = () => new Date().toISOString();

export class ExecutionManager {
  private readonly closures: WorkflowClosures;
  private readonly targets: LaunchTargets;

  constructor(private readonly deps: ExecutionManagerDeps) {
    this.closures = new WorkflowClosures(deps.blobs);
    this.targets = new LaunchTargets(deps);
  }

  private namespaceOf(project: string, domain: string): string {
    return namespaceFor(this.deps.settings.namespaceTemplate, project, domain);
  }

  /**
   * CreateExecution (and the shared path of relaunch and recover, which name the execution they rerun).
   * `principal`: the authenticated caller's user id, which replaces the request's (undefined: auth is off).
   */
  async create(req: ExecutionCreateRequest, rerunOf: { sourceExecutionId?: number } = {}, principal?: string): Promise<WorkflowExecutionIdentifier> {
    const { deps } = this;
    const acceptedAt = new Date();
    const { project, spec } = await validateCreateRequest(req, deps.projects);
    const target = await this.targets.resolve(spec, req.inputs);
    const id = create(WorkflowExecutionIdentifierSchema, { project: req.project, domain: req.domain, name: req.name || generateExecutionName(), org: req.org });
    const { inputsUri, userInputsUri } = inputUris(deps.blobs, deps.settings.metadataPrefix, id);
    await this.closures.read(target.workflow); // a missing closure refuses the request before any row exists

    const metadata = (spec.metadata ??= create(ExecutionMetadataSchema));
    if (principal !== undefined) metadata.principal = principal;
    const inherited = await inheritFromParent(spec, deps);
    const scope = { project: req.project, domain: req.domain, workflow: target.workflow.name };
    const attributes = await deps.launchAttributes({ ...scope, launchPlan: target.launchPlan.name });
    const executionConfig = await executionConfigFor(attributes, spec, target.launchPlanSpec, scope, deps.settings.defaults);
    await checkClusterPool(attributes, req, deps.settings.clusterPools);
    // The caller runs as themselves unless the config names an execution identity (upstream's ExecutionIdentity).
    const runAs = executionConfig.securityContext?.runAs;
    if (principal && runAs && !runAs.executionIdentity) runAs.executionIdentity = principal;
    // The cluster is chosen before the row is written, so the row is complete in one write.
    const clusterLabel = spec.executionClusterLabel?.value || undefined;
    const attributeLabel = await clusterLabelFor(attributes, scope);
    const cluster = deps.launcher.clusterFor({ executionId: id, clusterLabel, attributeLabel }) ?? "";
    const namespace = this.namespaceOf(req.project, req.domain);
    settleSpec(spec, metadata, executionConfig, cluster, namespace);

    const taskId = target.isTask ? ((await deps.tasks.get(spec.launchPlan as Identifier))?.id ?? null) : null;
    const lineage = { parentNodeExecutionId: inherited.parentNodeExecutionId, sourceExecutionId: rerunOf.sourceExecutionId ?? inherited.sourceExecutionId };
    const execution: NewExecution = { id, acceptedAt, spec, metadata, target, taskId, lineage, cluster, inputsUri, userInputsUri };
    const { record, closure } = executionRow(execution);
    const policy = target.launchPlanSpec.concurrencyPolicy;
    if (!target.isTask && policy) await checkConcurrency(deps.executions, target.launchPlan, policy);
    // A taken name is the database's AlreadyExists, message and all, as upstream returns it.
    await deps.executions.create(record, executionTags(spec));

    await submitExecution(
      { ...deps, closures: this.closures },
      {
        execution,
        record,
        closure,
        userInputs: req.inputs ?? create(LiteralMapSchema),
        namespace,
        attributes,
        executionConfig,
        labels: launchLabels(executionConfig.labels?.values, target.launchPlanSpec.labels?.values, project.labels?.values),
        annotations: { ...(executionConfig.annotations?.values ?? target.launchPlanSpec.annotations?.values ?? {}) },
        clusterLabel,
        attributeLabel,
      },
    );
    return id;
  }

  private async requireRecord(id: WorkflowExecutionIdentifier | undefined): Promise<ExecutionRecord> {
    validateExecutionId(id);
    const r = await this.deps.executions.get(executionKeyOf(id));
    if (!r) throw missingExecution(executionKeyOf(id));
    return r;
  }

  async relaunch(req: ExecutionRelaunchRequest, principal?: string): Promise<WorkflowExecutionIdentifier> {
    const old = await this.requireRecord(req.id);
    return this.create(await rerunRequest(old, req.name, Mode.RELAUNCH, this.deps.blobs, req.overwriteCache), { sourceExecutionId: old.id }, principal);
  }

  async recover(req: ExecutionRecoverRequest, principal?: string): Promise<WorkflowExecutionIdentifier> {
    const old = await this.requireRecord(req.id);
    return this.create(await rerunRequest(old, req.name, Mode.RECOVERED, this.deps.blobs), { sourceExecutionId: old.id }, principal);
  }

  async get(id: WorkflowExecutionIdentifier | undefined): Promise<Execution> {
    return toExecution(await this.requireRecord(id));
  }

  /** `principal`: who changed the state (the caller's user id; "" without auth). */
  async update(req: ExecutionUpdateRequest, principal = ""): Promise<void> {
    knownEnum(ExecutionState, req.state, "state");
    const r = await this.requireRecord(req.id);
    const closure = fromBinary(ExecutionClosureSchema, r.closure);
    closure.stateChangeDetails = {
      $typeName: "flyteidl.admin.ExecutionStateChangeDetails",
      state: req.state,
      principal,
      occurredAt: timestampFromDate(new Date()),
    };
    await this.deps.executions.update(r, { state: req.state, closure: toBinary(ExecutionClosureSchema, closure) });
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
    const rows = await this.deps.executions.list({ filters, order, limit: req.limit, offset });
    const executions = rows.map((r) => {
      const e = toExecution(r, true);
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
    const { blobs, settings } = this.deps;
    const [inputs, outputs] = await Promise.all([readLiteralMap(blobs, r.inputsUri), readOutputs(blobs, outputUri, inline, settings.maxSizeInBytes)]);
    return create(WorkflowExecutionGetDataResponseSchema, { inputs: inputs.blob, outputs: outputs.blob, fullInputs: inputs.full, fullOutputs: outputs.full });
  }

  /** CreateWorkflowEvent from propeller. */
  async createWorkflowEvent(req: WorkflowExecutionEventRequest): Promise<void> {
    const { settings } = this.deps;
    validateWorkflowEvent(req, settings.maxSizeInBytes);
    const event = req.event;
    const r = await this.requireRecord(event.executionId);
    checkTransition(r, event);
    const patch = await applyWorkflowEvent(r, event, this.deps.blobs, {
      maxSizeInBytes: settings.maxSizeInBytes,
      inlineEventDataPolicy: settings.inlineEventDataPolicy,
      metadataPrefix: settings.metadataPrefix,
    });
    await this.deps.executions.update(r, patch);
    await this.deps.executions.recordEvent(r, { phase: Phase[event.phase], requestId: req.requestId, occurredAt: patch.executionUpdatedAt ?? nowIso() });
  }

  /** `principal`: who aborted it (the caller's user id; "" without auth). */
  async terminate(req: ExecutionTerminateRequest, principal = ""): Promise<void> {
    // Conditional on the state read, so a terminal event that lands meanwhile is not overwritten with
    // ABORTING: the retry then sees the terminal phase and refuses, as it would one call later.
    const r = await retryStale(async () => {
      const r = await this.requireRecord(req.id);
      if (isTerminalPhase(r.phase)) {
        throw terminalStateError("Cannot abort an already terminated workflow execution", r.phase);
      }
      const closure = fromBinary(ExecutionClosureSchema, r.closure);
      closure.outputResult = { case: "abortMetadata", value: { $typeName: "flyteidl.admin.AbortMetadata", cause: req.cause, principal } };
      closure.phase = Phase.ABORTING;
      const readFrom = { phase: r.phase, cluster: r.cluster, closure: r.closure };
      await this.deps.executions.update(r, {
        phase: Phase[Phase.ABORTING],
        abortCause: req.cause,
        closure: toBinary(ExecutionClosureSchema, closure),
        readFrom,
      });
      return r;
    });
    await this.deps.launcher.abort({ cluster: r.cluster, namespace: this.namespaceOf(r.project, r.domain), executionName: r.name });
  }
}

/** The execution config's labels, else the launch plan's, then the project's for keys neither sets. */
function launchLabels(
  fromConfig: Record<string, string> | undefined,
  fromLaunchPlan: Record<string, string> | undefined,
  fromProject: Record<string, string> | undefined,
): Record<string, string> {
  const labels = { ...(fromConfig ?? fromLaunchPlan ?? {}) };
  for (const [k, v] of Object.entries(fromProject ?? {})) if (!(k in labels)) labels[k] = v;
  return labels;
}
