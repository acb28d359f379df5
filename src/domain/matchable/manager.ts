// Matchable attributes, as upstream's resource manager: one row per (project, domain, workflow, launch
// plan, resource type) with a priority by level; updates replace (plugin overrides merge by task type);
// project/domain and workflow reads return the most specific row at or above the level asked; the
// project read folds in the server's execution-config defaults; deletes remove the level and below.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  ListMatchableAttributesResponseSchema,
  MatchableAttributesConfigurationSchema,
  MatchableResource,
  MatchingAttributesSchema,
  WorkflowExecutionConfigSchema,
  type ListMatchableAttributesRequest,
  type ListMatchableAttributesResponse,
  type MatchingAttributes,
} from "../../gen/flyteidl/admin/matchable_resource_pb";
import {
  ProjectAttributesSchema,
  type ProjectAttributes,
  type ProjectAttributesDeleteRequest,
  type ProjectAttributesGetRequest,
  type ProjectAttributesUpdateRequest,
} from "../../gen/flyteidl/admin/project_attributes_pb";
import {
  ProjectDomainAttributesSchema,
  type ProjectDomainAttributes,
  type ProjectDomainAttributesDeleteRequest,
  type ProjectDomainAttributesGetRequest,
  type ProjectDomainAttributesUpdateRequest,
} from "../../gen/flyteidl/admin/project_domain_attributes_pb";
import {
  WorkflowAttributesSchema,
  type WorkflowAttributes,
  type WorkflowAttributesDeleteRequest,
  type WorkflowAttributesGetRequest,
  type WorkflowAttributesUpdateRequest,
} from "../../gen/flyteidl/admin/workflow_attributes_pb";
import { Project_ProjectState } from "../../gen/flyteidl/admin/project_pb";
import { invalidArgument, invalidValue, missingArgument, notFound } from "../../kernel/errors";
import type { ProjectManager } from "../projects/manager";
import { mergeExecConfig, type ExecConfigSource } from "../executions/exec-config";
import type { ResourceKey, ResourceRecord, ResourceStore } from "../../ports/matchable";

const priority = { project: 5, projectDomain: 10, workflow: 100, launchPlan: 1000 };

/** The resource type a MatchingAttributes carries (exactly one target is set). */
function resourceTypeOf(a: MatchingAttributes | undefined, identifier: string): MatchableResource {
  if (!a) throw missingArgument("matching_attributes");
  const byCase: Record<string, MatchableResource> = {
    taskResourceAttributes: MatchableResource.TASK_RESOURCE,
    clusterResourceAttributes: MatchableResource.CLUSTER_RESOURCE,
    executionQueueAttributes: MatchableResource.EXECUTION_QUEUE,
    executionClusterLabel: MatchableResource.EXECUTION_CLUSTER_LABEL,
    pluginOverrides: MatchableResource.PLUGIN_OVERRIDE,
    workflowExecutionConfig: MatchableResource.WORKFLOW_EXECUTION_CONFIG,
    clusterAssignment: MatchableResource.CLUSTER_ASSIGNMENT,
  };
  const t = a.target.case ? byCase[a.target.case] : undefined;
  if (t === undefined) throw invalidArgument(`Unrecognized matching attributes type for request ${identifier}`);
  return t;
}

/** Upstream's check on a lookup key: a type, a project or domain, and no lower level without its parent. */
function checkKey(k: ResourceKey): void {
  const ok =
    k.resourceType !== "" &&
    !(k.domain === "" && k.project === "") &&
    !(k.project === "" && (k.workflow !== "" || k.launchPlan !== "")) &&
    !(k.workflow === "" && k.launchPlan !== "");
  if (!ok) throw invalidArgument(`invalid input: {${k.project} ${k.domain} ${k.workflow} ${k.launchPlan} ${k.resourceType}}`);
}

/** The stored name of a requested resource type; a number outside the enum is the caller's mistake. */
function typeName(t: MatchableResource): string {
  const name = MatchableResource[t];
  if (name === undefined) throw invalidValue("resource_type");
  return name;
}

/** Where attributes are looked up: a project, and optionally a domain, workflow and launch plan below it. */
export interface LookupScope {
  project: string;
  domain?: string;
  workflow?: string;
  launchPlan?: string;
}

/** The key of a lookup at a scope; the levels not given are "" (not that level). */
function lookupKey(resource: MatchableResource, scope: LookupScope): ResourceKey {
  return {
    project: scope.project,
    domain: scope.domain ?? "",
    workflow: scope.workflow ?? "",
    launchPlan: scope.launchPlan ?? "",
    resourceType: MatchableResource[resource],
  };
}

