// flyteidl.service.DataProxyService: signed upload and download locations, deck links and flyte:// data.
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { DataProxyService } from "../gen/flyteidl/service/dataproxy_pb";
import type { DataProxyManager } from "../domain/dataproxy/manager";
import type { ArtifactReader } from "../domain/dataproxy/artifacts";

/** Where the caller reached us: the gateway's x-forwarded-* headers, else the call's own URL. */
export function callerBaseUrl(ctx: HandlerContext): string {
  const host = ctx.requestHeader.get("x-forwarded-host");
  const proto = ctx.requestHeader.get("x-forwarded-proto");
  if (host) return `${proto || "http"}://${host}`;
  return new URL(ctx.url).origin;
}

export function dataProxyService(manager: DataProxyManager, artifacts: ArtifactReader): Partial<ServiceImpl<typeof DataProxyService>> {
  return {
    createUploadLocation: (req, ctx) => manager.createUploadLocation(req, callerBaseUrl(ctx)),
    createDownloadLocation: (req, ctx) => manager.createDownloadLocation(req, callerBaseUrl(ctx)),
    createDownloadLink: (req, ctx) => artifacts.createDownloadLink(req, callerBaseUrl(ctx)),
    getData: (req, ctx) => artifacts.getData(req, callerBaseUrl(ctx)),
  };
}
