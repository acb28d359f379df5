// The real clients against a server with auth on (Self mode, beside an in-process OIDC provider):
// pyflyte and flytectl with ClientSecret (flytepropeller's own flow), Pkce through headless Chromium
// signing in at the IdP, DeviceFlow approved in that browser while the CLI polls, and a propeller-shaped
// client sending workflow and node events with a client_credentials token. After a user's login, the
// execution the CLI creates names that user as principal and the FlyteWorkflow runs as them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { NodeExecution_Phase as NodePhase, WorkflowExecution_Phase as Phase } from "../../src/gen/flyteidl/core/execution_pb";
import { ResourceType } from "../../src/gen/flyteidl/core/identifier_pb";
import { AdminService } from "../../src/gen/flyteidl/service/admin_pb";
import { type AuthTestServer, propellerSecret } from "../helpers/auth-server";
import { codeOf } from "../helpers/calls";
import { LoginBrowser, UrlOpener } from "./auth/browser";
import { type ClientEnv, domain, ok, project, type RunResult, type Running, startClientEnv } from "./harness";
import { FakePropeller, lit, projectTasks } from "./propeller";

let env: ClientEnv;
let s: AuthTestServer;
let browser: LoginBrowser;
let opener: UrlOpener;
/** Our API as a service account (client_credentials), for what the tests check. */
let admin: Client<typeof AdminService>;
let propeller: FakePropeller;
const scope = { project, domain };
const pd = ["-p", project, "-d", domain];
/** Where flytekit and flytectl listen for the authorization code (GetPublicClientConfig's redirect_uri). */
const cliCallback = "http://localhost:53593/callback";

const bearer =
  (token: string): Interceptor =>
  (next) =>
  (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };

