// Node execution rules, as upstream's node execution manager: rows are created and updated from
// propeller's node events (a repeated phase is AlreadyExists, nothing leaves a terminal phase; of racing
// events the first write wins and the others are handled again from a fresh read), inputs and outputs
// offloaded as upstream lays them out, dynamic workflow closures stored; then read, listed (top-level or
// under one parent) and their data returned.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import {
  DynamicNodeWorkflowResponseSchema,
  NodeExecutionClosureSchema,
  NodeExecutionGetDataResponseSchema,
  NodeExecutionMetaDataSchema,
  NodeExecutionSchema,
  type DynamicNodeWorkflowResponse,
  type NodeExecution,
  type NodeExecutionForTaskListRequest,
  type NodeExecutionGetDataResponse,
  type NodeExecutionListRequest,
} from "../../gen/flyteidl/admin/node_execution_pb";
import type { NodeExecutionEventRequest } from "../../gen/flyteidl/admin/event_pb";
import { CatalogCacheStatus } from "../../gen/flyteidl/core/catalog_pb";
import { ExecutionError_ErrorKind, NodeExecution_Phase as Phase } from "../../gen/flyteidl/core/execution_pb";
import { NodeExecutionIdentifierSchema, type NodeExecutionIdentifier } from "../../gen/flyteidl/core/identifier_pb";
import { CompiledWorkflowClosureSchema } from "../../gen/flyteidl/core/compiler_pb";
import { alreadyExists, invalidArgument, missingArgument, notFound } from "../../kernel/errors";
import { parseFilters, scopeFilters, type Filter } from "../../kernel/lists/filters";
import { nextToken, parseSort, parseToken, requireLimit } from "../../kernel/lists/page";
import { goText } from "../../kernel/go-text";
import type { BlobStore } from "../../ports/blob";
import type { ExecutionStore } from "../../ports/executions";
import { checkCluster, retryStale, terminalStateError } from "../shared/event-rules";
import { missingExecution } from "../shared/not-found";
import { readLiteralMap, readOutputs } from "../shared/read-data";
import { eventInputUri, eventOutputResult } from "../shared/event-data";
import type { TaskExecutionStore } from "../../ports/taskexecutions";
import { nodeKeyOf, taskExecutionKeyOf, validateExecutionId } from "../shared/execution-keys";
import type { NodeExecutionKey, NodeExecutionPatch, NodeExecutionRecord, NodeExecutionStore } from "../../ports/nodeexecutions";
import { knownEnum } from "../../kernel/validate";

const terminal = new Set([Phase.SUCCEEDED, Phase.FAILED, Phase.TIMED_OUT, Phase.ABORTED, Phase.SKIPPED, Phase.RECOVERED]);
export const isNodeTerminal = (p: Phase) => terminal.has(p);
const phaseOf = (name: string) => Phase[name as keyof typeof Phase] ?? Phase.UNDEFINED;

export interface NodeExecutionSettings {
  maxSizeInBytes: number;
  inlineEventDataPolicy: "Offload" | "StoreInline";
  /** flyteadmin.metadataStoragePrefix, where dynamic workflow closures go. */
  metadataStoragePrefix: string[];
}

const missingNode = (k: NodeExecutionKey) =>
  notFound(
    `missing entity of type node execution with identifier node_id:"${k.nodeId}" execution_id:{project:"${k.project}" domain:"${k.domain}" name:"${k.name}"}`,
  );

const iso = (t: Timestamp | undefined) => (t ? timestampDate(t) : new Date()).toISOString();

type NodeEvent = NonNullable<NodeExecutionEventRequest["event"]>;

export class NodeExecutionManager {
  constructor(
    private readonly store: NodeExecutionStore,
    private readonly executions: ExecutionStore,
    private readonly taskExecutions: TaskExecutionStore,
    private readonly blobs: BlobStore,
    private readonly settings: NodeExecutionSettings,
    private readonly onHistoryError: (e: unknown) => void = () => {},
  ) {}

  private offloadKey(k: NodeExecutionKey, suffix: string): string {
    return this.blobs.uri("metadata", k.project, k.domain, k.name, k.nodeId, suffix);
  }

  private inputUri(current: string, k: NodeExecutionKey, e: NodeEvent): Promise<string> {
    return eventInputUri(this.blobs, current, e.inputValue, () => this.offloadKey(k, "offloaded_inputs"));
  }

