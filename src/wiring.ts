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
import { TaskManager, type TaskCompiler } from "./domain/tasks/manager";
import { taskStore } from "./stores/db/tasks";
import { compileTask } from "./compiler/task";
import { compileWorkflow } from "./compiler/workflow";
import { workflowRequirements } from "./compiler/requirements";
import { castable, requireLiteralType } from "./compiler/typing";
import { CompileErrorList } from "./compiler/errors";
import { WorkflowManager, type LaunchPlanInterfaces, type WorkflowCompiler } from "./domain/workflows/manager";
import { LaunchPlanManager } from "./domain/launchplans/manager";
import type { LaunchPlanStore } from "./ports/launchplans";
import { workflowStore } from "./stores/db/workflows";
import { launchPlanStore } from "./stores/db/launchplans";
import { LaunchPlanClosureSchema } from "./gen/flyteidl/admin/launch_plan_pb";
import { fromBinary } from "@bufbuild/protobuf";
import { invalidArgument } from "./kernel/errors";
import { ExecutionManager, type ExecutionSettings, type LaunchAttributes } from "./domain/executions/manager";
import { SingleTaskLaunchPlans } from "./domain/executions/single-task";
import { MatchableAttributesManager } from "./domain/matchable/manager";
import { MetricsManager } from "./domain/metrics/manager";
import { resourceStore } from "./stores/db/matchable";
import { MatchableResource } from "./gen/flyteidl/admin/matchable_resource_pb";
import { executionStore } from "./stores/db/executions";
import { nodeExecutionStore } from "./stores/db/nodeexecutions";
import { taskExecutionStore } from "./stores/db/taskexecutions";
import { NodeExecutionManager } from "./domain/nodeexecutions/manager";
import { TaskExecutionManager } from "./domain/taskexecutions/manager";
import { ArtifactReader } from "./domain/dataproxy/artifacts";
import { SignalManager } from "./domain/signals/manager";
import { signalStore } from "./stores/db/signals";
import { signalService } from "./services/signal";
import { AnnotationsSchema, EnvsSchema, LabelsSchema, NamedEntityState, NamedEntityUpdateRequestSchema, RawOutputDataConfigSchema } from "./gen/flyteidl/admin/common_pb";
import { SecurityContextSchema } from "./gen/flyteidl/core/security_pb";
import { create } from "@bufbuild/protobuf";
import { adminService } from "./services/admin";
import { dataProxyService } from "./services/dataproxy";
import { healthService } from "./services/health";
import { shutdownSignal } from "./edge/listen-shutdown";
import { AuthMetadataService } from "./gen/flyteidl/service/auth_pb";
import { IdentityService } from "./gen/flyteidl/service/identity_pb";
import { reflectionServices, ServerReflectionV1, ServerReflectionV1Alpha } from "./services/reflection";
import { flyteServices, type ServiceImpls } from "./edge/routes";
import { versionInfo } from "./kernel/version";
import { silentLogger, type Logger } from "./kernel/log";
import { clusterSettings, createExecutor } from "./cluster/executor";
import { clusterLauncher } from "./cluster/launcher";

/** Both reflection versions, registered on a router. */
function registerReflection(services: DescService[]): (router: ConnectRouter) => void {
  const r = reflectionServices(services);
  return (router) => {
    router.service(ServerReflectionV1, r.v1);
    router.service(ServerReflectionV1Alpha, r.v1alpha);
  };
}

/** Compile failures are the client's: InvalidArgument with the collected errors, as upstream words it. */
const taskCompiler: TaskCompiler = (template) => {
  try {
    return compileTask(template);
  } catch (e) {
    if (e instanceof CompileErrorList) throw invalidArgument(`task failed compilation with ${e.message}`);
    throw e;
  }
};

/** The workflow manager wraps any compile error into its own InvalidArgument text. */
const workflowCompiler: WorkflowCompiler = {
  requirements: (primary, subWorkflows) => {
    try {
      return workflowRequirements(primary, subWorkflows);
    } catch (e) {
      if (e instanceof CompileErrorList) throw new Error(`failed to get workflow requirements with err ${e.message}`);
      throw e;
    }
  },
  compile: compileWorkflow,
};

/** A launch plan's expected inputs and outputs, read from its stored closure. */
function launchPlanInterfaces(store: LaunchPlanStore): LaunchPlanInterfaces {
  return async (id) => {
    const r = await store.get(id);
    if (!r) return undefined;
    const closure = fromBinary(LaunchPlanClosureSchema, r.closure);
    return { id, expectedInputs: closure.expectedInputs, expectedOutputs: closure.expectedOutputs };
  };
}

/** Execution defaults from the server config (the last level of execution-config resolution). */
function executionSettings(config: Config): ExecutionSettings {
  const a = config.flyteadmin;
  return {
    namespaceTemplate: config.namespace_mapping.template,
    maxSizeInBytes: config.remoteData.maxSizeInBytes,
    inlineEventDataPolicy: config.remoteData.inlineEventDataPolicy,
    metadataPrefix: "metadata",
    defaults: {
      maxParallelism: a.maxParallelism,
      securityContext: create(SecurityContextSchema, { runAs: { iamRole: a.assumableIamRole, k8sServiceAccount: a.k8sServiceAccount } }),
      rawOutputDataConfig: create(RawOutputDataConfigSchema, { outputLocationPrefix: a.outputLocationPrefix }),
      labels: create(LabelsSchema, { values: a.labels }),
      annotations: create(AnnotationsSchema, { values: a.annotations }),
      interruptible: a.interruptible ? true : undefined,
      overwriteCache: a.overwriteCache,
      envs: create(EnvsSchema, { values: Object.entries(a.envs).map(([key, value]) => ({ key, value })) }),
    },
    taskResources: { defaults: config.task_resources.defaults, limits: config.task_resources.limits },
    queues: config.queues,
    clusterPools: Object.fromEntries(Object.entries(config.clusterPools.clusterPoolAssignments).map(([domain, a]) => [domain, a.pool])),
  };
}