/** A token as the Go admin client's ClientSecret flow asks for one (golang.org/x/oauth2/clientcredentials): Basic, then the form. */
async function propellerToken(): Promise<string> {
  const res = await fetch(`${env.ts.httpUrl}/oauth2/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${btoa(`${encodeURIComponent("flytepropeller")}:${encodeURIComponent(propellerSecret)}`)}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "client_credentials", scope: "all offline" }),
  });
  const body = (await res.json()) as { access_token?: string; expires_in?: number; token_type?: string };
  if (res.status !== 200 || !body.access_token) throw new Error(`token endpoint answered ${res.status}: ${JSON.stringify(body)}`);
  return body.access_token;
}

/** A client config file for both CLIs: the harness's endpoint plus these admin settings (YAML lines). */
function config(name: string, admin: string[], loggerLevel = 0): string {
  const path = join(env.ts.dir, `${name}.yaml`);
  const grpcPort = new URL(env.ts.grpcUrl).port;
  const lines = ["admin:", `  endpoint: dns:///127.0.0.1:${grpcPort}`, "  insecure: true", ...admin.map((l) => `  ${l}`), "logger:", `  level: ${loggerLevel}`];
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

let secretFile = "";
const configs: Record<string, string> = {};

beforeAll(async () => {
  env = await startClientEnv({}, { auth: true });
  if (!env.auth) throw new Error("the harness started without auth");
  s = env.auth;
  admin = createClient(AdminService, createGrpcTransport({ baseUrl: env.ts.grpcUrl, interceptors: [bearer(await s.token())] }));
  // The player sends what propeller sends, with a token from the flow propeller uses.
  const playerAdmin = createClient(AdminService, createGrpcTransport({ baseUrl: env.ts.grpcUrl, interceptors: [bearer(await propellerToken())] }));
  propeller = new FakePropeller({ ...env.ts, admin: () => playerAdmin }, env.kube, projectTasks);
  opener = new UrlOpener(join(env.ts.dir, "browser-bin"));
  browser = await LoginBrowser.launch(env.tools.chromium);

  secretFile = join(env.ts.dir, "client_secret");
  // A trailing newline, as `kubectl create secret --from-file` leaves it: both clients trim it.
  writeFileSync(secretFile, `${propellerSecret}\n`);
  const wrongSecret = join(env.ts.dir, "wrong_secret");
  writeFileSync(wrongSecret, "not-the-secret\n");
  configs.secret = config("client-secret", ["authType: ClientSecret", "clientId: flytepropeller", `clientSecretLocation: ${secretFile}`]);
  configs.wrongSecret = config("wrong-secret", ["authType: ClientSecret", "clientId: flytepropeller", `clientSecretLocation: ${wrongSecret}`]);
  // The Go client tries a refused token request maxRetries+1 times, perRetryTimeout apart (60 s by default).
  configs.wrongSecretCtl = config("wrong-secret-ctl", [
    "authType: ClientSecret",
    "clientId: flytepropeller",
    `clientSecretLocation: ${wrongSecret}`,
    "maxRetries: 1",
    "perRetryTimeout: 1s",
  ]);
  configs.bogusToken = config("bogus-token", ["authType: ExternalCommand", "command:", "  - echo", "  - not-a-token"]);
  configs.pkce = config("pkce", ["authType: Pkce", "pkceConfig:", "  timeout: 60s"], 2);
  configs.device = config("device", ["authType: DeviceFlow", "deviceFlowConfig:", "  timeout: 60s"]);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await env?.close();
});

/**
 * The environment of a CLI run: our browser, and cold keyrings so every run starts logged out: flytekit's
 * null backend, and for flytectl's go-keyring a session bus address that leads nowhere (left unset,
 * godbus would try to autolaunch a bus with dbus-launch where that is installed).
 */
const cliEnv = (): Record<string, string> => ({
  ...opener.env(env.baseEnv.PATH),
  PYTHON_KEYRING_BACKEND: "keyring.backends.null.Keyring",
  DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(env.ts.dir, "no-session-bus")}`,
});
const pyflyte = (cfg: string, args: string[]): Running => env.start([env.tools.pyflyte, "--config", cfg, ...args], { timeoutMs: 150_000, env: cliEnv() });
const flytectl = (cfg: string, args: string[]): Running => env.start([env.tools.flytectl, "--config", cfg, ...args], { timeoutMs: 90_000, env: cliEnv() });

/** The execution's principal and the identity its FlyteWorkflow runs as (Go's snake_case JSON of core.SecurityContext). */
async function identities(name: string): Promise<{ principal: string | undefined; runAs: string | undefined; crdRunAs: string | undefined }> {
  const e = await admin.getExecution({ id: { ...scope, name } });
  const crd = (await propeller.resource(name)) as unknown as { securityContext?: { run_as?: { execution_identity?: string } } };
  return {
    principal: e.spec?.metadata?.principal,
    runAs: e.spec?.securityContext?.runAs?.executionIdentity,
    crdRunAs: crd.securityContext?.run_as?.execution_identity,
  };
}

/** Whether the command has ended: a client that fails before its login must not be waited for. */
function ended(client: Running): () => boolean {
  let over = false;
  client.done.then(
    () => {
      over = true;
    },
    () => {
      over = true;
    },
  );
  return () => over;
}

/** Drives the browser through the login the client opened, then waits for the client. */
async function withPkceLogin(client: Running, subject: string, what: string): Promise<{ result: RunResult; authorizeUrl: URL }> {
  let authorizeUrl: URL;
  try {
    authorizeUrl = new URL(await opener.next(60_000, client.output, ended(client)));
    const landed = await browser.login(authorizeUrl.href, subject, (u) => u.startsWith(cliCallback));
    expect(landed.trail.some((u) => u.startsWith(`${s.idp.issuer}/`))).toBe(true);
  } catch (e) {
    client.kill();
    throw e;
  }
  const result = ok(await client.done, what);
  // One login per run, however many calls it made.
  expect(opener.pending()).toEqual([]);
  return { result, authorizeUrl };
}

/** Reads the verification URL the client printed while it polls, and approves it in the browser as `subject`. */
async function approveDevice(client: Running, subject: string, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  const gone = ended(client);
  while (!(url = pattern.exec(client.output())?.[1])) {
    if (Date.now() > deadline || gone()) {
      client.kill();
      throw new Error(`the client printed no verification URL${gone() ? " and ended" : ""}:\n${client.output().slice(-3000)}`);
    }
    await Bun.sleep(100);
  }
  try {
    const page = await browser.login(url, subject, (_, text) => text.includes("Device approved"));
    expect(page.text).toContain("You may return to your device.");
  } catch (e) {
    client.kill();
    throw e;
  }
  return url;
}

let execFile = "";
/** An exec spec for app.flows.chain v1 with a = 5 (written by flytectl with ClientSecret, in the first flytectl test). */
const chainSpec = (name: string): string => {
  if (!execFile) throw new Error("the exec spec comes from the flytectl ClientSecret test, which did not run");
  const path = join(env.ts.dir, `${name}.exec.yaml`);
  writeFileSync(path, readFileSync(execFile, "utf8").replace(/(\n\s+a:) .*/, "$1 5"));
  return path;
};
const createdName = (r: RunResult): string => {
  const m = /execution identifier project:"flytesnacks"\s+domain:"development"\s+name:"([a-z0-9]+)"/.exec(r.stdout);
  if (!m) throw new Error(`no execution identifier in:\n${r.output}`);
  return m[1];
};

describe("ClientSecret (flytepropeller's client and secret)", () => {
  test("pyflyte registers with fast registration; run --remote --wait ends as the propeller-shaped client reports the events", async () => {
    const reg = ok(
      await pyflyte(configs.secret, ["register", "--project", project, "--domain", domain, "--version", "v1", "--activate-launchplans", "app"]).done,
      "pyflyte register (ClientSecret)",
    );
    expect(reg.output).toContain("Successfully registered 18 entities");
    const lps = await admin.listNamedEntities({ resourceType: ResourceType.LAUNCH_PLAN, ...scope, limit: 100 });
    expect(lps.entities.map((e) => e.id?.name)).toContain("app.flows.chain");

    const before = new Set(propeller.names());
    const run = pyflyte(configs.secret, [
      "run",
      "--remote",
      "--wait",
      "--project",
      project,
      "--domain",
      domain,
      "app/flows.py",
      "chain",
      "--a",
      "5",
      "--name",
      "world",
    ]);
    let name: string;
    try {
      name = await propeller.newExecution(before);
    } catch (e) {
      run.kill();
      throw new Error(`${(e as Error).message}; pyflyte printed:\n${run.output().slice(-3000)}`);
    }
    // Propeller's events without a token are refused; with its client_credentials token they are taken.
    const anonymous = createClient(AdminService, createGrpcTransport({ baseUrl: env.ts.grpcUrl }));
    expect(await codeOf(anonymous.createWorkflowEvent({ event: { executionId: { ...scope, name }, phase: Phase.RUNNING, producerId: "propeller" } }))).toBe(
      "Unauthenticated",
    );
    expect(
      await codeOf(
        anonymous.createNodeEvent({
          event: { id: { nodeId: "start-node", executionId: { ...scope, name } }, phase: NodePhase.SUCCEEDED, producerId: "propeller" },
        }),
      ),
    ).toBe("Unauthenticated");
    const outputs = await propeller.complete(name);
    expect(lit.asInt(outputs.literals.o0)).toBe(12n);
    const r = ok(await run.done, "pyflyte run --remote --wait (ClientSecret)");
    expect(r.output).toContain(`executions/${name}`);
    const e = await admin.getExecution({ id: { ...scope, name } });
    expect(e.closure?.phase).toBe(Phase.SUCCEEDED);
    // A client_credentials caller is no user: no principal, and the workflow runs as no one in particular.
    expect(e.spec?.metadata?.principal).toBe("");
    const nodes = await admin.listNodeExecutions({ workflowExecutionId: { ...scope, name }, limit: 100 });
    expect(nodes.nodeExecutions.length).toBeGreaterThanOrEqual(3);
  });

  test("pyflyte with a wrong secret, or a token we never issued, fails", async () => {
    const wrong = await pyflyte(configs.wrongSecret, ["run", "--remote", "--project", project, "--domain", domain, "app/flows.py", "add", "--a", "1"]).done;
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toContain("invalid_client");
    // ExternalCommand: the first call goes without a token and is refused; the retry sends the command's output, refused too.
    const bogus = await pyflyte(configs.bogusToken, ["run", "--remote", "--project", project, "--domain", domain, "app/flows.py", "add", "--a", "1"]).done;
    expect(bogus.code).not.toBe(0);
    expect(bogus.output).toMatch(/UNAUTHENTICATED|Unauthenticated/);
  });

  test("flytectl gets the project, writes an exec spec, creates an execution and reads it", async () => {
    const p = JSON.parse(ok(await flytectl(configs.secret, ["get", "project", project, "-o", "json"]).done, "flytectl get project").stdout) as { id: string };
    expect(p.id).toBe(project);
    execFile = join(env.ts.dir, "chain.exec.yaml");
    ok(
      await flytectl(configs.secret, ["get", "launchplan", ...pd, "app.flows.chain", "--version", "v1", "--execFile", execFile]).done,
      "flytectl get launchplan",
    );
    const created = ok(await flytectl(configs.secret, ["create", "execution", ...pd, "--execFile", chainSpec("secret")]).done, "flytectl create execution");
    const name = createdName(created);
    const got = JSON.parse(ok(await flytectl(configs.secret, ["get", "execution", ...pd, name, "-o", "json"]).done, "flytectl get execution").stdout) as {
      id: { name: string };
      spec: { launchPlan: { name: string } };
    };
    expect(got.id.name).toBe(name);
    expect(got.spec.launchPlan.name).toBe("app.flows.chain");
  });

  test("flytectl without a secret (its default /etc/secrets/client_secret), with a wrong one, or with a token we never issued fails", async () => {
    const none = await flytectl(env.config, ["get", "project", project]).done;
    expect(none.code).not.toBe(0);
    expect(none.output).toContain("client_secret");
    const wrong = await flytectl(configs.wrongSecretCtl, ["get", "project", project]).done;

    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toContain("invalid_client");
  });
});

describe("Pkce: the user signs in at the IdP in a browser", () => {
  test("pyflyte run --remote: the login opens our authorize endpoint; the execution's principal and run-as identity are the user", async () => {
    const { authorizeUrl } = await withPkceLogin(
      pyflyte(configs.pkce, ["run", "--remote", "--project", project, "--domain", domain, "--name", "pkce-pyflyte", "app/flows.py", "add", "--a", "3"]),
      "alice",
      "pyflyte run --remote (Pkce)",
    );
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${env.ts.httpUrl}/oauth2/authorize`);
    expect(Object.fromEntries(authorizeUrl.searchParams)).toMatchObject({ client_id: "flytectl", redirect_uri: cliCallback, code_challenge_method: "S256" });
    expect(await identities("pkce-pyflyte")).toEqual({ principal: "alice", runAs: "alice", crdRunAs: "alice" });
  });

  test("flytectl create execution, then get execution: no keyring to cache in, so each run signs in again", async () => {
    const { result } = await withPkceLogin(
      flytectl(configs.pkce, ["create", "execution", ...pd, "--execFile", chainSpec("pkce")]),
      "bob",
      "flytectl create execution (Pkce)",
    );
    const name = createdName(result);
    expect(await identities(name)).toEqual({ principal: "bob", runAs: "bob", crdRunAs: "bob" });
    // go-keyring needs a D-Bus secret service; with none, flytectl logs the failed save, uses the token and keeps nothing.
    expect(result.output).toContain("unable to save the new token");
    const { result: again } = await withPkceLogin(flytectl(configs.pkce, ["get", "execution", ...pd, name]), "bob", "flytectl get execution (Pkce)");
    expect(again.stdout).toContain(name);
  });
});

