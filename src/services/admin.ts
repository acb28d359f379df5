// flyteidl.service.AdminService: read the request, call one manager, build the response. RPCs not
// listed here answer Unimplemented on every protocol (Connect fills them in).
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { AdminService } from "../gen/flyteidl/service/admin_pb";
import {
  GetDomainsResponseSchema,
  ProjectRegisterResponseSchema,
  ProjectUpdateResponseSchema,
  ProjectsSchema,
} from "../gen/flyteidl/admin/project_pb";
import { GetVersionResponseSchema, VersionSchema } from "../gen/flyteidl/admin/version_pb";
import type { ProjectManager } from "../domain/projects/manager";
import type { VersionInfo } from "../version";

export interface AdminDeps {
  projects: ProjectManager;
  version: VersionInfo;
}

export function adminService(deps: AdminDeps): Partial<ServiceImpl<typeof AdminService>> {
  const { projects, version } = deps;
  return {
    async registerProject(req) {
      await projects.register(req.project);
      return create(ProjectRegisterResponseSchema);
    },
    async updateProject(req) {
      await projects.update(req);
      return create(ProjectUpdateResponseSchema);
    },
    async getProject(req) {
      return projects.get(req.id);
    },
    async listProjects(req) {
      return create(ProjectsSchema, await projects.list(req));
    },
    async getDomains() {
      return create(GetDomainsResponseSchema, { domains: projects.getDomains() });
    },
    async getVersion() {
      return create(GetVersionResponseSchema, {
        controlPlaneVersion: create(VersionSchema, {
          Version: version.version,
          Build: version.build,
          BuildTime: version.buildTime,
        }),
      });
    },
  };
}

export { AdminService };
