// An execution's inputs as upstream assembles them: what the user sent (each name expected, each value
// of the expected type), then defaults for what is missing (required ones must be given), then the
// launch plan's fixed inputs (which the user may not override).
import { create } from "@bufbuild/protobuf";
import { LiteralMapSchema, type Literal, type LiteralMap } from "../../gen/flyteidl/core/literals_pb";
import type { ParameterMap } from "../../gen/flyteidl/core/interface_pb";
import { invalidArgument } from "../../kernel/errors";
import type { TypeRules } from "../launchplans/validate";
import { goText } from "../../kernel/go-text";
import { LiteralTypeSchema } from "../../gen/flyteidl/core/types_pb";

export function checkAndFetchInputs(
  user: LiteralMap | undefined,
  fixed: LiteralMap | undefined,
  expected: ParameterMap | undefined,
  types: TypeRules,
): LiteralMap {
  const expectedMap = expected?.parameters ?? {};
  const inputs: Record<string, Literal> = {};
  for (const [name, value] of Object.entries(user?.literals ?? {})) {
    if (!expectedMap[name]) throw invalidArgument(`invalid input ${name}`);
    inputs[name] = value;
  }
  for (const [name, p] of Object.entries(expectedMap)) {
    const given = inputs[name];
    if (!given) {
      if (p.behavior.case === "required" && p.behavior.value) throw invalidArgument(`expected_inputs ${name} missing`);
      if (p.behavior.case === "default") inputs[name] = p.behavior.value;
      continue;
    }
    let t;
    try {
      t = types.literalType(given);
    } catch (e) {
      throw invalidArgument(`Failed to validate literal type for [${name}] with err: ${(e as Error).message}`);
    }
    const want = p.var?.type;
    if (!want || !types.castable(t, want)) {
      throw invalidArgument(`invalid ${name} input wrong type. Expected ${goText(LiteralTypeSchema, want)}, but got ${goText(LiteralTypeSchema, t)}`);
    }
  }
  for (const [name, value] of Object.entries(fixed?.literals ?? {})) {
    if (inputs[name]) throw invalidArgument(`fixed_inputs ${name} cannot be overridden`);
    inputs[name] = value;
  }
  return create(LiteralMapSchema, { literals: inputs });
}
