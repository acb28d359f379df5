// REST as the console uses it: schemathesis 4.32.5 over our /api/v1/openapi document, every operation:
// no 5xx, no hang (request timeout), status codes, content types and bodies as the document says.
// Seeded first with the registered Python project and one finished execution, and every path parameter
// given an example naming those, so the examples phase reads real rows and not only NotFound.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ResourceType } from "../../src/gen/flyteidl/core/identifier_pb";
import { domain, ok, project, startClientEnv, type ClientEnv } from "./harness";
import { FakePropeller, projectTasks, lit } from "./propeller";

let env: ClientEnv;
/** The finished execution the examples point at. */
const execution = "st-run";

beforeAll(async () => {
  env = await startClientEnv();
  // Real entities, so that reads hit rows and not only NotFound.
  ok(
    await env.run(
      [env.tools.pyflyte, "--config", env.config, "register", "--project", project, "--domain", domain, "--version", "v1", "--activate-launchplans", "app"],
      { timeoutMs: 180_000 },
    ),
    "pyflyte register",
  );
  const propeller = new FakePropeller(env.ts, env.kube, projectTasks);
  await env.ts.admin().createExecution({
    project,
    domain,
    name: execution,
    spec: { launchPlan: { resourceType: ResourceType.LAUNCH_PLAN, project, domain, name: "app.flows.chain", version: "v1" } },
    inputs: { literals: { a: lit.int(5) } },
  });
  await propeller.complete(execution);
}, 300_000);
afterAll(async () => {
  await env?.close();
});

type Param = { name: string; in: string; "x-example"?: unknown };
type Doc = { paths: Record<string, Record<string, { parameters?: Param[] }>> };

/** An example for a parameter that names the seeded rows: the project, the registered v1 entities, the
 * finished execution and its first node's first attempt. */
function example(path: string, name: string): unknown {
  const last = name.split(".").at(-1) ?? name;
  const entity =
    /^\/api\/v1\/(tasks|task_ids|description_entities|named_entities)\b/.test(path) || name.startsWith("task_id.") || name.includes(".task_id.")
      ? "app.flows.add"
      : "app.flows.chain";
  const executionScoped =
    /^\/api\/v1\/(executions|data\/executions|node_executions|data\/node_executions|task_executions|data\/task_executions|children|metrics|signals)\b/.test(
      path,
    );
  switch (last) {
    case "project":
      return project;
    case "domain":
      return domain;
    case "id":
      return path === "/api/v1/projects/{id}" ? project : undefined;
    case "name":
      return executionScoped && !name.includes("task_id") ? execution : entity;
    case "workflow":
      return "app.flows.chain";
    case "version":
      return "v1";
    case "node_id":
      return "n0";
    case "retry_attempt":
      return 0;
    case "resource_type":
      return entity === "app.flows.add" ? "TASK" : "LAUNCH_PLAN";
    case "limit":
      return 10;
    default:
      return undefined;
  }
}

/** The document as schemathesis is given it. grpc-gateway names path parameters by field path
 * (`{id.project}`); schemathesis formats paths with Python's str.format, which reads a dot as attribute
 * access, so they become `id__project`. Path parameters and `limit` get an `x-example` (see above). */
function forSchemathesis(doc: Doc): Doc {
  const plain = (name: string) => name.replaceAll(".", "__");
  const paths: Doc["paths"] = {};
  for (const [path, ops] of Object.entries(doc.paths)) {
    const withExample = (p: Param): Param => {
      const x = p.in === "path" || p.name === "limit" ? example(path, p.name) : undefined;
      return { ...p, ...(p.in === "path" && { name: plain(p.name) }), ...(x !== undefined && { "x-example": x }) };
    };
    paths[path.replace(/\{([^}]+)\}/g, (_, n: string) => `{${plain(n)}}`)] = Object.fromEntries(
      Object.entries(ops).map(([verb, op]) => [verb, { ...op, parameters: op.parameters?.map(withExample) }]),
    );
  }
  return { ...doc, paths };
}

