// Inputs and outputs carried by node and task events, stored as upstream stores them: inputs once (a
// URI as given, inline data offloaded to a blob), outputs as a URI, inline data (offloaded unless the
// policy keeps it inline) or an error.
import { toBinary } from "@bufbuild/protobuf";
import { LiteralMapSchema, type LiteralMap } from "../../gen/flyteidl/core/literals_pb";
import type { ExecutionError } from "../../gen/flyteidl/core/execution_pb";
import type { BlobStore } from "../../ports/blob";

type InputValue = { case: "inputUri"; value: string } | { case: "inputData"; value: LiteralMap } | { case: undefined; value?: undefined };
type OutputResult =
  | { case: "outputUri"; value: string }
  | { case: "error"; value: ExecutionError }
  | { case: "outputData"; value: LiteralMap }
  | { case: undefined; value?: undefined };

/** The input URI to keep: the current one if set, else the event's (inline data offloaded to `offloadUri`). */
export async function eventInputUri(blobs: BlobStore, current: string, input: InputValue, offloadUri: () => string): Promise<string> {
  if (current !== "") return current;
  if (input.case === "inputUri") return input.value;
  if (input.case === "inputData") {
    const uri = offloadUri();
    await blobs.write(uri, toBinary(LiteralMapSchema, input.value));
    return uri;
  }
  return "";
}

/** The closure's output result for a terminal event, or undefined when the event carries none. */
export async function eventOutputResult(
  blobs: BlobStore,
  out: OutputResult,
  policy: "Offload" | "StoreInline",
  offloadUri: () => string,
): Promise<Exclude<OutputResult, { case: undefined }> | undefined> {
  if (out.case === "outputUri") return out.value !== "" ? out : undefined;
  if (out.case === "error") return out;
  if (out.case === "outputData") {
    if (policy === "StoreInline") return out;
    const uri = offloadUri();
    await blobs.write(uri, toBinary(LiteralMapSchema, out.value));
    return { case: "outputUri", value: uri };
  }
  return undefined;
}