export function buildServiceImpls(config: Config, database: Database, blobs: BlobSetup, log: Logger = silentLogger): ServiceImpls {
  const db = database.db;
  const projects = new ProjectManager(projectStore(db), config.domains);
  const tasks = taskStore(db);
  const workflows = workflowStore(db);
  const launchPlans = launchPlanStore(db);
  const workflowManager = new WorkflowManager(workflows, tasks, launchPlanInterfaces(launchPlans), blobs.store, projects, workflowCompiler, {
    ...config.registration,
    metadataStoragePrefix: config.flyteadmin.metadataStoragePrefix,
  });
  const types = { castable, literalType: requireLiteralType };
  const settings = executionSettings(config);
  const executor = createExecutor(clusterSettings(config), log);
  const launcher = clusterLauncher(executor, {
    roleNameKey: config.flyteadmin.roleNameKey,
    eventVersion: config.flyteadmin.eventVersion,
    consoleUrl: config.flyteadmin.consoleUrl,
    useOffloadedWorkflowClosure: config.flyteadmin.useOffloadedWorkflowClosure,
    useOffloadedInputs: config.flyteadmin.useOffloadedInputs,
  });
  const matchable = new MatchableAttributesManager(resourceStore(db), projects, settings.defaults);
  const attributes: LaunchAttributes = (scope) => matchable.forLaunch(scope);
  const launchPlanManager = new LaunchPlanManager(launchPlans, workflows, projects, types, { artifactsEnabled: false });
  const namedEntities = new NamedEntityManager(namedEntityStore(db));
  const executionRows = executionStore(db);
  const nodeRows = nodeExecutionStore(db);
  const taskRows = taskExecutionStore(db);
  const eventData = { maxSizeInBytes: config.remoteData.maxSizeInBytes, inlineEventDataPolicy: config.remoteData.inlineEventDataPolicy };
  const nodeExecutions = new NodeExecutionManager(
    nodeRows,
    executionRows,
    taskRows,
    blobs.store,
    { ...eventData, metadataStoragePrefix: config.flyteadmin.metadataStoragePrefix },
    (e) => log.warn("failed to record a node event", { error: (e as Error).message }),
  );
  const taskExecutions = new TaskExecutionManager(taskRows, blobs.store, eventData);
  const executions = new ExecutionManager(
    executionRows,
    nodeRows,
    launchPlans,
    workflows,
    tasks,
    projects,
    blobs.store,
    types,
    launcher,
    attributes,
    new SingleTaskLaunchPlans(tasks, workflows, launchPlans, {
      createWorkflow: (req) => workflowManager.create(req),
      createLaunchPlan: (req) => launchPlanManager.create(req),
      markSystemGenerated: (resourceType, id) =>
        namedEntities.update(create(NamedEntityUpdateRequestSchema, { resourceType, id, metadata: { state: NamedEntityState.SYSTEM_GENERATED } })),
    }),
    settings,
  );
  return {
    admin: adminService({
      projects,
      tasks: new TaskManager(tasks, projects, taskCompiler, {
        platformLimits: async (project, domain) => {
          const a = await matchable.resolve(MatchableResource.TASK_RESOURCE, { project, domain });
          return a?.target.case === "taskResourceAttributes" ? (a.target.value.limits ?? {}) : config.task_resources.limits;
        },
        whitelist: config.task_type_whitelist,
      }),
      workflows: workflowManager,
      launchPlans: launchPlanManager,
      executions: { executions, nodes: nodeExecutions, tasks: taskExecutions, metrics: new MetricsManager(executions, nodeExecutions, taskExecutions, workflowManager) },
      matchable,
      namedEntities,
      descriptions: new DescriptionManager(descriptionStore(db)),
      version: versionInfo,
    }),
    signal: signalService(new SignalManager(signalStore(db), types)),
    dataProxy: dataProxyService(
      new DataProxyManager(blobs.store, config.server.dataProxy),
      new ArtifactReader(nodeExecutions, taskExecutions, blobs.store, config.server.dataProxy.download.maxExpiresIn),
    ),
    // Served means answered: AuthMetadataService and IdentityService are registered but answer
    // Unimplemented until auth is built, so health does not call them served.
    health: healthService(() => database.ping(), {
      services: [
        ...flyteServices.filter((s) => s !== AuthMetadataService && s !== IdentityService),
        ...(config.server.grpc.serverReflection ? [ServerReflectionV1, ServerReflectionV1Alpha] : []),
      ].map((s) => s.typeName),
      shutdown: shutdownSignal,
    }),
    extra: config.server.grpc.serverReflection ? [registerReflection(flyteServices)] : [],
  };
}
