// Inputs and outputs of executions, node executions and task executions as the Get*Data calls return
// them: read from their blobs, or taken from inline closure data when it is small enough.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { LiteralMapSchema, type LiteralMap } from "../../gen/flyteidl/core/literals_pb";
import { UrlBlobSchema, type UrlBlob } from "../../gen/flyteidl/admin/common_pb";
import type { BlobStore } from "../../ports/blob";

export async function readLiteralMap(blobs: BlobStore, uri: string): Promise<{ full: LiteralMap; blob: UrlBlob }> {
  if (uri === "") return { full: create(LiteralMapSchema), blob: create(UrlBlobSchema) };
  // A missing or unreadable blob is not an error: the response still carries what is known.
  const bytes = await blobs.read(uri).catch(() => undefined);
  return { full: bytes ? fromBinary(LiteralMapSchema, bytes) : create(LiteralMapSchema), blob: create(UrlBlobSchema) };
}

/** Outputs: inline data when under `maxSizeInBytes`, else what the output URI holds. */
export async function readOutputs(
  blobs: BlobStore,
  outputUri: string,
  inline: LiteralMap | undefined,
  maxSizeInBytes: number,
): Promise<{ full: LiteralMap; blob: UrlBlob }> {
  if (inline) {
    const fits = maxSizeInBytes === 0 || toBinary(LiteralMapSchema, inline).length < maxSizeInBytes;
    return { full: fits ? inline : create(LiteralMapSchema), blob: create(UrlBlobSchema) };
  }
  return readLiteralMap(blobs, outputUri);
}
