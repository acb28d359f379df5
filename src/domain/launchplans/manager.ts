// Launch plan rules, as upstream's launch plan manager: create (validated against the workflow's
// interface, stored INACTIVE), activate/deactivate (one ACTIVE version per name, schedules follow),
// get, get active, lists.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { IdentifierSchema, ResourceType, type Identifier } from "../../gen/flyteidl/core/identifier_pb";
import { ParameterMapSchema, TypedInterfaceSchema } from "../../gen/flyteidl/core/interface_pb";
import {
  LaunchPlanClosureSchema,
  LaunchPlanSchema,
  LaunchPlanSpecSchema,
  LaunchPlanState,
  type ActiveLaunchPlanListRequest,
  type ActiveLaunchPlanRequest,
  type LaunchPlan,
  type LaunchPlanCreateRequest,
  type LaunchPlanUpdateRequest,
} from "../../gen/flyteidl/admin/launch_plan_pb";
import {
  ResourceListRequestSchema,
  type NamedEntityIdentifier,
  type NamedEntityIdentifierListRequest,
  type ResourceListRequest,
} from "../../gen/flyteidl/admin/common_pb";
import { AdminError, ErrorCode, alreadyExists, invalidArgument, missingArgument, notFound } from "../../kernel/errors";
import { diffLines, digestOf, messageJson } from "../../kernel/digest";
import { identifierText, validateIdentifier, validateNamedEntityIdentifier } from "../../kernel/identifiers";
import { stateIs } from "../../kernel/lists/filters";
import { listNames, listVersions } from "../lists/versions";
import { validateLabels } from "../../kernel/validate";
import type { ProjectManager } from "../projects/manager";
import { missingEntity } from "../shared/not-found";
import type { EntityKey } from "../../ports/common";
import type { WorkflowStore } from "../../ports/workflows";
import type { LaunchPlanRecord, LaunchPlanStore, ScheduleRecord } from "../../ports/launchplans";
import type { LaunchPlanInterface } from "../../compiler/graph";
import {
  cronText,
  expectedInputs,
  hasSchedule,
  validateLiteralMap,
  validateNotifications,
  validateParameterMap,
  validateRunnableSchedule,
  validateSchedule,
  type TypeRules,
} from "./validate";

const keyOf = (r: EntityKey): EntityKey => ({ project: r.project, domain: r.domain, name: r.name, version: r.version });

export class LaunchPlanManager {
  constructor(
    private readonly store: LaunchPlanStore,
    private readonly workflows: WorkflowStore,
    private readonly projects: ProjectManager,
    private readonly types: TypeRules,
    private readonly opts: {
      artifactsEnabled: boolean;
      /** Told after an activation or deactivation changed schedulable_entities (serve pokes its schedule runner). */
      onSchedulesChanged?: () => void;
      /** False with scheduler.eventScheduler.scheme noop: schedules are still checked, never recorded for a runner. */
      recordSchedules?: boolean;
    },
  ) {}

  private schedulesChanged(change: { schedule?: ScheduleRecord; unschedule: EntityKey[] }): void {
    if (change.schedule || change.unschedule.length > 0) this.opts.onSchedulesChanged?.();
  }

