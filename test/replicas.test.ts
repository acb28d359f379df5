// Two replicas of `flyteadmin serve` (separate processes, as behind a load balancer) on one PostgreSQL:
// what one writes the other reads, racing calls split across them leave exactly one winner, and a replica
// killed with SIGKILL mid-load loses nothing it acknowledged.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { Subprocess } from "bun";
import { AdminService } from "../src/gen/flyteidl/service/admin_pb";
import { WorkflowExecution_Phase as WfPhase } from "../src/gen/flyteidl/core/execution_pb";
import { ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { LaunchPlanState } from "../src/gen/flyteidl/admin/launch_plan_pb";
import { launchPlanFor, registerTwoNodeWorkflow } from "./fixtures/pyflyte";
import { answerOf, codeOf } from "./helpers/calls";
import { freshDatabase } from "./helpers/postgres";
import { serveCommand, waitForServing } from "./helpers/serving";

type Admin = Client<typeof AdminService>;

interface Replica {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  admin: Admin;
}

const scope = { project: "flytesnacks", domain: "development" };
const lp = { resourceType: ResourceType.LAUNCH_PLAN, ...scope, name: "workflows.example.wf", version: "v1" };
const inputs = {
  literals: {
    name: {
      value: { case: "scalar" as const, value: { value: { case: "primitive" as const, value: { value: { case: "stringValue" as const, value: "x" } } } } },
    },
  },
};
const at = (s: number) => ({ seconds: BigInt(1_800_000_000 + s) });

let dir: string;
let url: string;
let a: Replica;
let b: Replica;

async function startReplica(name: string): Promise<Replica> {
  // One blob folder for both, standing in for the shared object store replicas need.
  const proc = Bun.spawn(serveCommand(dir, "--database.url", url, "--server.gracefulShutdownTimeoutSeconds", "1"), {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, FLYTE_REPLICA: name },
  });
  const { ports } = await waitForServing(proc);
  return { proc, admin: createClient(AdminService, createGrpcTransport({ baseUrl: `http://127.0.0.1:${ports[1]}` })) };
}

const launch = (admin: Admin, name: string) => admin.createExecution({ ...scope, name, spec: { launchPlan: lp }, inputs });
const wfEvent = (admin: Admin, name: string, phase: WfPhase, s: number) =>
  admin.createWorkflowEvent({ event: { executionId: { ...scope, name }, phase, occurredAt: at(s), producerId: "propeller" } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "flyteadmin-replicas-"));
  url = await freshDatabase();
  // Both start at once: migrations queue on the advisory lock, and both then serve.
  [a, b] = await Promise.all([startReplica("a"), startReplica("b")]);
  await registerTwoNodeWorkflow(a.admin);
}, 60_000);