describe("DeviceFlow: the user approves the CLI's code in a browser while it polls", () => {
  test("pyflyte run --remote", async () => {
    const run = pyflyte(configs.device, [
      "run",
      "--remote",
      "--project",
      project,
      "--domain",
      domain,
      "--name",
      "device-pyflyte",
      "app/flows.py",
      "add",
      "--a",
      "4",
    ]);
    const url = await approveDevice(run, "dave", /navigate in a browser to the following URL: (\S+)/);
    expect(url).toStartWith(`${env.ts.httpUrl}/oauth2/device?user_code=`);
    const r = ok(await run.done, "pyflyte run --remote (DeviceFlow)");
    expect(r.output).toContain("Authentication successful!");
    expect(await identities("device-pyflyte")).toEqual({ principal: "dave", runAs: "dave", crdRunAs: "dave" });
  });

  test("flytectl create execution", async () => {
    const run = flytectl(configs.device, ["create", "execution", ...pd, "--execFile", chainSpec("device")]);
    const url = await approveDevice(run, "erin", /Please open the browser at the url (\S+) containing verification code/);
    expect(url).toStartWith(`${env.ts.httpUrl}/oauth2/device?user_code=`);
    const name = createdName(ok(await run.done, "flytectl create execution (DeviceFlow)"));
    expect(await identities(name)).toEqual({ principal: "erin", runAs: "erin", crdRunAs: "erin" });
  });
});
