// Execution, node execution and task execution identifiers → storage keys, checked as upstream checks
// them; every manager that is handed one of these ids reads it the same way.
import {
  ResourceType,
  type NodeExecutionIdentifier,
  type TaskExecutionIdentifier,
  type WorkflowExecutionIdentifier,
} from "../../gen/flyteidl/core/identifier_pb";
import { missingArgument } from "../../kernel/errors";
import { validateIdentifier } from "../../kernel/identifiers";
import { requireId, requireString } from "../../kernel/validate";
import type { ExecutionKey } from "../../ports/executions";
import type { NodeExecutionKey } from "../../ports/nodeexecutions";
import type { TaskExecutionKey } from "../../ports/taskexecutions";

export function validateExecutionId(id: WorkflowExecutionIdentifier | undefined): asserts id is WorkflowExecutionIdentifier {
  if (!id) throw missingArgument("id");
  requireId(id.project, "project");
  requireId(id.domain, "domain");
  requireId(id.name, "name");
}

export const executionKeyOf = (id: WorkflowExecutionIdentifier): ExecutionKey => ({ project: id.project, domain: id.domain, name: id.name });

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
  return {
    task: { project: t.project, domain: t.domain, name: t.name, version: t.version },
    node: nodeKeyOf(id.nodeExecutionId),
    retryAttempt: id.retryAttempt,
  };
}
