// flyteidl.service.AuthMetadataService: where clients get tokens (GetOAuth2Metadata) and how the CLIs
// should ask for them (GetPublicClientConfig). Both answer without a credential, as upstream's.
import { create } from "@bufbuild/protobuf";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { type AuthMetadataService, OAuth2MetadataResponseSchema, PublicClientAuthConfigResponseSchema } from "../gen/flyteidl/service/auth_pb";
import { publicUrl, requestUrl } from "../auth/public-url";

import type { OAuth2Metadata } from "../auth/oauth2-metadata";

export interface AuthMetadataOptions {
  /** The metadata for a call that reached us at `publicUrl` (Self builds it; External relays it). */
  metadata(publicUrl: URL): OAuth2Metadata | Promise<OAuth2Metadata>;
  authorizedUris: readonly URL[];
  flyteClient: { clientId: string; redirectUri: string; scopes: string[]; audience: string };
  /** auth.grpcAuthorizationHeader: the metadata key clients should send their token under. */
  authorizationMetadataKey: string;
}

/** The public URL of a call: its x-forwarded-host (REST sets it), else the host it addressed. */
export function callPublicUrl(ctx: HandlerContext, authorizedUris: readonly URL[]): URL {
  const host = ctx.requestHeader.get("x-forwarded-host") || new URL(ctx.url).host;
  return publicUrl(requestUrl(host), authorizedUris);
}

export function authMetadataService(opts: AuthMetadataOptions): Partial<ServiceImpl<typeof AuthMetadataService>> {
  return {
    async getOAuth2Metadata(_req, ctx) {
      return create(OAuth2MetadataResponseSchema, await opts.metadata(callPublicUrl(ctx, opts.authorizedUris)));
    },
    getPublicClientConfig() {
      const c = opts.flyteClient;
      return create(PublicClientAuthConfigResponseSchema, {
        clientId: c.clientId,
        redirectUri: c.redirectUri,
        scopes: c.scopes,
        authorizationMetadataKey: opts.authorizationMetadataKey,
        serviceHttpEndpoint: "",
        audience: c.audience,
      });
    },
  };
}