  /** Phase-dependent closure changes shared by create and update (running and terminal states). */
  private async applyPhase(
    k: NodeExecutionKey,
    e: NodeEvent,
    closure: ReturnType<typeof create<typeof NodeExecutionClosureSchema>>,
    startedAt: string | null,
    patch: NodeExecutionPatch,
  ): Promise<void> {
    if (e.phase === Phase.RUNNING) {
      patch.startedAt = iso(e.occurredAt);
      closure.startedAt = e.occurredAt;
      closure.deckUri = e.deckUri;
    }
    if (!isNodeTerminal(e.phase)) return;
    const started = patch.startedAt ?? startedAt;
    if (closure.startedAt && started) {
      const ms = new Date(iso(e.occurredAt)).getTime() - new Date(started).getTime();
      patch.duration = ms * 1e6;
      closure.duration = durationFromMs(ms);
    }
    const result = await eventOutputResult(this.blobs, e.outputResult, this.settings.inlineEventDataPolicy, () => this.offloadKey(k, "offloaded_outputs"));
    if (result) closure.outputResult = result;
    if (result?.case === "error") {
      patch.errorKind = ExecutionError_ErrorKind[result.value.kind];
      patch.errorCode = result.value.code;
    }
    closure.deckUri = e.deckUri;
  }

  private taskNodeMetadata(e: NodeEvent, closure: ReturnType<typeof create<typeof NodeExecutionClosureSchema>>, patch: NodeExecutionPatch): void {
    if (e.targetMetadata.case !== "taskNodeMetadata") return;
    const t = e.targetMetadata.value;
    const meta = {
      $typeName: "flyteidl.admin.TaskNodeMetadata" as const,
      checkpointUri: t.checkpointUri,
      cacheStatus: CatalogCacheStatus.CACHE_DISABLED,
      catalogKey: undefined as typeof t.catalogKey,
    };
    if (t.catalogKey) {
      meta.cacheStatus = t.cacheStatus;
      meta.catalogKey = t.catalogKey;
      patch.cacheStatus = CatalogCacheStatus[t.cacheStatus];
    }
    closure.targetMetadata = { case: "taskNodeMetadata", value: meta };
  }

  private async uploadDynamicClosure(k: NodeExecutionKey, e: NodeEvent): Promise<string> {
    const dynamic = e.targetMetadata.case === "taskNodeMetadata" ? e.targetMetadata.value.dynamicWorkflow : undefined;
    if (!dynamic) return "";
    const id = dynamic.id;
    const uri = this.blobs.uri(
      ...this.settings.metadataStoragePrefix,
      k.project,
      k.domain,
      k.name,
      k.nodeId,
      `${id?.project}_${id?.domain}_${id?.name}_${id?.version}`,
    );
    await this.blobs.write(uri, toBinary(CompiledWorkflowClosureSchema, dynamic.compiledWorkflow ?? create(CompiledWorkflowClosureSchema)));
    return uri;
  }

  /** CreateNodeEvent from propeller. */
  async createEvent(req: NodeExecutionEventRequest): Promise<void> {
    const e = req.event;
    if (!e?.id?.executionId) throw invalidArgument("Node event handler was called without an execution id");
    knownEnum(Phase, e.phase, "phase");
    const k = nodeKeyOf(e.id);
    // The write is conditional on the row read (or its absence); a call that loses a race runs again.
    await retryStale(() => this.applyEvent(k, e));
    // Write-only history, written after the answer as upstream's event writer does; a failure is only logged.
    void this.store.recordEvent(k, { phase: Phase[e.phase], requestId: req.requestId, occurredAt: iso(e.occurredAt) }).catch(this.onHistoryError);
  }

