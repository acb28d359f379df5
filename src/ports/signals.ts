// What the signal rules need from storage; stores/db implements it.
import type { ListQuery } from "./common";
import type { ExecutionKey } from "./executions";

export interface SignalKey extends ExecutionKey {
  signalId: string;
}

export interface SignalRecord extends SignalKey {
  /** Binary core.LiteralType. */
  type: Uint8Array;
  /** Binary core.Literal, null until set. */
  value: Uint8Array | null;
}

export interface SignalStore {
  /** Inserts the signal unless it exists; returns the stored row either way. */
  getOrCreate(key: SignalKey, type: Uint8Array): Promise<SignalRecord>;
  get(key: SignalKey): Promise<SignalRecord | undefined>;
  setValue(key: SignalKey, value: Uint8Array): Promise<void>;
  list(q: ListQuery): Promise<SignalRecord[]>;
}
