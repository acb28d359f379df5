// Builds every manager over the stores: which manager gets which store, setting and collaborator.
// No rules here; they live in the managers, and config reaches them through settings.ts.
import { create } from "@bufbuild/protobuf";
import type { Config } from "../config/schema";
import { silentLogger, type Logger } from "../kernel/log";
import type { Launcher } from "../ports/launcher";
import { NamedEntityState, NamedEntityUpdateRequestSchema } from "../gen/flyteidl/admin/common_pb";
import { castable, requireLiteralType } from "../compiler/typing";
import { ProjectManager } from "../domain/projects/manager";
import { NamedEntityManager } from "../domain/namedentities/manager";
import { DescriptionManager } from "../domain/descriptions/manager";
import { TaskManager } from "../domain/tasks/manager";
import { taskCompiler } from "../domain/tasks/compile";
import { WorkflowManager } from "../domain/workflows/manager";
import { workflowCompiler } from "../domain/workflows/compile";
import { LaunchPlanManager } from "../domain/launchplans/manager";
import { MatchableAttributesManager } from "../domain/matchable/manager";
import { ExecutionManager, type LaunchAttributes } from "../domain/executions/manager";
import { SingleTaskLaunchPlans } from "../domain/executions/single-task";
import { NodeExecutionManager } from "../domain/nodeexecutions/manager";
import { TaskExecutionManager } from "../domain/taskexecutions/manager";
import { MetricsManager } from "../domain/metrics/manager";
import { SignalManager } from "../domain/signals/manager";
import { DataProxyManager } from "../domain/dataproxy/manager";
import { ArtifactReader } from "../domain/dataproxy/artifacts";
import type { Stores } from "./stores";
import { eventDataSettings, executionSettings, workflowRules } from "./settings";
import { builtInLauncher } from "./executor";

export interface Managers {
  projects: ProjectManager;
  namedEntities: NamedEntityManager;
  descriptions: DescriptionManager;
  tasks: TaskManager;
  workflows: WorkflowManager;
  launchPlans: LaunchPlanManager;
  matchable: MatchableAttributesManager;
  executions: ExecutionManager;
  nodeExecutions: NodeExecutionManager;
  taskExecutions: TaskExecutionManager;
  metrics: MetricsManager;
  signals: SignalManager;
  dataProxy: DataProxyManager;
  artifacts: ArtifactReader;
}

export interface ManagerOverrides {
  /** Where executions are submitted; the built-in Kubernetes executor (or the queued no-op) when absent. */
  launcher?: Launcher;
  log?: Logger;
  /** Told after an activation or deactivation changed the schedules (the in-process runner re-reads them at once). */
  onSchedulesChanged?: () => void;
}

export function buildManagers(config: Config, stores: Stores, overrides: ManagerOverrides = {}): Managers {
  const log = overrides.log ?? silentLogger;
  const { tasks, workflows, launchPlans, blobs } = stores;
  const types = { castable, literalType: requireLiteralType };
  const settings = executionSettings(config);
  const projects = new ProjectManager(stores.projects, config.domains);
  const matchable = new MatchableAttributesManager(stores.resources, projects, settings.defaults);
  const namedEntities = new NamedEntityManager(stores.namedEntities);
  const launchPlanManager = new LaunchPlanManager(launchPlans, workflows, projects, types, {
    artifactsEnabled: false,
    onSchedulesChanged: overrides.onSchedulesChanged,
    recordSchedules: config.scheduler.eventScheduler.scheme === "local",
  });
  const workflowManager = new WorkflowManager(
    workflows,
    tasks,
    (id) => launchPlanManager.interfaceOf(id),
    blobs,
    projects,
    workflowCompiler,
    workflowRules(config),
  );
  const taskManager = new TaskManager(tasks, projects, taskCompiler, {
    attributes: matchable,
    defaultLimits: config.task_resources.limits,
    whitelist: config.task_type_whitelist,
  });
  const launcher = overrides.launcher ?? builtInLauncher(config, log);
  const attributes: LaunchAttributes = (scope) => matchable.forLaunch(scope);
  const executionRows = stores.executions;
  const nodeRows = stores.nodeExecutions;
  const taskRows = stores.taskExecutions;
  const eventData = eventDataSettings(config);
  const nodeExecutions = new NodeExecutionManager(
    nodeRows,
    executionRows,
    taskRows,
    blobs,
    { ...eventData, metadataStoragePrefix: config.flyteadmin.metadataStoragePrefix },
    (e) => log.warn("failed to record a node event", { error: (e as Error).message }),
  );
  const taskExecutions = new TaskExecutionManager(taskRows, blobs, eventData);
  const executions = new ExecutionManager({
    executions: executionRows,
    nodeExecutions: nodeRows,
    launchPlans,
    workflows,
    tasks,
    projects,
    blobs,
    types,
    launcher,
    launchAttributes: attributes,
    singleTaskLaunchPlans: new SingleTaskLaunchPlans(tasks, workflows, launchPlans, {
      createWorkflow: (req) => workflowManager.create(req),
      createLaunchPlan: (req) => launchPlanManager.create(req),
      markSystemGenerated: (resourceType, id) =>
        namedEntities.update(create(NamedEntityUpdateRequestSchema, { resourceType, id, metadata: { state: NamedEntityState.SYSTEM_GENERATED } })),
    }),
    settings,
  });
  return {
    projects,
    namedEntities,
    descriptions: new DescriptionManager(stores.descriptions),
    tasks: taskManager,
    workflows: workflowManager,
    launchPlans: launchPlanManager,
    matchable,
    executions,
    nodeExecutions,
    taskExecutions,
    metrics: new MetricsManager(executions, nodeExecutions, taskExecutions, workflowManager),
    signals: new SignalManager(stores.signals, types),
    dataProxy: new DataProxyManager(blobs, config.server.dataProxy),
    artifacts: new ArtifactReader(nodeExecutions, taskExecutions, blobs, config.server.dataProxy.download.maxExpiresIn),
  };
}
