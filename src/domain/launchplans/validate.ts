// CreateLaunchPlan's checks, as upstream's launch plan validator: literal and parameter maps, the
// expected inputs against the workflow's interface, schedules, notifications.
import { create } from "@bufbuild/protobuf";
import { ParameterMapSchema, type ParameterMap, type Parameter, type VariableMap } from "../../gen/flyteidl/core/interface_pb";
import type { Literal, LiteralMap } from "../../gen/flyteidl/core/literals_pb";
import { SimpleType, type LiteralType } from "../../gen/flyteidl/core/types_pb";
import { WorkflowExecution_Phase as Phase } from "../../gen/flyteidl/core/execution_pb";
import type { Notification } from "../../gen/flyteidl/admin/common_pb";
import type { Schedule } from "../../gen/flyteidl/admin/schedule_pb";
import { invalidArgument, invalidValue, missingArgument } from "../../kernel/errors";
import { parseCronSpec } from "./cron";

/** What registration needs from the type system (the compiler's casting rules). */
export interface TypeRules {
  castable(from: LiteralType, to: LiteralType): boolean;
  /** The type of a literal value; throws with a reason when it has none. */
  literalType(l: Literal): LiteralType;
}

const typeText = (t: LiteralType | undefined) =>
  t ? JSON.stringify(t.type.case ? { [t.type.case]: t.type.value } : {}, (_k, v) => (typeof v === "bigint" ? String(v) : v)) : "<nil>";

function checkDatetime(l: Literal): void {
  if (l.value.case !== "scalar" || l.value.value.value.case !== "primitive") return;
  const p = l.value.value.value.value.value;
  if (p.case !== "datetime") return;
  const s = Number(p.value.seconds);
  // protobuf Timestamp range: 0001-01-01 to 9999-12-31
  if (s < -62135596800 || s > 253402300799 || p.value.nanos < 0 || p.value.nanos > 999_999_999) {
    throw invalidArgument(`proto: timestamp (seconds:${s} nanos:${p.value.nanos}) is out of range`);
  }
}

function literalTypeOf(rules: TypeRules, name: string, l: Literal): LiteralType {
  try {
    return rules.literalType(l);
  } catch (e) {
    throw invalidArgument(`Failed to validate literal type for [${name}] with err: ${(e as Error).message}`);
  }
}

export function validateLiteralMap(map: LiteralMap | undefined, field: string): void {
  for (const [name, lit] of Object.entries(map?.literals ?? {})) {
    if (name === "") throw invalidArgument(`missing key in ${field}`);
    if (lit.value.case === undefined) throw invalidArgument(`missing valid literal in ${field} ${name}`);
    checkDatetime(lit);
  }
}

export function validateParameterMap(map: ParameterMap | undefined, field: string, rules: TypeRules, artifactsEnabled: boolean): void {
  for (const [name, p] of Object.entries(map?.parameters ?? {})) {
    if (!artifactsEnabled && (p.behavior.case === "artifactQuery" || p.behavior.case === "artifactId")) {
      throw invalidArgument(`artifact mode not enabled but query found ${field} ${name}`);
    }
    if (name === "") throw invalidArgument(`missing key in ${field}`);
    if (!p.var?.type) throw invalidArgument(`The Variable component of the Parameter ${name} in ${field} either is missing, or has a missing Type`);
    if (p.behavior.case === undefined || (p.behavior.case === "required" && !p.behavior.value)) {
      throw invalidArgument(`Invalid variable ${name} in ${field} - variable has neither default, nor is required. One must be specified`);
    }
    if (p.behavior.case === "default") {
      const t = literalTypeOf(rules, name, p.behavior.value);
      if (!rules.castable(t, p.var.type)) {
        throw invalidArgument(`Type mismatch for Parameter ${name} in ${field} has type ${typeText(p.var.type)}, expected ${typeText(t)}`);
      }
      checkDatetime(p.behavior.value);
    }
  }
}