/** flyteadmin_rpc_calls_total from /metrics: calls by "/service/Method" and gRPC code. */
async function callCounts(): Promise<Map<string, number>> {
  const text = await (await fetch(`${env.ts.httpUrl}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^flyteadmin_rpc_calls_total\{method="([^"]+)",code="([^"]+)"\} (\d+)$/gm)) out.set(`${m[1]} ${m[2]}`, Number(m[3]));
  return out;
}

/** AuthMetadataService and IdentityService routes: with auth off (server.security.useAuth false, the
 * default) upstream answers them 501 Unimplemented, which schemathesis' server-error check would count. */
const authPaths = /^\/(me|config\/v1\/flyte_client|\.well-known\/oauth-authorization-server)$/;

test("with auth off, the auth routes answer 501 Unimplemented as upstream does", async () => {
  for (const path of ["/me", "/config/v1/flyte_client", "/.well-known/oauth-authorization-server"]) {
    const res = await fetch(`${env.ts.httpUrl}${path}`, { headers: { accept: "application/json" } });
    expect(res.status).toBe(501);
    expect(((await res.json()) as { code: number }).code).toBe(12);
  }
});

interface CaseResult {
  name: string;
  /** What failed (checks) or errored in the case, shortened. */
  problems: string[];
  /** Errors that are schemathesis' own faults, not answers of the server (see toolFault). */
  toolFaults: string[];
}

/** A traceback inside schemathesis' or Hypothesis' own code that no check or request appears in: seen
 * once as a KeyError in schemathesis' data generation, which Hypothesis then reports as "Inconsistent
 * results". A server error, a schema violation or a timeout is never one of these. */
function toolFault(text: string): boolean {
  return /site-packages\/(schemathesis|hypothesis)\//.test(text) && !/Server error|violates schema|Undocumented|timed out|Reproduce with/i.test(text);
}

/** Test cases of schemathesis' JUnit report with what failed or errored in each. */
function junitCases(xml: string): CaseResult[] {
  const unquote = (t: string) =>
    t
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&amp;/g, "&");
  const cases: CaseResult[] = [];
  for (const m of xml.matchAll(/<testcase\b[^>]*\bname="([^"]*)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = m[2] ?? "";
    const texts = [...body.matchAll(/<(failure|error)\b([^>]*)>([\s\S]*?)<\/\1>|<(failure|error)\b([^>]*)\/>/g)].map((p) => ({
      kind: p[1] ?? p[4],
      text: unquote(`${p[2] ?? p[5] ?? ""}\n${p[3] ?? ""}`),
    }));
    cases.push({
      name: unquote(m[1]),
      problems: texts.filter((t) => t.kind === "failure" || !toolFault(t.text)).map((t) => t.text.slice(0, 1500)),
      toolFaults: texts.filter((t) => t.kind === "error" && toolFault(t.text)).map((t) => t.text.slice(0, 300)),
    });
  }
  return cases;
}

test("schemathesis: every operation of /api/v1/openapi, no server error, responses as documented", async () => {
  const doc = (await (await fetch(`${env.ts.httpUrl}/api/v1/openapi`)).json()) as Doc;
  const operations = Object.values(doc.paths).reduce((n, ops) => n + Object.keys(ops).length, 0);
  expect(operations).toBeGreaterThan(60);
  const schemaFile = join(env.ts.dir, "openapi.json");
  writeFileSync(schemaFile, JSON.stringify(forSchemathesis(doc)));
  const before = await callCounts();
  const reports = join(env.ts.dir, "schemathesis");
  mkdirSync(reports, { recursive: true });
  const r = await env.run(
    [
      env.tools.schemathesis,
      "--config-file",
      join(import.meta.dir, "schemathesis.toml"),
      "run",
      schemaFile,
      "--url",
      env.ts.httpUrl,
      "--phases",
      "examples,coverage,fuzzing",
      "--max-examples",
      "20",
      "--workers",
      "2",
      "--request-timeout",
      "10",
      "--max-time",
      "150",
      "--seed",
      "8",
      "--no-color",
      "--report",
      "junit",
      "--report-dir",
      reports,
    ],
    { timeoutMs: 240_000, cwd: env.ts.dir },
  );
  // The run's own summary (operations, test cases generated) in the suite's log.
  console.log(
    r.stdout
      .split("\n")
      .filter((l) => /Selected:|Tested:|generated|passed|failures|errors in/.test(l))
      .join("\n"),
  );
  // Which methods answered OK at least once during the run: the response schemas were checked on those.
  const after = await callCounts();
  const okMethods = [...after].filter(([k, n]) => k.endsWith(" OK") && n > (before.get(k) ?? 0)).map(([k]) => k.slice(0, -3));
  console.log(
    `methods answering OK during the run (${okMethods.length}): ${okMethods
      .map((m) => m.split("/").at(-1))
      .sort()
      .join(", ")}`,
  );
  // The seeded examples keep reads reaching real rows (40 methods at the time of writing).
  expect(okMethods.length).toBeGreaterThanOrEqual(30);
  const junit = readdirSync(reports).find((f) => f.endsWith(".xml"));
  expect(junit).toBeDefined();
  const cases = junitCases(readFileSync(join(reports, junit as string), "utf8"));
  // Every operation was tried, the auth ones included (only the server-error check is off for them, in
  // schemathesis.toml).
  expect(Object.keys(doc.paths).filter((p) => authPaths.test(p)).length).toBe(3);
  expect(cases.length).toBe(operations);
  const failing = cases.filter((c) => c.problems.length > 0);
  if (failing.length) console.error(failing.map((c) => `${c.name}\n  ${c.problems.join("\n  ")}`).join("\n\n"));
  expect(failing.map((c) => c.name)).toEqual([]);
  const faults = cases.filter((c) => c.toolFaults.length > 0);
  if (faults.length) console.warn(`schemathesis' own faults, not counted:\n${faults.map((c) => `${c.name}: ${c.toolFaults.join(" | ")}`).join("\n")}`);
  // schemathesis exits 1 on any failure or error: only its own faults may be behind that.
  expect(r.code === 0 || (r.code === 1 && faults.length > 0)).toBe(true);
  expect(r.output).toMatch(/Tested:\s+\d+/);
}, 300_000);