  async create(req: LaunchPlanCreateRequest): Promise<void> {
    const workflowId = req.spec?.workflowId;
    validateIdentifier(workflowId, ResourceType.WORKFLOW);
    const workflow = await this.workflows.get(workflowId);
    if (!workflow) throw missingEntity("WORKFLOW", workflowId);
    const iface = workflow.typedInterface.length ? fromBinary(TypedInterfaceSchema, workflow.typedInterface) : create(TypedInterfaceSchema);

    validateIdentifier(req.id, ResourceType.LAUNCH_PLAN);
    const id = req.id;
    await this.projects.requireActive(id.project, id.domain);
    const spec = req.spec;
    if (!spec) throw missingArgument("spec");
    validateLabels(spec.labels?.values);
    validateLiteralMap(spec.fixedInputs, "fixed_inputs");
    validateParameterMap(spec.defaultInputs, "default_inputs", this.types, this.opts.artifactsEnabled);
    const expected = expectedInputs(iface.inputs, spec.fixedInputs, spec.defaultInputs, this.types);
    const schedule = spec.entityMetadata?.schedule;
    validateSchedule(schedule, expected);
    if (spec.entityMetadata) {
      validateNotifications(spec.entityMetadata.notifications);
      if (spec.entityMetadata.launchConditions) throw invalidArgument("Launch condition must be empty, found launch_conditions");
    }

    const storedSpec = create(LaunchPlanSpecSchema, { ...spec, defaultInputs: expected });
    const closure = create(LaunchPlanClosureSchema, { expectedInputs: expected, expectedOutputs: iface.outputs });
    const digest = digestOf(LaunchPlanSchema, create(LaunchPlanSchema, { id, spec: storedSpec, closure }));
    const existing = await this.store.get(id);
    if (existing) this.refuseExisting(id, existing, storedSpec, digest);
    const record: LaunchPlanRecord = {
      ...keyOf(id),
      spec: toBinary(LaunchPlanSpecSchema, storedSpec),
      closure: toBinary(LaunchPlanClosureSchema, closure),
      workflowId: workflow.id ?? 0,
      state: LaunchPlanState.INACTIVE,
      digest,
      scheduleType: !hasSchedule(schedule) ? "NONE" : schedule.ScheduleExpression.case === "rate" ? "RATE" : "CRON",
      launchConditionType: hasSchedule(schedule) ? "SCHED" : null,
    };
    try {
      await this.store.create(record);
    } catch (e) {
      const winner = e instanceof AdminError && e.code === ErrorCode.AlreadyExists ? await this.store.get(id) : undefined;
      if (winner) this.refuseExisting(id, winner, storedSpec, digest);
      throw e;
    }
  }

  private refuseExisting(id: Identifier, existing: LaunchPlanRecord, spec: LaunchPlan["spec"], digest: Uint8Array): never {
    if (Buffer.from(existing.digest).equals(Buffer.from(digest))) throw alreadyExists("launch plan with identical structure already exists");
    const old = fromBinary(LaunchPlanSpecSchema, existing.spec);
    const lines = diffLines(messageJson(LaunchPlanSpecSchema, old), messageJson(LaunchPlanSpecSchema, spec ?? create(LaunchPlanSpecSchema)));
    throw invalidArgument(
      `${id.name} launch plan with different structure already exists. (Please register a new version of the launch plan):\n${lines.join("\n")}`,
    );
  }

  /** A version's expected inputs and outputs, as a workflow node that launches it sees them. */
  async interfaceOf(id: Identifier): Promise<LaunchPlanInterface | undefined> {
    const r = await this.store.get(id);
    if (!r) return undefined;
    const closure = fromBinary(LaunchPlanClosureSchema, r.closure);
    return { id, expectedInputs: closure.expectedInputs, expectedOutputs: closure.expectedOutputs };
  }

  toLaunchPlan(r: LaunchPlanRecord): LaunchPlan {
    const closure = fromBinary(LaunchPlanClosureSchema, r.closure);
    closure.state = r.state as LaunchPlanState;
    if (r.createdAt) closure.createdAt = timestampFromDate(new Date(r.createdAt));
    if (r.updatedAt) closure.updatedAt = timestampFromDate(new Date(r.updatedAt));
    return create(LaunchPlanSchema, {
      id: create(IdentifierSchema, { resourceType: ResourceType.LAUNCH_PLAN, ...keyOf(r) }),
      spec: fromBinary(LaunchPlanSpecSchema, r.spec),
      closure,
    });
  }

  private async load(id: Identifier): Promise<LaunchPlanRecord> {
    const r = await this.store.get(id);
    if (!r) throw missingEntity("LAUNCH_PLAN", id);
    return r;
  }

