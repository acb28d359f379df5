// Which services the server answers, registered once for every protocol. Services without an
// implementation yet are still registered, so their RPCs answer Unimplemented rather than 404.
import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, ServiceImpl } from "@connectrpc/connect";
import { AdminService } from "../gen/flyteidl/service/admin_pb";
import { AuthMetadataService } from "../gen/flyteidl/service/auth_pb";
import { DataProxyService } from "../gen/flyteidl/service/dataproxy_pb";
import { IdentityService } from "../gen/flyteidl/service/identity_pb";
import { SignalService } from "../gen/flyteidl/service/signal_pb";
import { Health } from "../gen/grpc/health/v1/health_pb";

/** The services with google.api.http bindings: the REST gateway is derived from these. */
export const flyteServices: DescService[] = [AdminService, SignalService, DataProxyService, AuthMetadataService, IdentityService];

export interface ServiceImpls {
  admin: Partial<ServiceImpl<typeof AdminService>>;
  signal?: Partial<ServiceImpl<typeof SignalService>>;
  dataProxy?: Partial<ServiceImpl<typeof DataProxyService>>;
  authMetadata?: Partial<ServiceImpl<typeof AuthMetadataService>>;
  identity?: Partial<ServiceImpl<typeof IdentityService>>;
  health: Partial<ServiceImpl<typeof Health>>;
  /** More services (reflection, plugins), each registering itself. */
  extra?: Array<(router: ConnectRouter) => void>;
}

export function routes(impls: ServiceImpls): (router: ConnectRouter) => void {
  return (router) => {
    router.service(AdminService, impls.admin);
    router.service(SignalService, impls.signal ?? {});
    router.service(DataProxyService, impls.dataProxy ?? {});
    router.service(AuthMetadataService, impls.authMetadata ?? {});
    router.service(IdentityService, impls.identity ?? {});
    router.service(Health, impls.health);
    for (const register of impls.extra ?? []) register(router);
  };
}
