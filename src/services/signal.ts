// flyteidl.service.SignalService: gate-node signals for propeller and for users approving or resuming.
import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import type { SignalService } from "../gen/flyteidl/service/signal_pb";
import { SignalSetResponseSchema } from "../gen/flyteidl/admin/signal_pb";
import type { SignalManager } from "../domain/signals/manager";

export function signalService(signals: SignalManager): Partial<ServiceImpl<typeof SignalService>> {
  return {
    getOrCreateSignal: (req) => signals.getOrCreate(req),
    listSignals: (req) => signals.list(req),
    async setSignal(req) {
      await signals.set(req);
      return create(SignalSetResponseSchema);
    },
  };
}
