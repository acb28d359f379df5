// Task execution rules, as upstream's task execution manager: one row per task attempt under a node,
// created and updated from propeller's task events (a phase is recorded again only with a higher
// phase_version — #3440 — and nothing leaves a terminal phase; of racing events the first write wins and
// the others are handled again from a fresh read); then read, listed and their data returned.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationFromMs, timestampDate, timestampFromDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import {
  TaskExecutionClosureSchema,
  TaskExecutionGetDataResponseSchema,
  TaskExecutionSchema,
  type TaskExecution,
  type TaskExecutionClosure,
  type TaskExecutionGetDataResponse,
  type TaskExecutionListRequest,
} from "../../gen/flyteidl/admin/task_execution_pb";
import type { TaskExecutionEventRequest } from "../../gen/flyteidl/admin/event_pb";
import { TaskExecution_Phase as Phase } from "../../gen/flyteidl/core/execution_pb";
import { ReasonSchema } from "../../gen/flyteidl/admin/task_execution_pb";
import { ResourceType, TaskExecutionIdentifierSchema, type TaskExecutionIdentifier } from "../../gen/flyteidl/core/identifier_pb";
import { LiteralMapSchema } from "../../gen/flyteidl/core/literals_pb";
import { alreadyExists, invalidArgument, missingArgument, notFound, resourceExhausted } from "../../kernel/errors";
import { validateIdentifier } from "../../kernel/identifiers";
import { parseFilters, scopeFilters, type Filter } from "../../kernel/lists/filters";
import { nextToken, parseSort, parseToken, requireLimit } from "../../kernel/lists/page";
import { goText } from "../../kernel/go-text";
import type { BlobStore } from "../../ports/blob";
import { checkCluster, retryStale, terminalStateError } from "../shared/event-rules";
import { missingExecution } from "../shared/not-found";
import { readLiteralMap, readOutputs } from "../shared/read-data";
import { eventInputUri, eventOutputResult } from "../shared/event-data";
import { nodeKeyOf, taskExecutionKeyOf } from "../shared/execution-keys";
import { filterLogsByPhase, isTaskTerminal, mergeCustom, mergeLogs, mergeMetadata } from "./merge";
import type { TaskExecutionKey, TaskExecutionPatch, TaskExecutionRecord, TaskExecutionStore } from "../../ports/taskexecutions";
import { knownEnum } from "../../kernel/validate";

export interface TaskExecutionSettings {
  maxSizeInBytes: number;
  inlineEventDataPolicy: "Offload" | "StoreInline";
}

type TaskEvent = NonNullable<TaskExecutionEventRequest["event"]>;
const iso = (t: Timestamp | undefined) => (t ? timestampDate(t) : new Date()).toISOString();
const phaseOf = (name: string) => Phase[name as keyof typeof Phase] ?? Phase.UNDEFINED;

export class TaskExecutionManager {
  constructor(
    private readonly store: TaskExecutionStore,
    private readonly blobs: BlobStore,
    private readonly settings: TaskExecutionSettings,
  ) {}

  private offloadKey(k: TaskExecutionKey, suffix: string): string {
    const t = k.task;
    return this.blobs.uri(
      "metadata",
      k.node.project,
      k.node.domain,
      k.node.name,
      k.node.nodeId,
      t.project,
      t.domain,
      t.name,
      t.version,
      String(k.retryAttempt),
      suffix,
    );
  }

  private inputUri(current: string, k: TaskExecutionKey, e: TaskEvent): Promise<string> {
    return eventInputUri(this.blobs, current, e.inputValue, () => this.offloadKey(k, "offloaded_inputs"));
  }

  private async terminalState(
    k: TaskExecutionKey,
    e: TaskEvent,
    closure: TaskExecutionClosure,
    startedAt: string | null,
    patch: TaskExecutionPatch,
  ): Promise<void> {
    if (startedAt) {
      const ms = new Date(iso(e.occurredAt)).getTime() - new Date(startedAt).getTime();
      closure.startedAt = timestampFromDate(new Date(startedAt));
      patch.duration = ms * 1e6;
      closure.duration = durationFromMs(ms);
    }
    const result = await eventOutputResult(this.blobs, e.outputResult, this.settings.inlineEventDataPolicy, () => this.offloadKey(k, "offloaded_outputs"));
    if (result) closure.outputResult = result;
  }

  private static reasons(e: TaskEvent, closure: TaskExecutionClosure, onlyIfChanged: boolean): void {
    if (e.reasons.length > 0) {
      for (const r of e.reasons) closure.reasons.push(create(ReasonSchema, { occurredAt: r.occurredAt, message: r.reason }));
      closure.reason = e.reasons[e.reasons.length - 1].reason;
    } else if (e.reason !== "") {
      if (!onlyIfChanged || closure.reason !== e.reason) closure.reasons.push(create(ReasonSchema, { occurredAt: e.occurredAt, message: e.reason }));
      closure.reason = e.reason;
    }
  }

