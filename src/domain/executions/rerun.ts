// Relaunch and recover start a new execution from an old one: its spec and user inputs again, marked
// with the mode and the execution it repeats (which a recovery resumes from).
import { create, fromBinary } from "@bufbuild/protobuf";
import {
  ExecutionMetadataSchema,
  ExecutionSpecSchema,
  type ExecutionCreateRequest,
  type ExecutionMetadata_ExecutionMode,
} from "../../gen/flyteidl/admin/execution_pb";
import { WorkflowExecutionIdentifierSchema } from "../../gen/flyteidl/core/identifier_pb";
import type { BlobStore } from "../../ports/blob";
import type { ExecutionRecord } from "../../ports/executions";
import { readLiteralMap } from "../shared/read-data";

/** The create request that runs `old` again as `name` ("" for a generated one). */
export async function rerunRequest(
  old: ExecutionRecord,
  name: string,
  mode: ExecutionMetadata_ExecutionMode,
  blobs: BlobStore,
  overwriteCache?: boolean,
): Promise<ExecutionCreateRequest> {
  const spec = fromBinary(ExecutionSpecSchema, old.spec);
  const oldId = create(WorkflowExecutionIdentifierSchema, { project: old.project, domain: old.domain, name: old.name });
  const metadata = (spec.metadata ??= create(ExecutionMetadataSchema));
  metadata.mode = mode;
  metadata.referenceExecution = oldId;
  metadata.systemMetadata = undefined;
  if (overwriteCache !== undefined) spec.overwriteCache = overwriteCache;
  const { full: userInputs } = await readLiteralMap(blobs, old.userInputsUri);
  return { $typeName: "flyteidl.admin.ExecutionCreateRequest", project: old.project, domain: old.domain, name, spec, inputs: userInputs, org: "" };
}