  /** What schedulable_entities should hold for a version, or undefined when it has no schedule; refuses one that cannot run. */
  private scheduleOf(r: LaunchPlanRecord): ScheduleRecord | undefined {
    const s = fromBinary(LaunchPlanSpecSchema, r.spec).entityMetadata?.schedule;
    if (!hasSchedule(s)) return undefined;
    const e = s.ScheduleExpression;
    // The schedule runner reads cron_schedule only; say so at activation rather than fail later.
    if (e.case === "cronExpression") {
      throw invalidArgument(
        `launch plan [${identifierText(r)}] has a schedule in the deprecated cron_expression field, which is not supported: use cron_schedule`,
      );
    }
    try {
      validateRunnableSchedule(s, fromBinary(LaunchPlanClosureSchema, r.closure).expectedInputs ?? create(ParameterMapSchema));
    } catch (err) {
      if (err instanceof AdminError) throw invalidArgument(`launch plan [${identifierText(r)}] cannot be activated: ${err.message}`);
      throw err;
    }
    if (e.case === "rate") {
      return { ...keyOf(r), cronExpression: null, fixedRateValue: e.value.value, unit: e.value.unit, kickoffTimeInputArg: s.kickoffTimeInputArg };
    }
    return { ...keyOf(r), cronExpression: cronText(s) ?? null, fixedRateValue: null, unit: null, kickoffTimeInputArg: s.kickoffTimeInputArg };
  }

  async update(req: LaunchPlanUpdateRequest): Promise<void> {
    validateIdentifier(req.id, ResourceType.LAUNCH_PLAN);
    const id = req.id;
    if (req.state === LaunchPlanState.INACTIVE) {
      const r = await this.load(id);
      const hadSchedule = Boolean(fromBinary(LaunchPlanSpecSchema, r.spec).entityMetadata?.schedule);
      const change = { deactivateOnly: keyOf(r), unschedule: hadSchedule ? [keyOf(r)] : [] };
      await this.store.setStates(change);
      this.schedulesChanged(change);
      return;
    }
    if (req.state !== LaunchPlanState.ACTIVE) {
      throw invalidArgument(`Unrecognized launch plan state ${req.state} for update for launch plan [${identifierText(id)}]`);
    }
    const next = await this.load(id);
    const former = await this.store.findActive(id.project, id.domain, id.name);
    // Unscheduling needs only the key, so a former version's schedule is not re-validated here.
    const formerScheduled = former && hasSchedule(fromBinary(LaunchPlanSpecSchema, former.spec).entityMetadata?.schedule);
    // Checked whatever the scheme, so a schedule that can never run is refused either way.
    const schedule = this.scheduleOf(next);
    const change = {
      activate: keyOf(next),
      schedule: this.opts.recordSchedules === false ? undefined : schedule,
      unschedule: formerScheduled ? [keyOf(former)] : [],
    };
    await this.store.setStates(change);
    this.schedulesChanged(change);
  }

  async get(id: Identifier | undefined): Promise<LaunchPlan> {
    validateIdentifier(id, ResourceType.LAUNCH_PLAN);
    return this.toLaunchPlan(await this.load(id));
  }

  async getActive(req: ActiveLaunchPlanRequest): Promise<LaunchPlan> {
    validateNamedEntityIdentifier(req.id);
    const r = await this.store.findActive(req.id.project, req.id.domain, req.id.name);
    if (!r) throw notFound(`No active launch plan could be found: ${req.id.project}:${req.id.domain}:${req.id.name}`);
    return this.toLaunchPlan(r);
  }

  async listActive(req: ActiveLaunchPlanListRequest): Promise<{ launchPlans: LaunchPlan[]; token: string }> {
    const asList = create(ResourceListRequestSchema, {
      id: { project: req.project, domain: req.domain },
      limit: req.limit,
      token: req.token,
      sortBy: req.sortBy,
    });
    const { items, token } = await listVersions(
      "launch_plan",
      asList,
      "ListActiveLaunchPlans",
      (q) => this.store.list(q),
      (r) => this.toLaunchPlan(r),
      [stateIs("launch_plan", LaunchPlanState.ACTIVE)],
    );
    return { launchPlans: items, token };
  }

  async list(req: ResourceListRequest): Promise<{ launchPlans: LaunchPlan[]; token: string }> {
    const { items, token } = await listVersions(
      "launch_plan",
      req,
      "ListLaunchPlans",
      (q) => this.store.list(q),
      (r) => this.toLaunchPlan(r),
    );
    return { launchPlans: items, token };
  }

  listIds(req: NamedEntityIdentifierListRequest): Promise<{ entities: NamedEntityIdentifier[]; token: string }> {
    return listNames("launch_plan", req, "ListLaunchPlanIds", (q) => this.store.listNames(q));
  }
}
