// Signals of gate nodes, as upstream's signal manager: propeller gets-or-creates a signal with its type
// and polls it; a user sets its value (which must fit the type; setting again replaces it); lists page
// through an execution's signals.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  SignalListSchema,
  SignalSchema,
  type Signal,
  type SignalGetOrCreateRequest,
  type SignalList,
  type SignalListRequest,
  type SignalSetRequest,
} from "../../gen/flyteidl/admin/signal_pb";
import { LiteralTypeSchema } from "../../gen/flyteidl/core/types_pb";
import { LiteralSchema } from "../../gen/flyteidl/core/literals_pb";
import type { SignalIdentifier } from "../../gen/flyteidl/core/identifier_pb";
import { invalidArgument, missingArgument } from "../../kernel/errors";
import { parseFilters, scopeFilters } from "../../kernel/lists/filters";
import { nextToken, parseSort, parseToken, requireLimit } from "../../kernel/lists/page";
import { goText } from "../../kernel/go-text";
import { validateExecutionId } from "../shared/execution-keys";
import type { TypeRules } from "../launchplans/validate";
import type { SignalKey, SignalRecord, SignalStore } from "../../ports/signals";

function keyOf(id: SignalIdentifier | undefined): SignalKey {
  if (!id) throw missingArgument("id");
  if (!id.executionId) throw missingArgument("execution_id");
  if (id.signalId === "") throw missingArgument("signal_id");
  validateExecutionId(id.executionId);
  return { project: id.executionId.project, domain: id.executionId.domain, name: id.executionId.name, signalId: id.signalId };
}

const toSignal = (r: SignalRecord): Signal =>
  create(SignalSchema, {
    id: { signalId: r.signalId, executionId: { project: r.project, domain: r.domain, name: r.name } },
    type: fromBinary(LiteralTypeSchema, r.type),
    value: r.value ? fromBinary(LiteralSchema, r.value) : undefined,
  });

export class SignalManager {
  constructor(
    private readonly store: SignalStore,
    private readonly types: TypeRules,
  ) {}

  async getOrCreate(req: SignalGetOrCreateRequest): Promise<Signal> {
    const key = keyOf(req.id);
    if (!req.type) throw missingArgument("type");
    return toSignal(await this.store.getOrCreate(key, toBinary(LiteralTypeSchema, req.type)));
  }

  async list(req: SignalListRequest): Promise<SignalList> {
    const id = req.workflowExecutionId;
    try {
      validateExecutionId(id);
    } catch {
      throw missingArgument("execution_id");
    }
    requireLimit(req.limit);
    const filters = [...scopeFilters("signal", { project: id.project, domain: id.domain, name: id.name }), ...parseFilters(req.filters, "signal")];
    const order = parseSort(req.sortBy, "signal");
    const offset = parseToken(req.token, "ListSignals");
    const rows = await this.store.list({ filters, order, limit: req.limit, offset });
    return create(SignalListSchema, { signals: rows.map(toSignal), token: nextToken(offset, rows.length, req.limit) });
  }

  async set(req: SignalSetRequest): Promise<void> {
    const key = keyOf(req.id);
    if (!req.value) throw missingArgument("value");
    const existing = await this.store.get(key);
    if (!existing) {
      throw invalidArgument(`failed to validate that signal [{{${key.project} ${key.domain} ${key.name}} ${key.signalId}}] exists, err: [signal not found]`);
    }
    let valueType;
    try {
      valueType = this.types.literalType(req.value);
    } catch (e) {
      throw invalidArgument(`Failed to validate literal type for [] with err: ${(e as Error).message}`);
    }
    const stored = fromBinary(LiteralTypeSchema, existing.type);
    // Upstream checks the stored type against the value's in this order; kept for the same answers.
    if (!this.types.castable(stored, valueType)) {
      throw invalidArgument(
        `requested signal value [${goText(LiteralSchema, req.value)}] is not castable to existing signal type [${goText(LiteralTypeSchema, stored)}]`,
      );
    }
    await this.store.setValue(key, toBinary(LiteralSchema, req.value));
  }
}
