// What an execution launches: the launch plan the request names (for a single task, the task's
// generated launch plan), the inputs checked and merged against it, and the workflow it runs.
// Registered versions never change (a launch plan's state does, and launching does not read it), so the
// rows a launch reads are kept by identifier; they are only ever read, never modified.
import { create, fromBinary } from "@bufbuild/protobuf";
import type { ExecutionSpec } from "../../gen/flyteidl/admin/execution_pb";
import { LaunchPlanClosureSchema, LaunchPlanSpecSchema, type LaunchPlanSpec } from "../../gen/flyteidl/admin/launch_plan_pb";
import { IdentifierSchema, ResourceType, type Identifier } from "../../gen/flyteidl/core/identifier_pb";
import type { LiteralMap } from "../../gen/flyteidl/core/literals_pb";
import { BoundedCache } from "../../kernel/bounded-cache";
import type { LaunchPlanRecord, LaunchPlanStore } from "../../ports/launchplans";
import type { WorkflowRecord, WorkflowStore } from "../../ports/workflows";
import type { TypeRules } from "../launchplans/validate";
import { missingEntity } from "../shared/not-found";
import { checkAndFetchInputs } from "./inputs";
import type { SingleTaskLaunchPlans } from "./single-task";

export interface LaunchTarget {
  /** A single-task execution, run through its task's generated launch plan. */
  isTask: boolean;
  launchPlan: LaunchPlanRecord;
  launchPlanSpec: LaunchPlanSpec;
  /** The request's inputs with the launch plan's defaults and fixed inputs. */
  inputs: LiteralMap;
  workflow: WorkflowRecord;
  workflowId: Identifier;
}

export interface LaunchTargetSources {
  launchPlans: LaunchPlanStore;
  workflows: WorkflowStore;
  types: TypeRules;
  singleTaskLaunchPlans: SingleTaskLaunchPlans;
}

const versionKey = (id: Identifier) => `${id.project}\u0000${id.domain}\u0000${id.name}\u0000${id.version}`;

export class LaunchTargets {
  private readonly launchPlanRows = new BoundedCache<string, LaunchPlanRecord>(256);
  private readonly workflowRows = new BoundedCache<string, WorkflowRecord>(256);

  constructor(private readonly sources: LaunchTargetSources) {}

  /** NotFound for a missing launch plan, task or workflow; InvalidArgument for inputs that do not fit. */
  async resolve(spec: ExecutionSpec, userInputs: LiteralMap | undefined): Promise<LaunchTarget> {
    const ref = spec.launchPlan as Identifier;
    const isTask = spec.launchPlan?.resourceType === ResourceType.TASK;
    const launchPlan = isTask
      ? await this.sources.singleTaskLaunchPlans.launchPlanFor(ref, spec)
      : await this.launchPlanRows.getOrLoad(versionKey(ref), () => this.sources.launchPlans.get(ref));
    if (!launchPlan) throw missingEntity("LAUNCH_PLAN", ref);
    const launchPlanSpec = fromBinary(LaunchPlanSpecSchema, launchPlan.spec);
    const closure = fromBinary(LaunchPlanClosureSchema, launchPlan.closure);
    const inputs = checkAndFetchInputs(userInputs, launchPlanSpec.fixedInputs, closure.expectedInputs, this.sources.types);

    const wfId = launchPlanSpec.workflowId;
    const workflow = wfId ? await this.workflowRows.getOrLoad(versionKey(wfId), () => this.sources.workflows.get(wfId)) : undefined;
    if (!wfId || !workflow) throw missingEntity("WORKFLOW", wfId ?? create(IdentifierSchema));
    const workflowId = create(IdentifierSchema, {
      resourceType: ResourceType.WORKFLOW,
      project: workflow.project,
      domain: workflow.domain,
      name: workflow.name,
      version: workflow.version,
    });
    return { isTask, launchPlan, launchPlanSpec, inputs, workflow, workflowId };
  }
}
