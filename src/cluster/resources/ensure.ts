// Beyond upstream: an execution's namespace is created when absent, once per process and cluster, so a
// fresh cluster runs executions without templates or extra tooling. Concurrent callers share one
// request; a failure is not remembered, so the next caller tries again.
import type { Logger } from "../../kernel/log";
import { createNamespace } from "./apply";
import type { ResourceTarget } from "./apply";

export class NamespaceEnsurer {
  private readonly known = new Map<string, Promise<void>>();
  constructor(private readonly log: Logger) {}

  /** Resolves once the namespace exists in the target's cluster; throws the cluster's ClusterError. */
  ensure(target: ResourceTarget, namespace: string): Promise<void> {
    const key = `${target.id}\u0000${namespace}`;
    const pending = this.known.get(key);
    if (pending) return pending;
    const p = createNamespace(target, namespace).then(
      (created) => {
        if (created) this.log.info("created namespace", { namespace, cluster: target.id });
      },
      (e: unknown) => {
        this.known.delete(key);
        throw e;
      },
    );
    this.known.set(key, p);
    return p;
  }
}