  /** One read-check-write of the event against the stored row. */
  private async applyEvent(k: NodeExecutionKey, e: NodeEvent): Promise<void> {
    const found = await this.store.withExecution(k);
    if (!found) throw missingExecution(k);
    checkCluster(found.cluster, e.producerId);
    const dynamicRef = await this.uploadDynamicClosure(k, e);
    const reportedAt = e.reportedAt && (e.reportedAt.seconds !== 0n || e.reportedAt.nanos !== 0) ? e.reportedAt : e.occurredAt;

    const existing = found.node;
    if (!existing) {
      let parentTaskExecutionId: number | null = null;
      if (e.parentTaskMetadata?.id) {
        const parent = await this.taskExecutions.get(taskExecutionKeyOf(e.parentTaskMetadata.id));
        if (!parent) throw notFound(`task execution [${goText(NodeExecutionIdentifierSchema, e.parentTaskMetadata.id.nodeExecutionId)}] not found`);
        parentTaskExecutionId = parent.id ?? null;
      }
      let parentId: number | null = null;
      if (e.parentNodeMetadata) {
        const parent = await this.store.get({ ...k, nodeId: e.parentNodeMetadata.nodeId });
        if (!parent) throw missingNode({ ...k, nodeId: e.parentNodeMetadata.nodeId });
        parentId = parent.id ?? null;
      }
      const closure = create(NodeExecutionClosureSchema, { phase: e.phase, createdAt: e.occurredAt, updatedAt: reportedAt });
      const patch: NodeExecutionPatch = {};
      await this.applyPhase(k, e, closure, null, patch);
      this.taskNodeMetadata(e, closure, patch);
      const metadata = create(NodeExecutionMetaDataSchema, {
        retryGroup: e.retryGroup,
        specNodeId: e.specNodeId,
        isParentNode: e.isParent,
        isDynamic: e.isDynamic,
        isArray: e.isArray,
      });
      await this.store.create({
        ...k,
        phase: Phase[e.phase],
        inputUri: await this.inputUri("", k, e),
        closure: toBinary(NodeExecutionClosureSchema, closure),
        startedAt: patch.startedAt ?? null,
        createdAt: iso(e.occurredAt),
        updatedAt: iso(reportedAt),
        duration: patch.duration ?? 0,
        metadata: toBinary(NodeExecutionMetaDataSchema, metadata),
        parentId,
        parentTaskExecutionId,
        errorKind: patch.errorKind ?? null,
        errorCode: patch.errorCode ?? null,
        cacheStatus: patch.cacheStatus ?? null,
        dynamicWorkflowRemoteClosureReference: dynamicRef,
        eventVersion: e.eventVersion,
      });
    } else {
      const stored = phaseOf(existing.phase);
      if (stored === e.phase) throw alreadyExists(`This phase was already recorded ${Phase[stored]} for ${goText(NodeExecutionIdentifierSchema, e.id)}`);
      if (isNodeTerminal(stored)) {
        throw terminalStateError(`Invalid phase change from ${Phase[stored]} to ${Phase[e.phase]} for node execution ${existing.id}`, Phase[e.phase]);
      }
      const child = e.targetMetadata.case === "workflowNodeMetadata" ? e.targetMetadata.value.executionId : undefined;
      if (child && (await this.executions.clusterOf({ project: child.project, domain: child.domain, name: child.name })) === undefined) {
        throw missingExecution({ project: child.project, domain: child.domain, name: child.name });
      }
      const closure = fromBinary(NodeExecutionClosureSchema, existing.closure);
      closure.phase = e.phase;
      closure.updatedAt = reportedAt;
      const patch: NodeExecutionPatch = {
        phase: Phase[e.phase],
        updatedAt: iso(reportedAt),
        inputUri: await this.inputUri(existing.inputUri, k, e),
        dynamicWorkflowRemoteClosureReference: dynamicRef,
      };
      await this.applyPhase(k, e, closure, existing.startedAt, patch);
      if (child && closure.targetMetadata.case !== "workflowNodeMetadata") {
        closure.targetMetadata = { case: "workflowNodeMetadata", value: { $typeName: "flyteidl.admin.WorkflowNodeMetadata", executionId: child } };
      }
      this.taskNodeMetadata(e, closure, patch);
      const dynamic = e.targetMetadata.case === "taskNodeMetadata" ? e.targetMetadata.value.dynamicWorkflow : undefined;
      if (dynamic?.dynamicJobSpecUri) closure.dynamicJobSpecUri = dynamic.dynamicJobSpecUri;
      if (e.isParent || e.isDynamic || e.isArray) {
        const metadata = fromBinary(NodeExecutionMetaDataSchema, existing.metadata);
        metadata.isParentNode ||= e.isParent;
        metadata.isDynamic ||= e.isDynamic;
        metadata.isArray ||= e.isArray;
        patch.metadata = toBinary(NodeExecutionMetaDataSchema, metadata);
      }
      patch.closure = toBinary(NodeExecutionClosureSchema, closure);
      await this.store.update(k, patch, { phase: existing.phase, closure: existing.closure });
    }
  }

  private toNodeExecution(r: NodeExecutionRecord, trimErrors = false): NodeExecution {
    const closure = fromBinary(NodeExecutionClosureSchema, r.closure);
    if (trimErrors && closure.outputResult.case === "error" && closure.outputResult.value.message.length > 100) {
      closure.outputResult.value.message = Buffer.from(closure.outputResult.value.message).subarray(0, 100).toString();
    }
    const metadata = fromBinary(NodeExecutionMetaDataSchema, r.metadata);
    // Rows from old events carry no parent flags; children tell.
    if (!metadata.isParentNode && !metadata.isDynamic && r.hasChildren) {
      metadata.isParentNode = true;
      if (r.dynamicWorkflowRemoteClosureReference !== "") metadata.isDynamic = true;
    }
    return create(NodeExecutionSchema, {
      id: { nodeId: r.nodeId, executionId: { project: r.project, domain: r.domain, name: r.name } },
      inputUri: r.inputUri,
      closure,
      metadata,
    });
  }

  private async require(id: NodeExecutionIdentifier | undefined): Promise<NodeExecutionRecord> {
    const k = nodeKeyOf(id);
    const r = await this.store.get(k);
    if (!r) throw missingNode(k);
    return r;
  }

