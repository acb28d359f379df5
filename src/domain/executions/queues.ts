// Execution queues (a legacy feature kept for deployments that still route by queue): tags from
// EXECUTION_QUEUE attributes, else the configured tags for the domain (or the domain-less default),
// pick one of the queues carrying the first matching tag, and every container task of the launch gets
// it as its `child_queue` config entry.
import { randomInt } from "node:crypto";
import type { CompiledWorkflowClosure } from "../../gen/flyteidl/core/compiler_pb";

export interface QueueSettings {
  executionQueues: Array<{ dynamic: string; attributes: string[] }>;
  workflowConfigs: Array<{ domain: string; tags: string[] }>;
}

export function pickQueue(attributeTags: string[] | undefined, domain: string, settings: QueueSettings): string | undefined {
  const byTag = new Map<string, string[]>();
  for (const q of settings.executionQueues) for (const tag of q.attributes) byTag.set(tag, [...(byTag.get(tag) ?? []), q.dynamic]);
  const firstMatch = (tags: string[]) => {
    for (const tag of tags) {
      const queues = byTag.get(tag);
      if (queues?.length) return queues[randomInt(queues.length)];
    }
    return undefined;
  };
  const fromAttributes = attributeTags ? firstMatch(attributeTags) : undefined;
  if (fromAttributes !== undefined) return fromAttributes;
  const forDomain = settings.workflowConfigs.find((w) => w.domain === domain)?.tags ?? [];
  const fallback = settings.workflowConfigs.find((w) => w.domain === "")?.tags ?? [];
  return firstMatch(forDomain.length ? forDomain : fallback);
}

export function applyQueue(closure: CompiledWorkflowClosure, queue: string | undefined): void {
  if (!queue) return;
  for (const t of closure.tasks) {
    if (t.template?.target.case === "container")
      t.template.target.value.config.push({ $typeName: "flyteidl.core.KeyValuePair", key: "child_queue", value: queue });
  }
}