const keyText = (k: ResourceKey) =>
  `{Project:${k.project} Domain:${k.domain} Workflow:${k.workflow} LaunchPlan:${k.launchPlan} ResourceType:${k.resourceType}}`;
const decode = (r: ResourceRecord) => fromBinary(MatchingAttributesSchema, r.attributes);

/** The most specific stored attributes for a scope (upstream's GetResource); undefined when none. */
export function mostSpecific(rows: ResourceRecord[]): ResourceRecord | undefined {
  return [...rows].sort((a, b) => b.priority - a.priority)[0];
}

export class MatchableAttributesManager {
  constructor(
    private readonly store: ResourceStore,
    private readonly projects: ProjectManager,
    private readonly execConfigDefaults: ExecConfigSource,
  ) {}

  /** Most specific attributes for a scope, as executions and tasks resolve them. */
  async resolve(resource: MatchableResource, scope: LookupScope): Promise<MatchingAttributes | undefined> {
    const key = lookupKey(resource, scope);
    checkKey(key);
    const row = mostSpecific(await this.store.matching(key));
    return row && decode(row);
  }

  /**
   * A resolver for one launch that answers every lookup from a single read of the rows that can match
   * (same answers as `resolve`, which reads per lookup).
   */
  async forLaunch(scope: {
    project: string;
    domain: string;
    workflow: string;
    launchPlan: string;
  }): Promise<(resource: MatchableResource, s: LookupScope) => Promise<MatchingAttributes | undefined>> {
    const rows = await this.store.candidates({
      project: scope.project,
      domain: scope.domain,
      workflows: [scope.workflow],
      launchPlans: [scope.launchPlan, scope.workflow],
    });
    return async (resource, s) => {
      const key = lookupKey(resource, s);
      checkKey(key);
      const fits = (column: string, want: string) => column === "" || column === want;
      const row = mostSpecific(
        rows.filter(
          (r) =>
            r.resourceType === key.resourceType &&
            fits(r.project, key.project) &&
            fits(r.domain, key.domain) &&
            fits(r.workflow, key.workflow) &&
            fits(r.launchPlan, key.launchPlan),
        ),
      );
      return row && decode(row);
    };
  }

  private async hierarchical(key: ResourceKey): Promise<ResourceRecord> {
    checkKey(key);
    const row = mostSpecific(await this.store.matching(key));
    if (!row) throw notFound(`Resource [${keyText(key)}] not found`);
    return row;
  }

  /** Upsert; plugin overrides merge with the stored ones by task type. */
  private async save(key: ResourceKey, level: number, attributes: MatchingAttributes): Promise<void> {
    let merged = attributes;
    if (attributes.target.case === "pluginOverrides") {
      const existing = await this.store.getExact(key);
      const byTask = new Map<string, (typeof attributes.target.value.overrides)[number]>();
      const old = existing ? decode(existing).target : undefined;
      if (old?.case === "pluginOverrides") for (const o of old.value.overrides) byTask.set(o.taskType, o);
      for (const o of attributes.target.value.overrides) byTask.set(o.taskType, o);
      merged = create(MatchingAttributesSchema, { target: { case: "pluginOverrides", value: { overrides: [...byTask.values()] } } });
    }
    await this.store.upsert({ ...key, priority: level, attributes: toBinary(MatchingAttributesSchema, merged) });
  }

  /** Project-level writes need a registered, active project. */
  private async activeProject(project: string): Promise<void> {
    let state: Project_ProjectState;
    try {
      state = (await this.projects.get(project)).state;
    } catch (e) {
      throw invalidArgument(`failed to validate that project [${project}] is registered, err: [${(e as Error).message}]`);
    }
    if (state !== Project_ProjectState.ACTIVE) throw invalidArgument(`project [${project}] is not active`);
  }

  async updateProject(req: ProjectAttributesUpdateRequest): Promise<void> {
    const a = req.attributes;
    if (!a) throw missingArgument("attributes");
    await this.activeProject(a.project);
    const type = resourceTypeOf(a.matchingAttributes, a.project);
    await this.save(
      { project: a.project, domain: "", workflow: "", launchPlan: "", resourceType: MatchableResource[type] },
      priority.project,
      a.matchingAttributes as MatchingAttributes,
    );
  }

