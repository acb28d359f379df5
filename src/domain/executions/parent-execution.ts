// A child execution (launched by a launch-plan node) inherits from its parent: the node and execution
// it came from, the principal, one more level of nesting and the cluster label.
import { fromBinary } from "@bufbuild/protobuf";
import { ExecutionSpecSchema, type ExecutionSpec } from "../../gen/flyteidl/admin/execution_pb";
import { missingArgument, notFound } from "../../kernel/errors";
import type { ExecutionStore } from "../../ports/executions";
import type { NodeExecutionStore } from "../../ports/nodeexecutions";
import { executionKeyOf } from "../shared/execution-keys";
import { missingExecution } from "../shared/not-found";

/** The rows an execution descends from (null for a top-level one). */
export interface Lineage {
  parentNodeExecutionId: number | null;
  sourceExecutionId: number | null;
}

/** Reads the parent named in `spec.metadata` and copies what is inherited onto `spec`. */
export async function inheritFromParent(spec: ExecutionSpec, stores: { executions: ExecutionStore; nodeExecutions: NodeExecutionStore }): Promise<Lineage> {
  const metadata = spec.metadata;
  const parent = metadata?.parentNodeExecution;
  if (!metadata || !parent) return { parentNodeExecutionId: null, sourceExecutionId: null };
  const exec = parent.executionId;
  if (!exec) throw missingArgument("parent_node_execution.execution_id");
  const node = await stores.nodeExecutions.get({ project: exec.project, domain: exec.domain, name: exec.name, nodeId: parent.nodeId });
  if (!node) throw notFound(`missing entity of type node execution with identifier node_id:"${parent.nodeId}"`);
  const source = await stores.executions.get(executionKeyOf(exec));
  if (!source) throw missingExecution(executionKeyOf(exec));
  metadata.principal = source.user;
  const sourceSpec = fromBinary(ExecutionSpecSchema, source.spec);
  metadata.nesting = (sourceSpec.metadata?.nesting ?? 0) + 1;
  if (sourceSpec.executionClusterLabel) spec.executionClusterLabel = sourceSpec.executionClusterLabel;
  return { parentNodeExecutionId: node.id ?? null, sourceExecutionId: source.id ?? null };
}
