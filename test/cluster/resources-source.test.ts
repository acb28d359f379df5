// What the controller reads from the database (projects but archived ones; the most specific
// CLUSTER_RESOURCE attributes), and the executor creating an execution's namespace before its first
// FlyteWorkflow (cluster_resources.ensureNamespace).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import { createExecutor, type ClusterSettings } from "../../src/cluster/executor";
import { storeSource } from "../../src/cluster/resources/source";
import { MatchingAttributesSchema } from "../../src/gen/flyteidl/admin/matchable_resource_pb";
import { Project_ProjectState } from "../../src/gen/flyteidl/admin/project_pb";
import { silentLogger } from "../../src/kernel/log";
import { openDatabase, type Database } from "../../src/stores/db/client";
import { scratchDatabaseUrl } from "../helpers/test-database";
import { resourceStore } from "../../src/stores/db/matchable";
import { migrateUp } from "../../src/stores/db/migrate";
import { projectStore } from "../../src/stores/db/projects";
import { startFakeKube, type FakeKube } from "../helpers/fake-k8s";

let db: Database;
let kube: FakeKube;
beforeAll(async () => {
  db = await openDatabase({ url: await scratchDatabaseUrl() });
  await migrateUp(db.db);
  kube = await startFakeKube();
});
afterAll(async () => {
  db.close();
  await kube.close();
});

describe("the database source", () => {
  test("projects but archived ones; the most specific attributes of a project-domain", async () => {
    const projects = projectStore(db.db);
    const project = (identifier: string, state: Project_ProjectState) =>
      projects.create({ identifier, name: identifier, description: "", labels: null, state });
    await project("beta", Project_ProjectState.ACTIVE);
    await project("alpha", Project_ProjectState.ACTIVE);
    await project("old", Project_ProjectState.ARCHIVED);
    const resources = resourceStore(db.db);
    const attrs = (attributes: Record<string, string>) =>
      toBinary(MatchingAttributesSchema, create(MatchingAttributesSchema, { target: { case: "clusterResourceAttributes", value: { attributes } } }));
    const row = { workflow: "", launchPlan: "", resourceType: "CLUSTER_RESOURCE" };
    await resources.upsert({ ...row, project: "alpha", domain: "", priority: 1, attributes: attrs({ projectQuotaCpu: "8" }) });
    await resources.upsert({ ...row, project: "alpha", domain: "production", priority: 2, attributes: attrs({ projectQuotaCpu: "32", team: "ml" }) });
    const s = storeSource(projects, resources);
    expect(await s.projects()).toEqual(["alpha", "beta"]);
    expect(await s.attributes("alpha", "production")).toEqual({ projectQuotaCpu: "32", team: "ml" });
    expect(await s.attributes("alpha", "development")).toEqual({ projectQuotaCpu: "8" });
    expect(await s.attributes("beta", "development")).toEqual({});
  });
});

describe("the executor and cluster_resources.ensureNamespace", () => {
  const settings = (ensureNamespace: boolean): ClusterSettings => ({
    kubeConfig: kube.writeKubeconfig(),
    timeoutMs: 5000,
    clusterConfigs: [],
    labelClusterMap: {},
    defaultExecutionLabel: "",
    ensureNamespace,
  });
  const isolated = { env: {}, serviceAccountDir: join(mkdtempSync(join(tmpdir(), "ensure-ns-")), "none") };
  const wf = (name: string, namespace: string) => ({
    executionName: name,
    namespace,
    resource: { apiVersion: "flyte.lyft.com/v1alpha1", kind: "flyteworkflow", metadata: { name, namespace }, spec: {} },
  });
  const sent = (from: number) => kube.requests.slice(from).map((r) => `${r.method} ${r.path}`);
  const flyteworkflows = (ns: string) => `POST /apis/flyte.lyft.com/v1alpha1/namespaces/${ns}/flyteworkflows`;

  test("the namespace is created before the first FlyteWorkflow into it, once", async () => {
    const e = createExecutor(settings(true), silentLogger, isolated);
    const from = kube.requests.length;
    await e.execute(wf("a1", "fresh-development"));
    await e.execute(wf("a2", "fresh-development"));
    expect(sent(from)).toEqual(["POST /api/v1/namespaces", flyteworkflows("fresh-development"), flyteworkflows("fresh-development")]);
    expect(kube.resources.has("/api/v1/namespaces/fresh-development")).toBe(true);
  });

  test("not allowed to create namespaces: the FlyteWorkflow still goes, and the cluster is not asked again", async () => {
    const e = createExecutor(settings(true), silentLogger, isolated);
    kube.failNext(1, 403, "Forbidden", "namespaces is forbidden");
    const from = kube.requests.length;
    await e.execute(wf("b1", "locked-development"));
    await e.execute(wf("b2", "other-development"));
    expect(sent(from)).toEqual(["POST /api/v1/namespaces", flyteworkflows("locked-development"), flyteworkflows("other-development")]);
  });

  test("off: nothing but the FlyteWorkflow", async () => {
    const e = createExecutor(settings(false), silentLogger, isolated);
    const from = kube.requests.length;
    await e.execute(wf("c1", "plain-development"));
    expect(sent(from)).toEqual([flyteworkflows("plain-development")]);
  });
});
