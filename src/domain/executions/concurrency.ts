// A launch plan's concurrency policy: with too many of its executions (any version) QUEUED or RUNNING,
// a new one is skipped.
import { ConcurrencyLimitBehavior, type LaunchPlanSpec } from "../../gen/flyteidl/admin/launch_plan_pb";
import { alreadyExists, internal } from "../../kernel/errors";
import { phaseIn, scopeFilters } from "../../kernel/lists/filters";
import type { ExecutionStore } from "../../ports/executions";
import type { LaunchPlanRecord } from "../../ports/launchplans";

export async function checkConcurrency(
  executions: ExecutionStore,
  lp: LaunchPlanRecord,
  policy: NonNullable<LaunchPlanSpec["concurrencyPolicy"]>,
): Promise<void> {
  const count = await executions.count({
    filters: [
      ...scopeFilters("execution", { project: lp.project, domain: lp.domain }),
      ...scopeFilters("launch_plan", { name: lp.name }),
      phaseIn("execution", ["QUEUED", "RUNNING"]),
    ],
  });
  if (count < policy.max) return;
  if (policy.behavior === ConcurrencyLimitBehavior.SKIP) {
    throw alreadyExists(`concurrency limit (${policy.max}) reached for launch plan ${lp.name}; skipping execution`);
  }
  if (policy.behavior !== ConcurrencyLimitBehavior.UNSPECIFIED) throw internal(`unsupported concurrency-limit behavior: ${policy.behavior}`);
}
