// Racing events over the wire: propeller and its retries can send events for one execution, node or task
// attempt at the same moment. Of racing events exactly one is accepted; every other call gets the answer
// it would have had after the winner (as if the calls had run one after another: AlreadyExists for the
// same phase, FailedPrecondition with already_in_terminal_state for another), and only the winner's
// event is stored.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { toJsonString } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { EventFailureReasonSchema } from "../src/gen/flyteidl/admin/event_pb";
import { NodeExecution_Phase as NodePhase, TaskExecution_Phase as TaskPhase, WorkflowExecution_Phase as WfPhase } from "../src/gen/flyteidl/core/execution_pb";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { registerTwoNodeWorkflow } from "./fixtures/pyflyte";
import { startTestServer, type TestServer } from "./helpers/server";

let ts: TestServer;
const trials = 5;
const scope = { project: "flytesnacks", domain: "development" };
const task = { resourceType: ResourceType.TASK, ...scope, name: "workflows.example.t1", version: "v1" };
const inputs = {
  literals: {
    name: {
      value: { case: "scalar" as const, value: { value: { case: "primitive" as const, value: { value: { case: "stringValue" as const, value: "x" } } } } },
    },
  },
};
const at = (s: number) => ({ seconds: BigInt(1_800_000_000 + s) });
type Exec = { project: string; domain: string; name: string };

beforeAll(async () => {
  ts = await startTestServer();
  await registerTwoNodeWorkflow(ts.admin());
});
afterAll(async () => {
  await ts.close();
});

async function launch(name: string): Promise<Exec> {
  await ts.admin().createExecution({
    ...scope,
    name,
    spec: { launchPlan: { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name: "workflows.example.wf", version: "v1" } },
    inputs,
  });
  return { ...scope, name };
}
const wf = (id: Exec, phase: WfPhase, s: number) =>
  ts.admin().createWorkflowEvent({ event: { executionId: id, phase, occurredAt: at(s), producerId: "propeller" } });
const node = (id: Exec, phase: NodePhase, s: number) =>
  ts.admin().createNodeEvent({ event: { id: { executionId: id, nodeId: "n0" }, phase, occurredAt: at(s), producerId: "propeller" } });
const taskEvent = (id: Exec, phase: TaskPhase, s: number, phaseVersion = 0) =>
  ts.admin().createTaskEvent({
    event: {
      taskId: task,
      parentNodeExecutionId: { executionId: id, nodeId: "n0" },
      retryAttempt: 0,
      phase,
      phaseVersion,
      occurredAt: at(s),
      producerId: "propeller",
    },
  });

/** What a call answered: its code, message and failure detail, comparable with toEqual. */
type Answer = { code: string; message: string; detail: string | undefined };
async function answer(p: Promise<unknown>): Promise<Answer> {
  try {
    await p;
    return { code: "OK", message: "", detail: undefined };
  } catch (e) {
    const err = ConnectError.from(e);
    const d = err.findDetails(EventFailureReasonSchema)[0];
    return { code: Code[err.code], message: err.rawMessage, detail: d && toJsonString(EventFailureReasonSchema, d) };
  }
}

const terminalMix = <P>(a: P, b: P) => Array.from({ length: 50 }, (_, i) => (i % 2 ? b : a));
const same = <P>(p: P) => Array.from({ length: 50 }, () => p);

/**
 * Fires one call per phase at once; asserts exactly one is accepted and every other answered what the
 * same event answers when sent once more afterwards. Returns the winner's phase.
 */
async function race<P>(phases: P[], send: (p: P) => Promise<unknown>): Promise<P> {
  const results = await Promise.all(phases.map(async (phase) => ({ phase, ...(await answer(send(phase))) })));
  const winners = results.filter((r) => r.code === "OK");
  expect(winners.length).toBe(1);
  for (const phase of new Set(phases)) {
    const sequential = await answer(send(phase));
    expect(sequential.code).not.toBe("OK");
    for (const r of results.filter((x) => x.phase === phase && x.code !== "OK"))
      expect<Answer>({ code: r.code, message: r.message, detail: r.detail }).toEqual(sequential);
  }
  return winners[0].phase;
}

/** Terminal phases stored in an event history table (node history is written after the answer). */
async function storedTerminal(table: "execution_events" | "node_execution_events", name: string): Promise<string[]> {
  const sql = `SELECT phase FROM ${table} WHERE execution_name = ? AND phase IN ('SUCCEEDED', 'FAILED')`;
  for (let i = 0; i < 50; i++) {
    const rows = (await ts.server.database.db.query(sql, [name])).map((r) => String(r.phase));
    if (rows.length > 0 || table === "execution_events") return rows;
    await Bun.sleep(20);
  }
  return [];
}