  private validate(req: TaskExecutionEventRequest): asserts req is TaskExecutionEventRequest & { event: TaskEvent } {
    const e = req.event;
    if (!e) throw missingArgument("event");
    if (!e.occurredAt) throw missingArgument("occurred_at");
    if (e.outputResult.case === "outputData" && this.settings.maxSizeInBytes > 0) {
      const size = toBinary(LiteralMapSchema, e.outputResult.value).length;
      if (size > this.settings.maxSizeInBytes)
        throw resourceExhausted(`Output data size exceeds platform limit. Data size: ${size}, limit: ${this.settings.maxSizeInBytes}`);
    }
    validateIdentifier(e.taskId, ResourceType.TASK);
    if (!e.parentNodeExecutionId) throw missingArgument("parent_node_execution_id");
    nodeKeyOf(e.parentNodeExecutionId);
  }

  /** CreateTaskEvent from propeller. */
  async createEvent(req: TaskExecutionEventRequest): Promise<void> {
    this.validate(req);
    const e = req.event;
    knownEnum(Phase, e.phase, "phase");
    const id = create(TaskExecutionIdentifierSchema, { taskId: e.taskId, nodeExecutionId: e.parentNodeExecutionId, retryAttempt: e.retryAttempt });
    const k = taskExecutionKeyOf(id);
    // The write is conditional on the row read (or its absence); a call that loses a race runs again.
    await retryStale(() => this.applyEvent(k, id, e));
  }

  /** One read-check-write of the event against the stored attempt. */
  private async applyEvent(k: TaskExecutionKey, id: TaskExecutionIdentifier, e: TaskEvent): Promise<void> {
    const found = await this.store.withExecution(k);
    if (!found) throw missingExecution(k.node);
    checkCluster(found.cluster, e.producerId);
    const reportedAt = e.reportedAt && (e.reportedAt.seconds !== 0n || e.reportedAt.nanos !== 0) ? e.reportedAt : e.occurredAt;

    const existing = found.task;
    if (!existing) {
      if (!found.nodeExists) {
        throw notFound(`Failed to get existing node execution id: [${goText(TaskExecutionIdentifierSchema, id)}]`);
      }
      e.metadata?.externalResources.sort((a, b) => a.index - b.index || a.retryAttempt - b.retryAttempt);
      const closure = create(TaskExecutionClosureSchema, {
        phase: e.phase,
        updatedAt: reportedAt,
        createdAt: e.occurredAt,
        logs: e.logs,
        customInfo: e.customInfo,
        taskType: e.taskType,
        metadata: e.metadata,
        eventVersion: e.eventVersion,
      });
      TaskExecutionManager.reasons(e, closure, false);
      const patch: TaskExecutionPatch = {};
      if (e.phase === Phase.RUNNING) {
        patch.startedAt = iso(e.occurredAt);
        closure.startedAt = e.occurredAt;
      }
      if (isTaskTerminal(e.phase)) await this.terminalState(k, e, closure, patch.startedAt ?? null, patch);
      await this.store.create({
        ...k,
        phase: Phase[e.phase],
        phaseVersion: e.phaseVersion,
        inputUri: await this.inputUri("", k, e),
        closure: toBinary(TaskExecutionClosureSchema, closure),
        startedAt: patch.startedAt ?? null,
        createdAt: iso(e.occurredAt),
        updatedAt: iso(reportedAt),
        duration: patch.duration ?? 0,
      });
      return;
    }

    if (existing.phase === Phase[e.phase] && existing.phaseVersion >= e.phaseVersion) {
      throw alreadyExists(
        `have already recorded task execution phase ${Phase[e.phase]} (version: ${e.phaseVersion}) for ${goText(TaskExecutionIdentifierSchema, id)}`,
      );
    }
    if (isTaskTerminal(phaseOf(existing.phase))) {
      throw terminalStateError(
        `invalid phase change from ${existing.phase} to ${Phase[e.phase]} for task execution ${goText(TaskExecutionIdentifierSchema, id)}`,
        Phase[e.phase],
      );
    }
    const closure = fromBinary(TaskExecutionClosureSchema, existing.closure);
    const phaseChanged = existing.phase !== Phase[e.phase];
    closure.phase = e.phase;
    closure.updatedAt = reportedAt;
    closure.logs = filterLogsByPhase(mergeLogs(closure.logs, e.logs), e.phase);
    TaskExecutionManager.reasons(e, closure, true);
    const patch: TaskExecutionPatch = {
      phase: Phase[e.phase],
      phaseVersion: e.phaseVersion,
      updatedAt: iso(reportedAt),
      inputUri: await this.inputUri(existing.inputUri, k, e),
    };
    let startedAt = existing.startedAt;
    if (existing.phase !== "RUNNING" && e.phase === Phase.RUNNING && !startedAt) {
      startedAt = patch.startedAt = iso(e.occurredAt);
      closure.startedAt = e.occurredAt;
    }
    if (isTaskTerminal(e.phase)) await this.terminalState(k, e, closure, startedAt, patch);
    closure.customInfo = mergeCustom(closure.customInfo, e.customInfo);
    closure.metadata = mergeMetadata(closure.metadata, e.metadata);
    if (phaseChanged) for (const r of closure.metadata?.externalResources ?? []) r.logs = filterLogsByPhase(r.logs, e.phase);
    if (e.eventVersion > closure.eventVersion) closure.eventVersion = e.eventVersion;
    patch.closure = toBinary(TaskExecutionClosureSchema, closure);
    await this.store.update(k, patch, { phase: existing.phase, phaseVersion: existing.phaseVersion, closure: existing.closure });
  }

