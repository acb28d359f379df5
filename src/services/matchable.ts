// The matchable-attribute RPCs of flyteidl.service.AdminService (project, project-domain and workflow
// attributes, and the list of every configuration of a type).
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { AdminService } from "../gen/flyteidl/service/admin_pb";
import {
  ProjectAttributesDeleteResponseSchema,
  ProjectAttributesGetResponseSchema,
  ProjectAttributesUpdateResponseSchema,
} from "../gen/flyteidl/admin/project_attributes_pb";
import {
  ProjectDomainAttributesDeleteResponseSchema,
  ProjectDomainAttributesGetResponseSchema,
  ProjectDomainAttributesUpdateResponseSchema,
} from "../gen/flyteidl/admin/project_domain_attributes_pb";
import {
  WorkflowAttributesDeleteResponseSchema,
  WorkflowAttributesGetResponseSchema,
  WorkflowAttributesUpdateResponseSchema,
} from "../gen/flyteidl/admin/workflow_attributes_pb";
import type { MatchableAttributesManager } from "../domain/matchable/manager";

export function matchableRpcs(m: MatchableAttributesManager): Partial<ServiceImpl<typeof AdminService>> {
  return {
    async updateProjectAttributes(req) {
      await m.updateProject(req);
      return create(ProjectAttributesUpdateResponseSchema);
    },
    getProjectAttributes: async (req) => create(ProjectAttributesGetResponseSchema, { attributes: await m.getProject(req) }),
    async deleteProjectAttributes(req) {
      await m.deleteProject(req);
      return create(ProjectAttributesDeleteResponseSchema);
    },
    async updateProjectDomainAttributes(req) {
      await m.updateProjectDomain(req);
      return create(ProjectDomainAttributesUpdateResponseSchema);
    },
    getProjectDomainAttributes: async (req) => create(ProjectDomainAttributesGetResponseSchema, { attributes: await m.getProjectDomain(req) }),
    async deleteProjectDomainAttributes(req) {
      await m.deleteProjectDomain(req);
      return create(ProjectDomainAttributesDeleteResponseSchema);
    },
    async updateWorkflowAttributes(req) {
      await m.updateWorkflow(req);
      return create(WorkflowAttributesUpdateResponseSchema);
    },
    getWorkflowAttributes: async (req) => create(WorkflowAttributesGetResponseSchema, { attributes: await m.getWorkflow(req) }),
    async deleteWorkflowAttributes(req) {
      await m.deleteWorkflow(req);
      return create(WorkflowAttributesDeleteResponseSchema);
    },
    listMatchableAttributes: (req) => m.listAll(req),
  };
}