describe("racing workflow events", () => {
  test("25 SUCCEEDED + 25 FAILED on a RUNNING execution: one wins, its phase stays, one terminal event stored", async () => {
    for (let i = 0; i < trials; i++) {
      const id = await launch(`wf-terminal-${i}`);
      await wf(id, WfPhase.RUNNING, 1);
      const winner = await race(terminalMix(WfPhase.SUCCEEDED, WfPhase.FAILED), (p) => wf(id, p, 2));
      expect((await ts.admin().getExecution({ id })).closure?.phase).toBe(winner);
      expect(await storedTerminal("execution_events", id.name)).toEqual([WfPhase[winner]]);
    }
  }, 30_000);

  test("50 identical RUNNING on a QUEUED execution: one OK, the rest AlreadyExists as a repeat gets", async () => {
    for (let i = 0; i < trials; i++) {
      const id = await launch(`wf-running-${i}`);
      await wf(id, WfPhase.QUEUED, 1);
      await race(same(WfPhase.RUNNING), (p) => wf(id, p, 2));
      expect((await ts.admin().getExecution({ id })).closure?.phase).toBe(WfPhase.RUNNING);
    }
  }, 30_000);

  test("racing QUEUED events are all accepted, as a repeated QUEUED is one after another", async () => {
    const id = await launch("wf-queued");
    const answers = await Promise.all(Array.from({ length: 20 }, (_, s) => answer(wf(id, WfPhase.QUEUED, s))));
    expect(answers.filter((a) => a.code !== "OK")).toEqual([]);
    expect((await ts.admin().getExecution({ id })).closure?.phase).toBe(WfPhase.QUEUED);
  });
});

describe("terminate racing a terminal event", () => {
  test("an acknowledged SUCCEEDED is never overwritten by a concurrent terminate's ABORTING", async () => {
    for (let i = 0; i < trials; i++) {
      const id = await launch(`wf-abort-${i}`);
      await wf(id, WfPhase.RUNNING, 1);
      const calls = Array.from({ length: 10 }, (_, k) =>
        k === 5 ? answer(wf(id, WfPhase.SUCCEEDED, 2)) : answer(ts.admin().terminateExecution({ id, cause: "stop" })),
      );
      const answers = await Promise.all(calls);
      const phase = (await ts.admin().getExecution({ id })).closure?.phase;
      if (answers[5].code === "OK") expect(phase).toBe(WfPhase.SUCCEEDED);
      else expect(phase).toBe(WfPhase.ABORTING);
      // A terminate that came after the SUCCEEDED saw it and refused, as it would one call later.
      for (const a of answers.filter((_, k) => k !== 5 && answers[k].code !== "OK"))
        expect(a.message).toBe("Cannot abort an already terminated workflow execution");
    }
  }, 30_000);
});

describe("racing node events", () => {
  test("25 SUCCEEDED + 25 FAILED on a RUNNING node: one wins, its phase stays, one terminal event stored", async () => {
    for (let i = 0; i < trials; i++) {
      const id = await launch(`node-terminal-${i}`);
      await node(id, NodePhase.RUNNING, 1);
      const winner = await race(terminalMix(NodePhase.SUCCEEDED, NodePhase.FAILED), (p) => node(id, p, 2));
      expect((await ts.admin().getNodeExecution({ id: { executionId: id, nodeId: "n0" } })).closure?.phase).toBe(winner);
      expect(await storedTerminal("node_execution_events", id.name)).toEqual([NodePhase[winner]]);
    }
  }, 30_000);

  test("50 identical RUNNING on a QUEUED node, and 50 first events of a new node: one OK each", async () => {
    for (let i = 0; i < trials; i++) {
      const queued = await launch(`node-running-${i}`);
      await node(queued, NodePhase.QUEUED, 1);
      await race(same(NodePhase.RUNNING), (p) => node(queued, p, 2));
      const fresh = await launch(`node-create-${i}`);
      await race(same(NodePhase.RUNNING), (p) => node(fresh, p, 2));
      expect((await ts.admin().getNodeExecution({ id: { executionId: fresh, nodeId: "n0" } })).closure?.phase).toBe(NodePhase.RUNNING);
    }
  }, 30_000);
});

describe("racing task events", () => {
  test("25 SUCCEEDED + 25 FAILED on a RUNNING attempt: one wins and its phase stays", async () => {
    for (let i = 0; i < trials; i++) {
      const id = await launch(`task-terminal-${i}`);
      await node(id, NodePhase.RUNNING, 1);
      await taskEvent(id, TaskPhase.RUNNING, 1);
      const winner = await race(terminalMix(TaskPhase.SUCCEEDED, TaskPhase.FAILED), (p) => taskEvent(id, p, 2));
      const listed = await ts.admin().listTaskExecutions({ nodeExecutionId: { executionId: id, nodeId: "n0" }, limit: 10 });
      expect(listed.taskExecutions.map((t) => t.closure?.phase)).toEqual([winner]);
    }
  }, 30_000);

  test("50 identical RUNNING with a higher phase_version, and 50 first events of a new attempt: one OK each", async () => {
    for (let i = 0; i < trials; i++) {
      const id = await launch(`task-version-${i}`);
      await node(id, NodePhase.RUNNING, 1);
      await taskEvent(id, TaskPhase.RUNNING, 1);
      await race(same(TaskPhase.RUNNING), (p) => taskEvent(id, p, 2, 1));
      const fresh = await launch(`task-create-${i}`);
      await node(fresh, NodePhase.RUNNING, 1);
      await race(same(TaskPhase.RUNNING), (p) => taskEvent(fresh, p, 2));
    }
  }, 30_000);
});
