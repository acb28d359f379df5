// The rules every propeller event shares, whichever row it reports on (workflow, node or task
// execution): who may report (the execution's own cluster), the failure reasons propeller reads
// (already_in_terminal_state, incompatible_cluster), and the retry of a conditional write that lost a
// race, so of racing events exactly one wins and the others get the answers a sequential run gives.
import { EventFailureReasonSchema } from "../../gen/flyteidl/admin/event_pb";
import { aborted, detail, failedPrecondition, type AdminError } from "../../kernel/errors";
import { StaleRecord } from "../../ports/executions";

export const defaultProducer = "propeller";
/** A producer id naming a cluster (not empty, not the single-cluster default). */
export const isRealProducer = (p: string) => p !== "" && p !== defaultProducer;

export const terminalStateError = (message: string, currentPhase: string): AdminError =>
  failedPrecondition(message, detail(EventFailureReasonSchema, { reason: { case: "alreadyInTerminalState", value: { currentPhase } } }));

export const incompatibleClusterError = (message: string, cluster: string): AdminError =>
  failedPrecondition(message, detail(EventFailureReasonSchema, { reason: { case: "incompatibleCluster", value: { cluster } } }));

/** Events name their producer; a real cluster id must match the execution's. */
export function checkCluster(stored: string, producer: string): void {
  if (!isRealProducer(producer) || producer === stored) return;
  throw incompatibleClusterError(`Cluster/producer from event [${producer}] does not match existing workflow execution clusterInDB: [${stored}]`, producer);
}

// Each lost compare-and-set means another call's write committed; events for one row come from one
// propeller, so even a burst of duplicates settles in a few rounds. The bound only stops a runaway.
const maxAttempts = 100;

/** Runs an event handler again from a fresh read each time its conditional write loses a race. */
export async function retryStale<T>(handle: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await handle();
    } catch (e) {
      if (!(e instanceof StaleRecord)) throw e;
      if (attempt >= maxAttempts) throw aborted(`gave up after ${attempt} concurrent updates of the same record; retry the event`);
    }
  }
}
