// The CreateExecution request of one tick, as upstream's scheduler sends it: the launch plan, mode
// SCHEDULED, scheduled_at, the deterministic name, and the kickoff-time input for cron schedules only.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { ExecutionCreateRequestSchema, ExecutionMetadata_ExecutionMode, type ExecutionCreateRequest } from "../gen/flyteidl/admin/execution_pb";
import { IdentifierSchema, ResourceType } from "../gen/flyteidl/core/identifier_pb";
import { LiteralSchema, type Literal } from "../gen/flyteidl/core/literals_pb";
import type { ScheduleRecord } from "../ports/launchplans";
import { executionName } from "./names";

const datetime = (ms: number): Literal =>
  create(LiteralSchema, {
    value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "datetime", value: timestampFromMs(ms) } } } } },
  });

export function tickRequest(s: ScheduleRecord, tickMs: number): ExecutionCreateRequest {
  const key = { project: s.project, domain: s.domain, name: s.name, version: s.version };
  const literals: Record<string, Literal> = {};
  if (s.cronExpression && s.kickoffTimeInputArg) literals[s.kickoffTimeInputArg] = datetime(tickMs);
  return create(ExecutionCreateRequestSchema, {
    project: s.project,
    domain: s.domain,
    name: executionName(key, tickMs),
    spec: {
      launchPlan: create(IdentifierSchema, { resourceType: ResourceType.LAUNCH_PLAN, ...key }),
      metadata: { mode: ExecutionMetadata_ExecutionMode.SCHEDULED, scheduledAt: timestampFromMs(tickMs) },
    },
    inputs: { literals },
  });
}
