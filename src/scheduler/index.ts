// The schedule runner (issue 12): startScheduler for serve and `flyteadmin scheduler run`.
export { startScheduler, runnerSettings, type SchedulerDeps, type SchedulerHandle, type Timer } from "./start";
export { ScheduleRunner, type RunnerDeps, type RunnerSettings } from "./runner";
export { executionName, scheduleName } from "./names";