afterAll(async () => {
  for (const r of [a, b]) {
    r?.proc.kill("SIGTERM");
    await r?.proc.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe("two replicas on one PostgreSQL", () => {
  test("what one replica writes, the other reads", async () => {
    expect((await b.admin.getLaunchPlan({ id: lp })).id?.version).toBe("v1");
    await launch(b.admin, "written-on-b");
    const got = await a.admin.getExecution({ id: { ...scope, name: "written-on-b" } });
    expect(got.spec?.launchPlan?.name).toBe(lp.name);
    await a.admin.updateProject({ id: scope.project, name: "renamed on a" });
    const listed = await b.admin.listProjects({});
    expect(listed.projects.find((p) => p.id === scope.project)?.name).toBe("renamed on a");
    await wfEvent(a.admin, "written-on-b", WfPhase.RUNNING, 1);
    expect((await b.admin.getExecution({ id: { ...scope, name: "written-on-b" } })).closure?.phase).toBe(WfPhase.RUNNING);
  });

  test("racing creates of one name across both: exactly one wins, the rest AlreadyExists", async () => {
    for (let trial = 0; trial < 3; trial++) {
      const name = `race-${trial}`;
      const codes = await Promise.all(Array.from({ length: 20 }, (_, i) => codeOf(launch(i % 2 ? a.admin : b.admin, name))));
      expect(codes.filter((c) => c === "OK")).toHaveLength(1);
      expect(new Set(codes.filter((c) => c !== "OK"))).toEqual(new Set(["AlreadyExists"]));
    }
  });

  test("racing terminal events across both: exactly one wins and its phase stays", async () => {
    for (let trial = 0; trial < 3; trial++) {
      const name = `terminal-${trial}`;
      await launch(a.admin, name);
      await wfEvent(b.admin, name, WfPhase.RUNNING, 1);
      const phases = Array.from({ length: 20 }, (_, i) => (i % 2 ? WfPhase.SUCCEEDED : WfPhase.FAILED));
      const answers = await Promise.all(
        phases.map(async (phase, i) => ({ phase, code: await codeOf(wfEvent(i % 4 < 2 ? a.admin : b.admin, name, phase, 2)) })),
      );
      const winners = answers.filter((r) => r.code === "OK");
      expect(winners).toHaveLength(1);
      for (const r of answers.filter((x) => x.code !== "OK")) expect(["AlreadyExists", "FailedPrecondition"]).toContain(r.code);
      for (const admin of [a.admin, b.admin]) expect((await admin.getExecution({ id: { ...scope, name } })).closure?.phase).toBe(winners[0].phase);
    }
  });

  test("racing activations of two versions across both: exactly one version ends active", async () => {
    for (const version of ["a1", "a2"]) await a.admin.createLaunchPlan(launchPlanFor({}, { name: "switch", version }));
    const id = (version: string) => ({ ...lp, name: "switch", version });
    for (let trial = 0; trial < 3; trial++) {
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          answerOf((i % 2 ? a.admin : b.admin).updateLaunchPlan({ id: id(i % 4 < 2 ? "a1" : "a2"), state: LaunchPlanState.ACTIVE })),
        ),
      );
      expect(answers.filter(([code]) => code !== "OK")).toEqual([]);
      const active = await b.admin.listActiveLaunchPlans({ ...scope, limit: 10 });
      expect(active.launchPlans.filter((l) => l.id?.name === "switch")).toHaveLength(1);
    }
  });

  test("one replica killed with SIGKILL mid-load: every create it acknowledged is there", async () => {
    const acknowledged: string[] = [];
    let stop = false;
    let n = 0;
    // Four callers per replica keep creates in flight on both until A dies, then B alone.
    const caller = async (r: Replica, tag: string) => {
      while (!stop) {
        const name = `load-${tag}-${n++}`;
        if ((await codeOf(launch(r.admin, name))) === "OK") acknowledged.push(name);
        else if (r === a) return; // A is gone: its callers stop
      }
    };
    const callers = [...[0, 1, 2, 3].map((i) => caller(a, `a${i}`)), ...[0, 1, 2, 3].map((i) => caller(b, `b${i}`))];
    while (acknowledged.length < 150) await Bun.sleep(5);
    a.proc.kill("SIGKILL");
    await a.proc.exited;
    const atKill = acknowledged.length;
    while (acknowledged.length < atKill + 50) await Bun.sleep(5);
    stop = true;
    await Promise.all(callers);
    const missing: string[] = [];
    for (const name of acknowledged) {
      if ((await codeOf(b.admin.getExecution({ id: { ...scope, name } }))) !== "OK") missing.push(name);
    }
    expect(missing).toEqual([]);
    expect(acknowledged.filter((x) => x.startsWith("load-a")).length).toBeGreaterThan(0);
    // The survivor still answers every kind of call; a fresh replica joins as if nothing happened.
    a = await startReplica("a2");
    expect((await a.admin.getExecution({ id: { ...scope, name: acknowledged[0] } })).id?.name).toBe(acknowledged[0]);
  }, 60_000);
});
