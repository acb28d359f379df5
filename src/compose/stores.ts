// The stores the managers work through: every port implemented over one database and one blob store.
import type { Database } from "../stores/db/client";
import type { BlobSetup } from "../stores/blob";
import type { BlobStore } from "../ports/blob";
import type { DescriptionStore } from "../ports/descriptions";
import type { ExecutionStore } from "../ports/executions";
import type { LaunchPlanStore } from "../ports/launchplans";
import type { ResourceStore } from "../ports/matchable";
import type { NamedEntityStore } from "../ports/namedentities";
import type { NodeExecutionStore } from "../ports/nodeexecutions";
import type { ProjectStore } from "../ports/projects";
import type { SignalStore } from "../ports/signals";
import type { TaskExecutionStore } from "../ports/taskexecutions";
import type { TaskStore } from "../ports/tasks";
import type { WorkflowStore } from "../ports/workflows";
import { projectStore } from "../stores/db/projects";
import { namedEntityStore } from "../stores/db/namedentities";
import { descriptionStore } from "../stores/db/descriptions";
import { taskStore } from "../stores/db/tasks";
import { workflowStore } from "../stores/db/workflows";
import { launchPlanStore } from "../stores/db/launchplans";
import { resourceStore } from "../stores/db/matchable";
import { executionStore } from "../stores/db/executions";
import { nodeExecutionStore } from "../stores/db/nodeexecutions";
import { taskExecutionStore } from "../stores/db/taskexecutions";
import { signalStore } from "../stores/db/signals";

export interface Stores {
  projects: ProjectStore;
  namedEntities: NamedEntityStore;
  descriptions: DescriptionStore;
  tasks: TaskStore;
  workflows: WorkflowStore;
  launchPlans: LaunchPlanStore;
  /** Matchable attributes (project, project-domain and workflow level). */
  resources: ResourceStore;
  executions: ExecutionStore;
  nodeExecutions: NodeExecutionStore;
  taskExecutions: TaskExecutionStore;
  signals: SignalStore;
  /** Workflow closures, offloaded inputs and event data, uploads. */
  blobs: BlobStore;
}

export function buildStores(database: Database, blobs: BlobSetup): Stores {
  const db = database.db;
  return {
    projects: projectStore(db),
    namedEntities: namedEntityStore(db),
    descriptions: descriptionStore(db),
    tasks: taskStore(db),
    workflows: workflowStore(db),
    launchPlans: launchPlanStore(db),
    resources: resourceStore(db),
    executions: executionStore(db),
    nodeExecutions: nodeExecutionStore(db),
    taskExecutions: taskExecutionStore(db),
    signals: signalStore(db),
    blobs: blobs.store,
  };
}
