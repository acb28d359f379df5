// Builds the service implementations over the managers, and says which services are served.
import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import { adminService } from "../services/admin";
import { signalService } from "../services/signal";
import { dataProxyService } from "../services/dataproxy";
import { healthService } from "../services/health";
import { reflectionServices, ServerReflectionV1, ServerReflectionV1Alpha } from "../services/reflection";
import { shutdownSignal } from "../edge/listen-shutdown";
import { flyteServices, type ServiceImpls } from "../edge/routes";
import { AuthMetadataService } from "../gen/flyteidl/service/auth_pb";
import { IdentityService } from "../gen/flyteidl/service/identity_pb";
import { versionInfo } from "../kernel/version";
import type { AdditionalService, DataProxyPlugin } from "../plugins/types";
import type { Managers } from "./managers";

export interface ServiceOptions {
  /** True while the database answers (grpc.health.v1.Health). */
  healthy: () => Promise<boolean>;
  /** server.grpc.serverReflection: serve reflection v1 and v1alpha. */
  reflection: boolean;
  /** The DataProxy plugin: replaces or wraps the built-in DataProxyService. */
  dataProxy?: DataProxyPlugin;
  /** The AdditionalGRPCService plugin: more services on the same router. */
  additional?: readonly AdditionalService[];
  /** With auth on: AuthMetadataService and IdentityService (off: registered, answering Unimplemented). */
  auth?: Pick<ServiceImpls, "authMetadata" | "identity">;
}

/** Both reflection versions, registered on a router. */
function registerReflection(services: DescService[]): (router: ConnectRouter) => void {
  const r = reflectionServices(services);
  return (router) => {
    router.service(ServerReflectionV1, r.v1);
    router.service(ServerReflectionV1Alpha, r.v1alpha);
  };
}

export function buildServices(m: Managers, opts: ServiceOptions): ServiceImpls {
  const additional = opts.additional ?? [];
  const described = [...flyteServices, ...additional.map((a) => a.service)];
  const builtInDataProxy = dataProxyService(m.dataProxy, m.artifacts);
  return {
    admin: adminService({
      projects: m.projects,
      tasks: m.tasks,
      workflows: m.workflows,
      launchPlans: m.launchPlans,
      executions: { executions: m.executions, nodes: m.nodeExecutions, tasks: m.taskExecutions, metrics: m.metrics },
      matchable: m.matchable,
      namedEntities: m.namedEntities,
      descriptions: m.descriptions,
      version: versionInfo,
    }),
    signal: signalService(m.signals),
    dataProxy: opts.dataProxy ? opts.dataProxy(builtInDataProxy) : builtInDataProxy,
    ...opts.auth,
    // Served means answered: without auth, AuthMetadataService and IdentityService are registered but
    // answer Unimplemented (upstream does not register them), so health does not call them served.
    health: healthService(opts.healthy, {
      services: [
        ...described.filter((s) => opts.auth || (s !== AuthMetadataService && s !== IdentityService)),
        ...(opts.reflection ? [ServerReflectionV1, ServerReflectionV1Alpha] : []),
      ].map((s) => s.typeName),
      shutdown: shutdownSignal,
    }),
    extra: [...additional.map((a) => (router: ConnectRouter) => a.register(router)), ...(opts.reflection ? [registerReflection(described)] : [])],
  };
}
