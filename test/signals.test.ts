// Gate-node signals over the wire: propeller's get-or-create, a user's set (type-checked, repeatable),
// lists over gRPC and REST.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code, createClient, type Client } from "@connectrpc/connect";
import { SignalService } from "../src/gen/flyteidl/service/signal_pb";
import { SimpleType } from "../src/gen/flyteidl/core/types_pb";
import { failure } from "./helpers/calls";
import { startTestServer, type TestServer } from "./helpers/server";

let ts: TestServer;
let signals: Client<typeof SignalService>;
const exec = { project: "flytesnacks", domain: "development", name: "gated" };
const boolType = { type: { case: "simple" as const, value: SimpleType.BOOLEAN } };
const boolLit = (b: boolean) => ({
  value: { case: "scalar" as const, value: { value: { case: "primitive" as const, value: { value: { case: "boolean" as const, value: b } } } } },
});

beforeAll(async () => {
  ts = await startTestServer();
  signals = createClient(SignalService, ts.transports["grpc (h2c, gRPC port)"]);
});
afterAll(async () => {
  await ts.close();
});

describe("signals", () => {
  test("get-or-create is idempotent; set is type-checked and may be repeated", async () => {
    const id = { executionId: exec, signalId: "approve" };
    const first = await signals.getOrCreateSignal({ id, type: boolType });
    expect(first.value).toBeUndefined();
    // A second call with another type returns the stored one.
    const again = await signals.getOrCreateSignal({ id, type: { type: { case: "simple", value: SimpleType.STRING } } });
    expect(again.type?.type).toEqual({ case: "simple", value: SimpleType.BOOLEAN });
    const wrong = await failure(
      signals.setSignal({
        id,
        value: { value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "integer", value: 1n } } } } } },
      }),
    );
    expect(Code[wrong.code]).toBe("InvalidArgument");
    expect(wrong.rawMessage).toContain("is not castable to existing signal type");
    await signals.setSignal({ id, value: boolLit(true) });
    await signals.setSignal({ id, value: boolLit(false) });
    const got = await signals.getOrCreateSignal({ id, type: boolType });
    expect(got.value?.value.case === "scalar" && got.value.value.value.value.case === "primitive" && got.value.value.value.value.value.value.value).toBe(false);
    const missing = await failure(signals.setSignal({ id: { executionId: exec, signalId: "nope" }, value: boolLit(true) }));
    expect(Code[missing.code]).toBe("InvalidArgument");
    expect(Code[(await failure(signals.getOrCreateSignal({ id }))).code]).toBe("InvalidArgument");
  });

  test("list pages over gRPC and REST", async () => {
    await signals.getOrCreateSignal({ id: { executionId: exec, signalId: "resume" }, type: boolType });
    const page = await signals.listSignals({ workflowExecutionId: exec, limit: 1 });
    expect(page.signals.length).toBe(1);
    expect(page.token).toBe("1");
    const filtered = await signals.listSignals({ workflowExecutionId: exec, limit: 10, filters: "eq(signal_id,resume)" });
    expect(filtered.signals.map((s) => s.id?.signalId)).toEqual(["resume"]);
    const res = await fetch(`${ts.httpUrl}/api/v1/signals/flytesnacks/development/gated?limit=10`, { headers: { accept: "application/json" } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { signals: unknown[] }).signals.length).toBe(2);
    expect(Code[(await failure(signals.listSignals({ workflowExecutionId: exec, limit: 0 }))).code]).toBe("InvalidArgument");
  });
});
