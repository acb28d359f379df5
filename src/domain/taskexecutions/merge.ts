// How a task execution's closure absorbs a new event, as upstream merges it: logs (newest first, older
// ones kept unless replaced by URI or name, filtered by phase visibility), custom info (JSON merge
// patch), and metadata (external resources merged by index and retry attempt, kept sorted).
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { TaskExecution_Phase as Phase, type TaskLog } from "../../gen/flyteidl/core/execution_pb";
import { CatalogCacheStatus } from "../../gen/flyteidl/core/catalog_pb";
import { TaskExecutionMetadata_InstanceClass, type ExternalResourceInfo, type TaskExecutionMetadata } from "../../gen/flyteidl/event/event_pb";

const terminal = new Set([Phase.SUCCEEDED, Phase.FAILED, Phase.ABORTED]);
export const isTaskTerminal = (p: Phase) => terminal.has(p);

export function mergeLogs(existing: TaskLog[], latest: TaskLog[]): TaskLog[] {
  if (latest.length === 0) return existing;
  if (existing.length === 0) return latest;
  const uris = new Set(latest.map((l) => l.uri));
  const names = new Set(latest.filter((l) => l.name !== "").map((l) => l.name));
  return [...latest, ...existing.filter((l) => !uris.has(l.uri) && !names.has(l.name))];
}

/** Finished tasks hide `hide_once_finished` logs; pending ones show only `show_while_pending` logs. */
export function filterLogsByPhase(logs: TaskLog[], phase: Phase): TaskLog[] {
  return logs.filter(
    (l) => !(isTaskTerminal(phase) && l.HideOnceFinished) && !((phase === Phase.QUEUED || phase === Phase.INITIALIZING) && !l.ShowWhilePending),
  );
}

/** RFC 7386 merge patch of `latest` onto `existing` (null deletes). */
function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: JsonObject = target !== null && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export function mergeCustom(existing: JsonObject | undefined, latest: JsonObject | undefined): JsonObject | undefined {
  if (!existing) return latest;
  if (!latest) return existing;
  return mergePatch(existing, latest) as JsonObject;
}

function mergeResource(existing: ExternalResourceInfo, latest: ExternalResourceInfo): ExternalResourceInfo {
  if (latest.externalId !== "") existing.externalId = latest.externalId;
  existing.phase = latest.phase;
  if (latest.cacheStatus !== CatalogCacheStatus.CACHE_DISABLED) existing.cacheStatus = latest.cacheStatus;
  existing.logs = mergeLogs(existing.logs, latest.logs);
  if (latest.customInfo) existing.customInfo = structuredClone(latest.customInfo);
  return existing;
}

const byIndexThenRetry = (a: ExternalResourceInfo, b: ExternalResourceInfo) => a.index - b.index || a.retryAttempt - b.retryAttempt;

export function mergeExternalResources(existing: ExternalResourceInfo[], latest: ExternalResourceInfo[]): ExternalResourceInfo[] {
  const merged = [...existing];
  for (const r of latest) {
    const at = merged.findIndex((e) => e.index === r.index && e.retryAttempt === r.retryAttempt);
    if (at >= 0) merged[at] = mergeResource(merged[at], r);
    else merged.push(r);
  }
  return merged.sort(byIndexThenRetry);
}

export function mergeMetadata(existing: TaskExecutionMetadata | undefined, latest: TaskExecutionMetadata | undefined): TaskExecutionMetadata | undefined {
  if (!existing) {
    latest?.externalResources.sort(byIndexThenRetry);
    return latest;
  }
  if (!latest) return existing;
  if (latest.generatedName !== "") existing.generatedName = latest.generatedName;
  existing.externalResources = mergeExternalResources(existing.externalResources, latest.externalResources);
  existing.resourcePoolInfo = latest.resourcePoolInfo;
  if (latest.pluginIdentifier !== "") existing.pluginIdentifier = latest.pluginIdentifier;
  if (latest.instanceClass !== TaskExecutionMetadata_InstanceClass.DEFAULT) existing.instanceClass = latest.instanceClass;
  return existing;
}
