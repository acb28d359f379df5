// A stored execution as the API returns it: spec and closure decoded, with what older rows lack filled
// in (the state change, an abort's cause) and, in lists, long error messages cut.
import { create, fromBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ExecutionClosureSchema, ExecutionSchema, ExecutionSpecSchema, type Execution, type ExecutionState } from "../../gen/flyteidl/admin/execution_pb";
import type { ExecutionRecord } from "../../ports/executions";

export function toExecution(r: ExecutionRecord, trimErrors = false): Execution {
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
