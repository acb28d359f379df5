// The execution RPCs of flyteidl.service.AdminService (executions, node and task executions and the
// events propeller sends): read the request, call the manager, build the response.
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { AdminService } from "../gen/flyteidl/service/admin_pb";
import {
  ExecutionCreateResponseSchema,
  ExecutionListSchema,
  ExecutionTerminateResponseSchema,
  ExecutionUpdateResponseSchema,
} from "../gen/flyteidl/admin/execution_pb";
import type { ExecutionManager } from "../domain/executions/manager";
import { retryStale } from "../domain/shared/event-rules";
import { NodeExecutionEventResponseSchema, TaskExecutionEventResponseSchema, WorkflowExecutionEventResponseSchema } from "../gen/flyteidl/admin/event_pb";
import { NodeExecutionListSchema } from "../gen/flyteidl/admin/node_execution_pb";
import { TaskExecutionListSchema } from "../gen/flyteidl/admin/task_execution_pb";
import type { NodeExecutionManager } from "../domain/nodeexecutions/manager";
import type { TaskExecutionManager } from "../domain/taskexecutions/manager";
import type { MetricsManager } from "../domain/metrics/manager";
import { principalOf } from "./caller";

export function executionRpcs(
  executions: ExecutionManager,
  nodes: NodeExecutionManager,
  tasks: TaskExecutionManager,
  metrics: MetricsManager,
): Partial<ServiceImpl<typeof AdminService>> {
  return {
    getExecutionMetrics: (req) => metrics.getExecutionMetrics(req),
    async createNodeEvent(req) {
      await nodes.createEvent(req);
      return create(NodeExecutionEventResponseSchema);
    },
    async createTaskEvent(req) {
      await tasks.createEvent(req);
      return create(TaskExecutionEventResponseSchema);
    },
    getNodeExecution: (req) => nodes.get(req.id),
    listNodeExecutions: async (req) => create(NodeExecutionListSchema, await nodes.list(req)),
    listNodeExecutionsForTask: async (req) => create(NodeExecutionListSchema, await nodes.listForTask(req)),
    getNodeExecutionData: (req) => nodes.getData(req.id),
    getDynamicNodeWorkflow: (req) => nodes.getDynamicWorkflow(req.id),
    getTaskExecution: (req) => tasks.get(req.id),
    listTaskExecutions: async (req) => create(TaskExecutionListSchema, await tasks.list(req)),
    getTaskExecutionData: (req) => tasks.getData(req.id),
    createExecution: async (req, ctx) => create(ExecutionCreateResponseSchema, { id: await executions.create(req, {}, principalOf(ctx)) }),
    relaunchExecution: async (req, ctx) => create(ExecutionCreateResponseSchema, { id: await executions.relaunch(req, principalOf(ctx)) }),
    recoverExecution: async (req, ctx) => create(ExecutionCreateResponseSchema, { id: await executions.recover(req, principalOf(ctx)) }),
    getExecution: (req) => executions.get(req.id),
    async updateExecution(req, ctx) {
      await executions.update(req, principalOf(ctx));
      return create(ExecutionUpdateResponseSchema);
    },
    getExecutionData: (req) => executions.getData(req.id),
    listExecutions: async (req) => create(ExecutionListSchema, await executions.list(req)),
    async createWorkflowEvent(req) {
      // The event's write is a compare-and-set (domain/executions/events.ts); a call that loses a race is handled again here
      // from a fresh read, the one layer above the manager's read-check-write.
      await retryStale(() => executions.createWorkflowEvent(req));
      return create(WorkflowExecutionEventResponseSchema);
    },
    async terminateExecution(req, ctx) {
      await executions.terminate(req, principalOf(ctx));
      return create(ExecutionTerminateResponseSchema);
    },
  };
}
