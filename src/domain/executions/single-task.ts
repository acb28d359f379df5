// Single-task executions, as upstream runs them: each task version gets a system-generated workflow
// `.flytegen.<task>` with one node bound to the workflow inputs and outputs, and a launch plan of the
// same name; both are registered through the normal rules once and marked SYSTEM_GENERATED.
import { create, fromBinary } from "@bufbuild/protobuf";
import type { ExecutionSpec } from "../../gen/flyteidl/admin/execution_pb";
import { LaunchPlanCreateRequestSchema } from "../../gen/flyteidl/admin/launch_plan_pb";
import { WorkflowCreateRequestSchema } from "../../gen/flyteidl/admin/workflow_pb";
import { TaskClosureSchema } from "../../gen/flyteidl/admin/task_pb";
import { IdentifierSchema, ResourceType, type Identifier } from "../../gen/flyteidl/core/identifier_pb";
import type { Binding } from "../../gen/flyteidl/core/literals_pb";
import type { TypedInterface } from "../../gen/flyteidl/core/interface_pb";
import { ErrorCode, hasCode, internal } from "../../kernel/errors";
import type { LaunchPlanRecord, LaunchPlanStore } from "../../ports/launchplans";
import type { WorkflowStore } from "../../ports/workflows";
import type { TaskStore } from "../../ports/tasks";
import { missingEntity } from "../shared/not-found";

/** Registration the single-task path needs: a generated workflow and launch plan per task version. */
export interface SingleTaskRegistrar {
  createWorkflow(req: ReturnType<typeof create<typeof WorkflowCreateRequestSchema>>): Promise<void>;
  createLaunchPlan(req: ReturnType<typeof create<typeof LaunchPlanCreateRequestSchema>>): Promise<void>;
  markSystemGenerated(resourceType: ResourceType, id: { project: string; domain: string; name: string }): Promise<void>;
}

/** The generated entities' names: `.flytegen.<task>`, node id from the task name's last 63 characters. */
const generatedName = (task: string) => `.flytegen.${task}`;
function generatedNodeId(task: string): string {
  const tail = task.length >= 63 ? task.slice(task.length - 63) : task;
  return [...tail].filter((c) => c === "-" || /\p{L}|\p{N}/u.test(c)).join("");
}

export class SingleTaskLaunchPlans {
  constructor(
    private readonly tasks: TaskStore,
    private readonly workflows: WorkflowStore,
    private readonly launchPlans: LaunchPlanStore,
    private readonly registrar: SingleTaskRegistrar,
  ) {}

  /** The generated workflow and launch plan a single-task execution runs through (made once per task version). */
  async launchPlanFor(taskId: Identifier, spec: ExecutionSpec): Promise<LaunchPlanRecord> {
    const task = await this.tasks.get(taskId);
    if (!task) throw missingEntity("TASK", taskId);
    const template = fromBinary(TaskClosureSchema, task.closure).compiledTask?.template;
    const iface: TypedInterface | undefined = template?.interface;
    const scope = { project: taskId.project, domain: taskId.domain, name: generatedName(taskId.name), version: taskId.version };
    const wfId = create(IdentifierSchema, { resourceType: ResourceType.WORKFLOW, ...scope });
    const lpId = create(IdentifierSchema, { resourceType: ResourceType.LAUNCH_PLAN, ...scope });
    const nodeId = generatedNodeId(taskId.name);
    const promises = (vars: Record<string, unknown>, node: string): Binding[] =>
      Object.keys(vars).map(
        (v) =>
          ({
            $typeName: "flyteidl.core.Binding",
            var: v,
            binding: {
              $typeName: "flyteidl.core.BindingData",
              value: { case: "promise", value: { $typeName: "flyteidl.core.OutputReference", nodeId: node, var: v, attrPath: [] } },
            },
          }) as Binding,
      );
    if (!(await this.workflows.get(wfId))) {
      await this.registrar
        .createWorkflow(
          create(WorkflowCreateRequestSchema, {
            id: wfId,
            spec: {
              template: {
                id: wfId,
                interface: iface,
                nodes: [
                  {
                    id: nodeId,
                    metadata: { name: nodeId, retries: template?.metadata?.retries ?? { retries: 3 } },
                    inputs: promises(iface?.inputs?.variables ?? {}, ""),
                    target: { case: "taskNode", value: { reference: { case: "referenceId", value: taskId } } },
                  },
                ],
                outputs: promises(iface?.outputs?.variables ?? {}, nodeId),
              },
            },
          }),
        )
        .catch((e: unknown) => {
          if (!hasCode(e, ErrorCode.AlreadyExists)) throw e;
        });
      await this.registrar.markSystemGenerated(ResourceType.WORKFLOW, scope);
    }
    let lp = await this.launchPlans.get(lpId);
    if (!lp) {
      await this.registrar
        .createLaunchPlan(
          create(LaunchPlanCreateRequestSchema, {
            id: lpId,
            spec: {
              workflowId: wfId,
              entityMetadata: {},
              defaultInputs: {},
              fixedInputs: {},
              labels: {},
              annotations: {},
              authRole: spec.authRole,
              securityContext: spec.securityContext,
            },
          }),
        )
        .catch((e: unknown) => {
          if (!hasCode(e, ErrorCode.AlreadyExists)) throw e;
        });
      await this.registrar.markSystemGenerated(ResourceType.LAUNCH_PLAN, scope);
      lp = await this.launchPlans.get(lpId);
    }
    if (!lp) throw internal(`skeleton launch plan for task [${taskId.name}] could not be created`);
    return lp;
  }
}
