// Builds the managers over the stores and the service implementations over the managers: the one place
// that knows which concrete pieces make up the server (server.ts then puts the edge in front).
import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import type { Config } from "./config/schema";
import type { Database } from "./stores/db/client";
import type { BlobSetup } from "./stores/blob";
import { projectStore } from "./stores/db/projects";
import { namedEntityStore } from "./stores/db/namedentities";
import { descriptionStore } from "./stores/db/descriptions";
import { ProjectManager } from "./domain/projects/manager";
import { NamedEntityManager } from "./domain/namedentities/manager";
import { DescriptionManager } from "./domain/descriptions/manager";
import { DataProxyManager } from "./domain/dataproxy/manager";
import { adminService } from "./services/admin";
import { dataProxyService } from "./services/dataproxy";
import { healthService } from "./services/health";
import { reflectionServices, ServerReflectionV1, ServerReflectionV1Alpha } from "./services/reflection";
import { flyteServices, type ServiceImpls } from "./edge/routes";
import { versionInfo } from "./version";

/** Both reflection versions, registered on a router. */
function registerReflection(services: DescService[]): (router: ConnectRouter) => void {
  const r = reflectionServices(services);
  return (router) => {
    router.service(ServerReflectionV1, r.v1);
    router.service(ServerReflectionV1Alpha, r.v1alpha);
  };
}

export function buildServiceImpls(config: Config, database: Database, blobs: BlobSetup): ServiceImpls {
  const db = database.db;
  const projects = new ProjectManager(projectStore(db), config.domains);
  return {
    admin: adminService({
      projects,
      namedEntities: new NamedEntityManager(namedEntityStore(db)),
      descriptions: new DescriptionManager(descriptionStore(db)),
      version: versionInfo,
    }),
    dataProxy: dataProxyService(new DataProxyManager(blobs.store, config.server.dataProxy)),
    health: healthService(() => database.ping(), { services: flyteServices.map((s) => s.typeName) }),
    extra: config.server.grpc.serverReflection ? [registerReflection(flyteServices)] : [],
  };
}
