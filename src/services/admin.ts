// flyteidl.service.AdminService: read the request, call one manager, build the response. RPCs not
// listed here answer Unimplemented on every protocol (Connect fills them in).
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { AdminService } from "../gen/flyteidl/service/admin_pb";
import { GetDomainsResponseSchema, ProjectRegisterResponseSchema, ProjectUpdateResponseSchema, ProjectsSchema } from "../gen/flyteidl/admin/project_pb";
import { GetVersionResponseSchema, VersionSchema } from "../gen/flyteidl/admin/version_pb";
import type { ProjectManager } from "../domain/projects/manager";
import type { TaskManager } from "../domain/tasks/manager";
import type { NamedEntityManager } from "../domain/namedentities/manager";
import type { DescriptionManager } from "../domain/descriptions/manager";
import type { WorkflowManager } from "../domain/workflows/manager";
import type { LaunchPlanManager } from "../domain/launchplans/manager";
import type { ExecutionManager } from "../domain/executions/manager";
import type { NodeExecutionManager } from "../domain/nodeexecutions/manager";
import type { TaskExecutionManager } from "../domain/taskexecutions/manager";
import type { MetricsManager } from "../domain/metrics/manager";
import { executionRpcs } from "./executions";
import { matchableRpcs } from "./matchable";
import type { MatchableAttributesManager } from "../domain/matchable/manager";
import { WorkflowCreateResponseSchema, WorkflowListSchema } from "../gen/flyteidl/admin/workflow_pb";
import { LaunchPlanCreateResponseSchema, LaunchPlanListSchema, LaunchPlanUpdateResponseSchema } from "../gen/flyteidl/admin/launch_plan_pb";
import { DescriptionEntityListSchema } from "../gen/flyteidl/admin/description_entity_pb";
import { TaskCreateResponseSchema, TaskListSchema } from "../gen/flyteidl/admin/task_pb";
import { NamedEntityIdentifierListSchema, NamedEntityListSchema, NamedEntityUpdateResponseSchema } from "../gen/flyteidl/admin/common_pb";
import { ResourceType, type Identifier } from "../gen/flyteidl/core/identifier_pb";
import type { VersionInfo } from "../kernel/version";

export interface AdminDeps {
  projects: ProjectManager;
  tasks: TaskManager;
  workflows: WorkflowManager;
  launchPlans: LaunchPlanManager;
  executions?: { executions: ExecutionManager; nodes: NodeExecutionManager; tasks: TaskExecutionManager; metrics: MetricsManager };
  matchable?: MatchableAttributesManager;
  namedEntities: NamedEntityManager;
  descriptions: DescriptionManager;
  version: VersionInfo;
}

/** REST paths carry no resource type; upstream's RPC layer fills it in for reads (never for creates). */
function withType(id: Identifier | undefined, type: ResourceType): Identifier | undefined {
  return id && id.resourceType === ResourceType.UNSPECIFIED ? { ...id, resourceType: type } : id;
}

export function adminService(deps: AdminDeps): Partial<ServiceImpl<typeof AdminService>> {
  const { projects, tasks, workflows, launchPlans, executions, matchable, namedEntities, descriptions, version } = deps;
  return {
    // Unlike tasks and workflows, upstream does not imply the type here: unset is "invalid value for resource_type".
    getDescriptionEntity: (req) => descriptions.get(req.id),
    listDescriptionEntities: async (req) => create(DescriptionEntityListSchema, await descriptions.list(req)),
    getNamedEntity: (req) => namedEntities.get(req),
    async updateNamedEntity(req) {
      await namedEntities.update(req);
      return create(NamedEntityUpdateResponseSchema);
    },
    listNamedEntities: async (req) => create(NamedEntityListSchema, await namedEntities.list(req)),
    ...taskRpcs(tasks),
    ...workflowRpcs(workflows),
    ...launchPlanRpcs(launchPlans),
    ...(executions && executionRpcs(executions.executions, executions.nodes, executions.tasks, executions.metrics)),
    ...(matchable && matchableRpcs(matchable)),
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

type Rpcs = Partial<ServiceImpl<typeof AdminService>>;

function taskRpcs(tasks: TaskManager): Rpcs {
  return {
    async createTask(req) {
      await tasks.create(req);
      return create(TaskCreateResponseSchema);
    },
    getTask: (req) => tasks.get(withType(req.id, ResourceType.TASK)),
    listTasks: async (req) => create(TaskListSchema, await tasks.list(req)),
    listTaskIds: async (req) => create(NamedEntityIdentifierListSchema, await tasks.listIds(req)),
  };
}

function workflowRpcs(workflows: WorkflowManager): Rpcs {
  return {
    async createWorkflow(req) {
      await workflows.create(req);
      return create(WorkflowCreateResponseSchema);
    },
    getWorkflow: (req) => workflows.get(withType(req.id, ResourceType.WORKFLOW)),
    listWorkflows: async (req) => create(WorkflowListSchema, await workflows.list(req)),
    listWorkflowIds: async (req) => create(NamedEntityIdentifierListSchema, await workflows.listIds(req)),
  };
}

function launchPlanRpcs(launchPlans: LaunchPlanManager): Rpcs {
  return {
    async createLaunchPlan(req) {
      await launchPlans.create(req);
      return create(LaunchPlanCreateResponseSchema);
    },
    getLaunchPlan: (req) => launchPlans.get(withType(req.id, ResourceType.LAUNCH_PLAN)),
    getActiveLaunchPlan: (req) => launchPlans.getActive(req),
    listActiveLaunchPlans: async (req) => create(LaunchPlanListSchema, await launchPlans.listActive(req)),
    listLaunchPlans: async (req) => create(LaunchPlanListSchema, await launchPlans.list(req)),
    listLaunchPlanIds: async (req) => create(NamedEntityIdentifierListSchema, await launchPlans.listIds(req)),
    async updateLaunchPlan(req) {
      await launchPlans.update({ ...req, id: withType(req.id, ResourceType.LAUNCH_PLAN) });
      return create(LaunchPlanUpdateResponseSchema);
    },
  };
}
