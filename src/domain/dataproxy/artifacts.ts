// The data proxy's execution artifacts: a signed link to a node's deck (CreateDownloadLink) and the
// inputs/outputs a flyte:// URL names (GetData), read through the node and task execution rules.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  ArtifactType,
  CreateDownloadLinkResponseSchema,
  GetDataResponseSchema,
  type CreateDownloadLinkRequest,
  type CreateDownloadLinkResponse,
  type GetDataRequest,
  type GetDataResponse,
} from "../../gen/flyteidl/service/dataproxy_pb";
import { NodeExecutionIdentifierSchema, type NodeExecutionIdentifier } from "../../gen/flyteidl/core/identifier_pb";
import type { LiteralMap } from "../../gen/flyteidl/core/literals_pb";
import { AdminError, internal, invalidArgument, notFound } from "../../kernel/errors";
import { goText } from "../../kernel/go-text";
import type { BlobStore } from "../../ports/blob";
import type { NodeExecutionManager } from "../nodeexecutions/manager";
import type { TaskExecutionManager } from "../taskexecutions/manager";
import { expiry } from "./manager";

const urlPattern = /^flyte:\/\/v1\/([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_-]+)(?:\/([0-9]+))?\/([iod])(?:\/([a-zA-Z0-9_-]+))?$/;

/** flyte://v1/<project>/<domain>/<execution>/<node>[/<attempt>]/<i|o|d>[/<literal name>] */
export function parseFlyteUrl(url: string): { node: NodeExecutionIdentifier; attempt?: number; io: "i" | "o" | "d"; name: string } {
  const m = urlPattern.exec(url);
  // A literal name only follows i or o.
  if (!m || (m[6] === "d" && m[7] !== undefined)) throw new Error(`failed to parse [${url}]`);
  const node = create(NodeExecutionIdentifierSchema, { nodeId: m[4], executionId: { project: m[1], domain: m[2], name: m[3] } });
  return { node, attempt: m[5] !== undefined ? Number(m[5]) : undefined, io: m[6] as "i" | "o" | "d", name: m[7] ?? "" };
}

export class ArtifactReader {
  constructor(
    private readonly nodes: NodeExecutionManager,
    private readonly tasks: TaskExecutionManager,
    private readonly blobs: BlobStore,
    private readonly maxExpiresIn: string,
  ) {}

  async createDownloadLink(req: CreateDownloadLinkRequest, baseUrl: string): Promise<CreateDownloadLinkResponse> {
    let ttl: number;
    try {
      ttl = expiry(req.expiresIn, this.maxExpiresIn);
      if (req.artifactType === ArtifactType.UNDEFINED) throw new Error(`invalid artifact type [${ArtifactType[req.artifactType]}]`);
      if (req.source.case === undefined) throw new Error("source is required. Provided nil");
    } catch (e) {
      throw invalidArgument(`error while validating request. Error: ${(e as Error).message}`);
    }
    const nodeId = req.source.value;
    let nativeUrl = "";
    try {
      if (req.artifactType === ArtifactType.DECK) nativeUrl = await this.nodes.deckUri(nodeId);
    } catch (e) {
      throw invalidArgument(`failed to find node execution [${goText(NodeExecutionIdentifierSchema, nodeId)}]. Error: ${(e as Error).message}`);
    }
    if (nativeUrl === "") throw notFound(`no deckUrl found for request [${goText(NodeExecutionIdentifierSchema, nodeId)}]`);
    const head = await this.blobs.head(nativeUrl).catch((e: unknown) => {
      throw internal(`failed to head object before signing url. Error: ${(e as Error).message}`);
    });
    if (!head) throw notFound("object not found");
    const signed = await this.blobs.signedUrl(nativeUrl, { method: "GET", expiresInSeconds: ttl / 1000, baseUrl }).catch((e: unknown) => {
      throw internal(`failed to create a signed url. Error: ${(e as Error).message}`);
    });
    const expiresAt = timestampFromDate(new Date(Date.now() + ttl));
    return create(CreateDownloadLinkResponseSchema, { signedUrl: [signed.url], expiresAt, preSignedUrls: { signedUrl: [signed.url], expiresAt } });
  }

  private static pick(map: LiteralMap | undefined, name: string, what: string): GetDataResponse {
    if (name === "")
      return create(GetDataResponseSchema, { data: { case: "literalMap", value: map ?? { $typeName: "flyteidl.core.LiteralMap", literals: {} } } });
    const literal = map?.literals[name];
    if (!literal) throw invalidArgument(`name [${name}] not found in ${what}`);
    return create(GetDataResponseSchema, { data: { case: "literal", value: literal } });
  }

  async getData(req: GetDataRequest, baseUrl: string): Promise<GetDataResponse> {
    if (req.flyteUrl === "") throw invalidArgument("failed to validate resolve artifact request. Error: source is required. Provided empty string");
    if (!req.flyteUrl.startsWith("flyte://"))
      throw invalidArgument("failed to validate resolve artifact request. Error: request does not start with the correct prefix");
    let parsed: ReturnType<typeof parseFlyteUrl>;
    try {
      parsed = parseFlyteUrl(req.flyteUrl);
    } catch (e) {
      throw invalidArgument(`failed to parse artifact url Error: ${(e as Error).message}`);
    }
    const { node, attempt, io, name } = parsed;
    if (attempt === undefined) {
      if (io === "d") {
        const link = await this.createDownloadLink(
          { $typeName: "flyteidl.service.CreateDownloadLinkRequest", artifactType: ArtifactType.DECK, source: { case: "nodeExecutionId", value: node } },
          baseUrl,
        );
        return create(GetDataResponseSchema, {
          data: { case: "preSignedUrls", value: link.preSignedUrls ?? { $typeName: "flyteidl.service.PreSignedURLs", signedUrl: [] } },
        });
      }
      const data = await this.nodes.getData(node);
      return ArtifactReader.pick(io === "i" ? data.fullInputs : data.fullOutputs, name, `node execution [${goText(NodeExecutionIdentifierSchema, node)}]`);
    }
    if (io === "d") throw invalidArgument("deck type cannot be specified with a retry attempt, just use the node instead");
    let taskId;
    try {
      taskId = await this.tasks.findAttempt(
        { project: node.executionId?.project ?? "", domain: node.executionId?.domain ?? "", name: node.executionId?.name ?? "", nodeId: node.nodeId },
        attempt,
      );
    } catch (e) {
      if (e instanceof AdminError) throw e;
      throw invalidArgument(`failed to list task executions. Error: ${(e as Error).message}`);
    }
    const data = await this.tasks.getData(taskId);
    return ArtifactReader.pick(io === "i" ? data.fullInputs : data.fullOutputs, name, "task execution");
  }
}