  async getProject(req: ProjectAttributesGetRequest): Promise<ProjectAttributes> {
    try {
      await this.projects.get(req.project);
    } catch (e) {
      throw invalidArgument(`failed to validate that project [${req.project}] exists, err: [${(e as Error).message}]`);
    }
    const key = { project: req.project, domain: "", workflow: "", launchPlan: "", resourceType: typeName(req.resourceType) };
    const row = await this.store.getExact(key);
    const isExecutionConfig = req.resourceType === MatchableResource.WORKFLOW_EXECUTION_CONFIG;
    if (!row && !isExecutionConfig) throw notFound(`Resource [${keyText(key)}] not found`);
    let attributes = row ? decode(row) : undefined;
    // Execution configs shown per project include the server's defaults, as the console expects.
    if (isExecutionConfig) {
      const stored = attributes?.target.case === "workflowExecutionConfig" ? attributes.target.value : create(WorkflowExecutionConfigSchema);
      attributes = create(MatchingAttributesSchema, { target: { case: "workflowExecutionConfig", value: mergeExecConfig(stored, this.execConfigDefaults) } });
    }
    return create(ProjectAttributesSchema, { project: req.project, matchingAttributes: attributes });
  }

  async deleteProject(req: ProjectAttributesDeleteRequest): Promise<void> {
    await this.activeProject(req.project);
    await this.store.deleteWhere({ project: req.project, resourceType: typeName(req.resourceType) });
  }

  async updateProjectDomain(req: ProjectDomainAttributesUpdateRequest): Promise<void> {
    const a = req.attributes;
    if (!a) throw missingArgument("attributes");
    await this.projects.requireActive(a.project, a.domain);
    const type = resourceTypeOf(a.matchingAttributes, `${a.project}-${a.domain}`);
    await this.save(
      { project: a.project, domain: a.domain, workflow: "", launchPlan: "", resourceType: MatchableResource[type] },
      priority.projectDomain,
      a.matchingAttributes as MatchingAttributes,
    );
  }

  async getProjectDomain(req: ProjectDomainAttributesGetRequest): Promise<ProjectDomainAttributes> {
    await this.projects.requireActive(req.project, req.domain);
    const row = await this.hierarchical({ project: req.project, domain: req.domain, workflow: "", launchPlan: "", resourceType: typeName(req.resourceType) });
    return create(ProjectDomainAttributesSchema, { project: row.project, domain: row.domain, matchingAttributes: decode(row) });
  }

  async deleteProjectDomain(req: ProjectDomainAttributesDeleteRequest): Promise<void> {
    await this.projects.requireActive(req.project, req.domain);
    await this.store.deleteWhere({ project: req.project, domain: req.domain, resourceType: typeName(req.resourceType) });
  }

  async updateWorkflow(req: WorkflowAttributesUpdateRequest): Promise<void> {
    const a = req.attributes;
    if (!a) throw missingArgument("attributes");
    await this.projects.requireActive(a.project, a.domain);
    if (a.workflow === "") throw missingArgument("name");
    const type = resourceTypeOf(a.matchingAttributes, `${a.project}-${a.domain}-${a.workflow}`);
    await this.save(
      { project: a.project, domain: a.domain, workflow: a.workflow, launchPlan: "", resourceType: MatchableResource[type] },
      priority.workflow,
      a.matchingAttributes as MatchingAttributes,
    );
  }

  async getWorkflow(req: WorkflowAttributesGetRequest): Promise<WorkflowAttributes> {
    await this.projects.requireActive(req.project, req.domain);
    if (req.workflow === "") throw missingArgument("name");
    const row = await this.hierarchical({
      project: req.project,
      domain: req.domain,
      workflow: req.workflow,
      launchPlan: "",
      resourceType: typeName(req.resourceType),
    });
    return create(WorkflowAttributesSchema, { project: row.project, domain: row.domain, workflow: row.workflow, matchingAttributes: decode(row) });
  }

  async deleteWorkflow(req: WorkflowAttributesDeleteRequest): Promise<void> {
    await this.projects.requireActive(req.project, req.domain);
    if (req.workflow === "") throw missingArgument("name");
    await this.store.deleteWhere({ project: req.project, domain: req.domain, workflow: req.workflow, resourceType: typeName(req.resourceType) });
  }

  async listAll(req: ListMatchableAttributesRequest): Promise<ListMatchableAttributesResponse> {
    const rows = await this.store.listAll(typeName(req.resourceType));
    return create(ListMatchableAttributesResponseSchema, {
      configurations: rows.map((r) =>
        create(MatchableAttributesConfigurationSchema, {
          attributes: decode(r),
          project: r.project,
          domain: r.domain,
          workflow: r.workflow,
          launchPlan: r.launchPlan,
        }),
      ),
    });
  }
}
