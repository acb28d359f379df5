// Node and task execution identifiers → storage keys, checked as upstream checks them.
import { ResourceType, type NodeExecutionIdentifier, type TaskExecutionIdentifier } from "../../gen/flyteidl/core/identifier_pb";
import { missingArgument } from "../../kernel/errors";
import { validateIdentifier } from "../../kernel/identifiers";
import { requireString } from "../../kernel/validate";
import { validateExecutionId } from "../executions/manager";
import type { NodeExecutionKey } from "../../ports/nodeexecutions";
import type { TaskExecutionKey } from "../../ports/taskexecutions";

export function nodeKeyOf(id: NodeExecutionIdentifier | undefined): NodeExecutionKey {
  if (!id) throw missingArgument("id");
  validateExecutionId(id.executionId);
  requireString(id.nodeId, "node_id");
  return { project: id.executionId.project, domain: id.executionId.domain, name: id.executionId.name, nodeId: id.nodeId };
}

export function taskExecutionKeyOf(id: TaskExecutionIdentifier | undefined): TaskExecutionKey {
  if (!id) throw missingArgument("id");
  validateIdentifier(id.taskId, ResourceType.TASK);
  const t = id.taskId;
  return { task: { project: t.project, domain: t.domain, name: t.name, version: t.version }, node: nodeKeyOf(id.nodeExecutionId), retryAttempt: id.retryAttempt };
}
