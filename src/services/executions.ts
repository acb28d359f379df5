// The execution RPCs of flyteidl.service.AdminService: read the request, call the execution manager,
// build the response.
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

export function executionRpcs(executions: ExecutionManager): Partial<ServiceImpl<typeof AdminService>> {
  return {
    createExecution: async (req) => create(ExecutionCreateResponseSchema, { id: await executions.create(req) }),
    relaunchExecution: async (req) => create(ExecutionCreateResponseSchema, { id: await executions.relaunch(req) }),
    recoverExecution: async (req) => create(ExecutionCreateResponseSchema, { id: await executions.recover(req) }),
    getExecution: (req) => executions.get(req.id),
    async updateExecution(req) {
      await executions.update(req);
      return create(ExecutionUpdateResponseSchema);
    },
    getExecutionData: (req) => executions.getData(req.id),
    listExecutions: async (req) => create(ExecutionListSchema, await executions.list(req)),
    async terminateExecution(req) {
      await executions.terminate(req);
      return create(ExecutionTerminateResponseSchema);
    },
  };
}