/** Default and fixed inputs against the workflow's inputs → the launch plan's expected inputs. */
export function expectedInputs(
  workflowInputs: VariableMap | undefined,
  fixed: LiteralMap | undefined,
  defaults: ParameterMap | undefined,
  rules: TypeRules,
): ParameterMap {
  const defaultMap = defaults?.parameters ?? {};
  const fixedMap = fixed?.literals ?? {};
  const vars = workflowInputs?.variables ?? {};
  if (Object.keys(vars).length === 0) {
    if (Object.keys(defaultMap).length > 0)
      throw invalidArgument(`invalid launch plan default inputs, expected none but found ${Object.keys(defaultMap).length}`);
    if (Object.keys(fixedMap).length > 0) throw invalidArgument(`invalid launch plan fixed inputs, expected none but found ${Object.keys(fixedMap).length}`);
    return create(ParameterMapSchema);
  }
  for (const [name, p] of Object.entries(defaultMap)) {
    const v = vars[name];
    if (!v) throw invalidArgument(`unexpected default_input ${name}`);
    if (!p.var?.type || !v.type || !rules.castable(p.var.type, v.type)) {
      throw invalidArgument(`invalid default_input wrong type ${name}, expected ${typeText(p.var?.type)}, got ${typeText(v.type)} instead`);
    }
  }
  for (const [name, lit] of Object.entries(fixedMap)) {
    const v = vars[name];
    if (!v) throw invalidArgument(`unexpected fixed_input ${name}`);
    const t = literalTypeOf(rules, name, lit);
    if (!v.type || !rules.castable(t, v.type)) {
      throw invalidArgument(`invalid fixed_input wrong type ${name}, expected ${typeText(v.type)}, got ${typeText(t)} instead`);
    }
  }
  const parameters: Record<string, Parameter> = {};
  for (const [name, v] of Object.entries(vars)) {
    if (defaultMap[name]) parameters[name] = defaultMap[name];
    else if (!fixedMap[name]) {
      parameters[name] = { $typeName: "flyteidl.core.Parameter", var: { ...v, description: v.description }, behavior: { case: "required", value: true } };
    }
  }
  return create(ParameterMapSchema, { parameters });
}

/** The schedule's cron text (cron_schedule wins over the deprecated cron_expression), if any. */
export function cronText(s: Schedule | undefined): string | undefined {
  const e = s?.ScheduleExpression;
  if (e?.case === "cronSchedule") return e.value.schedule || undefined;
  if (e?.case === "cronExpression") return e.value || undefined;
  return undefined;
}

export function hasSchedule(s: Schedule | undefined): s is Schedule {
  const e = s?.ScheduleExpression;
  return e?.case === "cronExpression" ? e.value !== "" : e?.case === "rate" || e?.case === "cronSchedule";
}

export function validateSchedule(s: Schedule | undefined, expected: ParameterMap): void {
  if (!hasSchedule(s)) return;
  for (const [name, p] of Object.entries(expected.parameters)) {
    if (p.behavior.case === "required" && p.behavior.value && name !== s.kickoffTimeInputArg) {
      throw invalidArgument(`Cannot create a launch plan with a schedule if there is an unbound required input. [${name}] is required`);
    }
  }
  if (s.kickoffTimeInputArg !== "") {
    const p = expected.parameters[s.kickoffTimeInputArg];
    if (!p) {
      throw invalidArgument(
        `Cannot create a schedule with a KickoffTimeInputArg that does not point to a free input. [${s.kickoffTimeInputArg}] is not free or does not exist.`,
      );
    }
    const t = p.var?.type?.type;
    if (!(t?.case === "simple" && t.value === SimpleType.DATETIME)) {
      throw invalidArgument(`KickoffTimeInputArg must reference a datetime input. [${s.kickoffTimeInputArg}] is a [${typeText(p.var?.type)}]`);
    }
  }
  const cron = cronText(s);
  if (cron) {
    try {
      parseCronSpec(cron);
    } catch (e) {
      throw invalidArgument(`Invalid cron expression: ${(e as Error).message}`);
    }
  }
}

/**
 * Activation's checks: a schedule must be able to run. Beyond upstream (which accepts these and fails
 * at every tick): a rate below 1 and everything validateSchedule refuses at creation, checked again
 * because a version may predate a rule.
 */
export function validateRunnableSchedule(s: Schedule, expected: ParameterMap): void {
  const e = s.ScheduleExpression;
  if (e.case === "rate" && e.value.value <= 0) throw invalidArgument(`schedule rate value must be positive, found ${e.value.value}`);
  validateSchedule(s, expected);
}

const terminal = new Set([Phase.SUCCEEDED, Phase.FAILED, Phase.TIMED_OUT, Phase.ABORTED]);

export function validateNotifications(list: Notification[]): void {
  for (const n of list) {
    if (n.type.case === undefined) throw invalidValue("notification type");
    const recipients = n.type.value.recipientsEmail;
    if (recipients.length === 0) throw missingArgument("recipients");
    if (recipients.some((r) => r === "")) throw missingArgument("recipient");
    if (n.phases.some((p) => !terminal.has(p))) throw invalidValue("phase");
  }
}
