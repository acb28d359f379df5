// The built-in WorkflowExecutor: FlyteWorkflow resources submitted to the Kubernetes cluster(s) the
// configuration names, else the queued no-op (executions are accepted and stay queued).
import type { Config } from "../config/schema";
import type { Logger } from "../kernel/log";
import type { Launcher } from "../ports/launcher";
import { clusterSettings, createExecutor } from "../cluster/executor";
import { clusterLauncher } from "../cluster/launcher";
import { launchSettings } from "./settings";

/** Reads kubeconfig or service-account credentials and logs where executions go: build it only when used. */
export function builtInLauncher(config: Config, log: Logger): Launcher {
  return clusterLauncher(createExecutor(clusterSettings(config), log), launchSettings(config));
}
