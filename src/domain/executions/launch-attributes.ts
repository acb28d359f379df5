// The matchable attributes a launch reads, each the most specific match for the execution's scope with
// upstream's fallback when none is set: execution config levels, platform task resources, the cluster
// pool and label, plugin overrides and queue tags.
import type { ExecutionCreateRequest, ExecutionSpec } from "../../gen/flyteidl/admin/execution_pb";
import type { LaunchPlanSpec } from "../../gen/flyteidl/admin/launch_plan_pb";
import { MatchableResource, type MatchingAttributes, type PluginOverride, type WorkflowExecutionConfig } from "../../gen/flyteidl/admin/matchable_resource_pb";
import { invalidArgument } from "../../kernel/errors";
import type { LaunchRequest, ResourceSet } from "../../ports/launcher";
import { resolveAuthRole, resolveExecConfig, type ExecConfigSource } from "./exec-config";

/** Matchable attributes as executions read them: the most specific match, or undefined. */
export type AttributeLookup = (
  resource: MatchableResource,
  scope: { project: string; domain?: string; workflow?: string; launchPlan?: string },
) => Promise<MatchingAttributes | undefined>;

/** Gives the lookup for one launch (which may read every candidate row once up front). */
export type LaunchAttributes = (scope: { project: string; domain: string; workflow: string; launchPlan: string }) => Promise<AttributeLookup>;

export type TaskResources = LaunchRequest["taskResources"];

/** Where in the hierarchy an execution runs: its project and domain, its workflow's name. */
interface WorkflowScope {
  project: string;
  domain: string;
  workflow: string;
}

/**
 * The execution config: the request, the launch plan, then WORKFLOW_EXECUTION_CONFIG attributes for the
 * workflow and for the whole project, then the deprecated role fields and the server's defaults.
 */
export async function executionConfigFor(
  attributes: AttributeLookup,
  spec: ExecutionSpec,
  lpSpec: LaunchPlanSpec,
  scope: WorkflowScope,
  defaults: ExecConfigSource,
): Promise<WorkflowExecutionConfig> {
  const configAt = async (at: Parameters<AttributeLookup>[1]) => {
    const a = await attributes(MatchableResource.WORKFLOW_EXECUTION_CONFIG, at);
    return a?.target.case === "workflowExecutionConfig" ? a.target.value : undefined;
  };
  const levels: ExecConfigSource[] = [spec, lpSpec];
  const forWorkflow = await configAt({ project: scope.project, domain: scope.domain, workflow: scope.workflow });
  if (forWorkflow) levels.push(forWorkflow);
  const forProject = await configAt({ project: scope.project });
  if (forProject) levels.push(forProject);
  return resolveExecConfig(levels, resolveAuthRole(spec, lpSpec), defaults);
}

/** TASK_RESOURCE attributes for the workflow, else the server's task_resources (`fallback`). */
export async function taskResourcesFor(attributes: AttributeLookup, scope: WorkflowScope, fallback: TaskResources): Promise<TaskResources> {
  const a = await attributes(MatchableResource.TASK_RESOURCE, scope);
  if (a?.target.case !== "taskResourceAttributes") return fallback;
  const set = (s: { cpu: string; memory: string; gpu: string; ephemeralStorage: string } | undefined): ResourceSet => ({
    cpu: s?.cpu ?? "",
    memory: s?.memory ?? "",
    gpu: s?.gpu ?? "",
    ephemeralStorage: s?.ephemeralStorage ?? "",
  });
  return { defaults: set(a.target.value.defaults), limits: set(a.target.value.limits) };
}

/** A requested cluster pool must be the one configured for the project/domain (attributes, else `pools`), when one is. */
export async function checkClusterPool(attributes: AttributeLookup, req: ExecutionCreateRequest, pools: Record<string, string>): Promise<void> {
  const wanted = req.spec?.clusterAssignment?.clusterPoolName ?? "";
  if (wanted === "") return;
  const a = await attributes(MatchableResource.CLUSTER_ASSIGNMENT, { project: req.project, domain: req.domain });
  const stored = a?.target.case === "clusterAssignment" ? a.target.value.clusterPoolName : (pools[req.domain] ?? "");
  if (stored !== "" && stored !== wanted) {
    throw invalidArgument(
      `execution with project "${req.project}" and domain "${req.domain}" cannot run on cluster pool "${wanted}", because its configured to run on pool "${stored}"`,
    );
  }
}

/** EXECUTION_CLUSTER_LABEL attributes (upstream passes the workflow name as the launch plan too). */
export async function clusterLabelFor(attributes: AttributeLookup, scope: WorkflowScope): Promise<string | undefined> {
  const a = await attributes(MatchableResource.EXECUTION_CLUSTER_LABEL, { ...scope, launchPlan: scope.workflow });
  return a?.target.case === "executionClusterLabel" ? a.target.value.value || undefined : undefined;
}

export async function pluginOverridesFor(attributes: AttributeLookup, scope: WorkflowScope, launchPlan: string): Promise<PluginOverride[]> {
  const a = await attributes(MatchableResource.PLUGIN_OVERRIDE, { ...scope, launchPlan });
  return a?.target.case === "pluginOverrides" ? a.target.value.overrides : [];
}

/** EXECUTION_QUEUE attributes' tags for the workflow, if any are set. */
export async function queueTagsFor(attributes: AttributeLookup, scope: WorkflowScope): Promise<string[] | undefined> {
  const a = await attributes(MatchableResource.EXECUTION_QUEUE, scope);
  return a?.target.case === "executionQueueAttributes" ? a.target.value.tags : undefined;
}