  private toTaskExecution(r: TaskExecutionRecord, trimErrors = false): TaskExecution {
    const closure = fromBinary(TaskExecutionClosureSchema, r.closure);
    if (trimErrors && closure.outputResult.case === "error" && closure.outputResult.value.message.length > 100) {
      closure.outputResult.value.message = Buffer.from(closure.outputResult.value.message).subarray(0, 100).toString();
    }
    return create(TaskExecutionSchema, {
      id: {
        taskId: { resourceType: ResourceType.TASK, ...r.task },
        nodeExecutionId: { nodeId: r.node.nodeId, executionId: { project: r.node.project, domain: r.node.domain, name: r.node.name } },
        retryAttempt: r.retryAttempt,
      },
      inputUri: r.inputUri,
      closure,
      isParent: r.hasChildren ?? false,
    });
  }

  private async require(id: TaskExecutionIdentifier | undefined): Promise<TaskExecutionRecord> {
    const k = taskExecutionKeyOf(id);
    const r = await this.store.get(k);
    if (!r) throw notFound(`missing entity of type task execution with identifier ${goText(TaskExecutionIdentifierSchema, id)}`);
    return r;
  }

  async get(id: TaskExecutionIdentifier | undefined): Promise<TaskExecution> {
    return this.toTaskExecution(await this.require(id));
  }

  async list(req: TaskExecutionListRequest): Promise<{ taskExecutions: TaskExecution[]; token: string }> {
    const k = nodeKeyOf(req.nodeExecutionId);
    requireLimit(req.limit);
    const filters: Filter[] = [
      ...scopeFilters("task_execution", { project: k.project, domain: k.domain, name: k.name, nodeId: k.nodeId }),
      ...parseFilters(req.filters, "task_execution", ["task_execution", "task", "execution", "node_execution"]),
    ];
    const order = parseSort(req.sortBy, "task_execution");
    const offset = parseToken(req.token, "ListTaskExecutions");
    const rows = await this.store.list({ filters, order, limit: req.limit, offset });
    return { taskExecutions: rows.map((r) => this.toTaskExecution(r, true)), token: nextToken(offset, rows.length, req.limit) };
  }

  async getData(id: TaskExecutionIdentifier | undefined): Promise<TaskExecutionGetDataResponse> {
    const r = await this.require(id);
    const closure = fromBinary(TaskExecutionClosureSchema, r.closure);
    const out = closure.outputResult;
    const [inputs, outputs] = await Promise.all([
      readLiteralMap(this.blobs, r.inputUri),
      readOutputs(this.blobs, out.case === "outputUri" ? out.value : "", out.case === "outputData" ? out.value : undefined, this.settings.maxSizeInBytes),
    ]);
    const base = `flyte://v1/${r.node.project}/${r.node.domain}/${r.node.name}/${r.node.nodeId}/${r.retryAttempt}`;
    return create(TaskExecutionGetDataResponseSchema, {
      inputs: inputs.blob,
      outputs: outputs.blob,
      fullInputs: inputs.full,
      fullOutputs: outputs.full,
      flyteUrls: { inputs: `${base}/i`, outputs: `${base}/o`, deck: "" },
    });
  }

  /** The attempt a flyte:// URL names (node and retry attempt; the task id is looked up). */
  async findAttempt(node: { project: string; domain: string; name: string; nodeId: string }, retryAttempt: number): Promise<TaskExecutionIdentifier> {
    const filters = scopeFilters("task_execution", { project: node.project, domain: node.domain, name: node.name, nodeId: node.nodeId, retryAttempt });
    const [r] = await this.store.list({ filters, limit: 1, offset: 0 });
    if (!r) throw invalidArgument(`no task executions were listed [node_id:"${node.nodeId}" retry_attempt:${retryAttempt}]`);
    return this.toTaskExecution(r).id as TaskExecutionIdentifier;
  }
}