  async get(id: NodeExecutionIdentifier | undefined): Promise<NodeExecution> {
    return this.toNodeExecution(await this.require(id));
  }

  private async page(base: Filter[], req: { filters: string; limit: number; token: string; sortBy?: NodeExecutionListRequest["sortBy"] }, topLevel: boolean) {
    requireLimit(req.limit);
    const filters = [...base, ...parseFilters(req.filters, "node_execution", ["node_execution", "execution"])];
    const order = parseSort(req.sortBy, "node_execution");
    const offset = parseToken(req.token, "ListNodeExecutions");
    const rows = await this.store.list({ filters, order, limit: req.limit, offset, topLevel });
    return { nodeExecutions: rows.map((r) => this.toNodeExecution(r, true)), token: nextToken(offset, rows.length, req.limit) };
  }

  /** Top-level nodes of an execution, or the children of `unique_parent_id`. */
  async list(req: NodeExecutionListRequest) {
    validateExecutionId(req.workflowExecutionId);
    const id = req.workflowExecutionId;
    const execution = { project: id.project, domain: id.domain, name: id.name };
    if (req.uniqueParentId !== "") {
      const parent = await this.store.get({ ...execution, nodeId: req.uniqueParentId });
      if (!parent) throw missingNode({ ...execution, nodeId: req.uniqueParentId });
      // String(): an id-less row must not drop the filter (and list every node).
      return this.page(scopeFilters("node_execution", { ...execution, parentId: String(parent.id) }), req, false);
    }
    return this.page(scopeFilters("node_execution", execution), req, true);
  }

  /** Nodes a (legacy dynamic) task execution launched. */
  async listForTask(req: NodeExecutionForTaskListRequest) {
    const taskExecutionId = req.taskExecutionId;
    if (!taskExecutionId) throw missingArgument("task_execution_id");
    const parent = await this.taskExecutions.get(taskExecutionKeyOf(taskExecutionId));
    if (!parent) throw notFound(`task execution not found`);
    const { project, domain, name } = parent.node;
    // String(), as for unique_parent_id above.
    return this.page(scopeFilters("node_execution", { project, domain, name, parentTaskExecutionId: String(parent.id) }), req, false);
  }

  async getData(id: NodeExecutionIdentifier | undefined): Promise<NodeExecutionGetDataResponse> {
    const r = await this.require(id);
    const closure = fromBinary(NodeExecutionClosureSchema, r.closure);
    const out = closure.outputResult;
    const [inputs, outputs] = await Promise.all([
      readLiteralMap(this.blobs, r.inputUri),
      readOutputs(this.blobs, out.case === "outputUri" ? out.value : "", out.case === "outputData" ? out.value : undefined, this.settings.maxSizeInBytes),
    ]);
    const base = `flyte://v1/${r.project}/${r.domain}/${r.name}/${r.nodeId}`;
    const response = create(NodeExecutionGetDataResponseSchema, {
      inputs: inputs.blob,
      outputs: outputs.blob,
      fullInputs: inputs.full,
      fullOutputs: outputs.full,
      flyteUrls: { inputs: `${base}/i`, outputs: `${base}/o`, deck: closure.deckUri !== "" ? `${base}/d` : "" },
    });
    if (r.dynamicWorkflowRemoteClosureReference !== "") {
      const compiled = await this.dynamicClosure(r);
      response.dynamicWorkflow = {
        $typeName: "flyteidl.admin.DynamicWorkflowNodeMetadata",
        id: compiled.primary?.template?.id,
        compiledWorkflow: compiled,
        dynamicJobSpecUri: closure.dynamicJobSpecUri,
      };
    }
    return response;
  }

  private async dynamicClosure(r: NodeExecutionRecord) {
    const bytes = await this.blobs.read(r.dynamicWorkflowRemoteClosureReference);
    if (!bytes) throw notFound(`dynamic workflow closure [${r.dynamicWorkflowRemoteClosureReference}] not found`);
    return fromBinary(CompiledWorkflowClosureSchema, bytes);
  }

  async getDynamicWorkflow(id: NodeExecutionIdentifier | undefined): Promise<DynamicNodeWorkflowResponse> {
    const r = await this.require(id);
    if (r.dynamicWorkflowRemoteClosureReference === "") throw notFound("node does not contain dynamic workflow");
    return create(DynamicNodeWorkflowResponseSchema, { compiledWorkflow: await this.dynamicClosure(r) });
  }

  /** The deck URI of a node (CreateDownloadLink). */
  async deckUri(id: NodeExecutionIdentifier): Promise<string> {
    return fromBinary(NodeExecutionClosureSchema, (await this.require(id)).closure).deckUri;
  }
}
