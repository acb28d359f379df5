// The listener's shutdown signal, visible to the handlers of its requests. Long-lived streams (e.g.
// Health/Watch) look it up and end with Unavailable when the server stops, instead of holding the
// whole grace period and then being cut off. An async-context store rather than a parameter: the
// services are built before the listener exists, and several servers may share one process (tests).
import { AsyncLocalStorage } from "node:async_hooks";

const scope = new AsyncLocalStorage<AbortSignal>();

/** Runs `fn` with `signal` as the shutdown signal of everything it starts. */
export function withShutdownSignal<T>(signal: AbortSignal, fn: () => T): T {
  return scope.run(signal, fn);
}

/** The shutdown signal of the listener serving the current request; undefined outside one. */
export function shutdownSignal(): AbortSignal | undefined {
  return scope.getStore();
}
