// A browser on another origin (headless Chromium, Debian's package, driven by playwright-core) calling
// our server with connect-web over Connect and gRPC-web, as a web console does. Every call is
// cross-origin, so each needs the server's CORS answers: the preflight and allow-origin on the response,
// and the exposed headers for x-request-id and gRPC-web's header-borne errors.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { chromiumArgs } from "./chromium-args";
import { startClientEnv, type ClientEnv } from "./harness";
import type { CallResult } from "./browser/page";

let env: ClientEnv;
let site: Server;
let context: BrowserContext;
let page: Page;
let profile: string;
/** What the page printed or threw: shown when a call fails (CORS refusals appear only here). */
const pageLog: string[] = [];

/** The page's script: the TS entry bundled for the browser now, so it always uses today's generated code. */
async function bundle(): Promise<string> {
  const built = await Bun.build({ entrypoints: [join(import.meta.dir, "browser", "page.ts")], target: "browser", format: "esm" });
  if (!built.success) throw new Error(`bundling the page failed:\n${built.logs.join("\n")}`);
  return built.outputs[0].text();
}

beforeAll(async () => {
  env = await startClientEnv();
  const script = await bundle();
  const html =
    '<!doctype html><html><head><meta charset="utf-8"><title>flyteadmin browser test</title><script type="module" src="/page.js"></script></head><body></body></html>';
  // Another port is another origin: every call from the page to the server is cross-origin. (node:http,
  // not Bun.serve: the in-process server's Hono adapter swaps the global Response Bun.serve needs.)
  site = createServer((req, res) => {
    const js = req.url === "/page.js";
    res.writeHead(200, { "content-type": js ? "text/javascript" : "text/html" });
    res.end(js ? script : html);
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  const sitePort = (site.address() as AddressInfo).port;
  profile = mkdtempSync(join(tmpdir(), "flyteadmin-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: env.tools.chromium,
    headless: true,
    args: ["--headless", ...chromiumArgs],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("console", (m) => pageLog.push(`console.${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => pageLog.push(`page error: ${e.message}`));
  await page.goto(`http://127.0.0.1:${sitePort}/`);
  await page.waitForFunction(() => "flyteCalls" in globalThis);
}, 120_000);

afterAll(async () => {
  await context?.close();
  site?.closeAllConnections();
  site?.close();
  await env?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe("a browser on another origin, connect-web", () => {
  test("GetVersion, RegisterProject, ListProjects, response headers and an error over Connect (JSON, binary) and gRPC-web", async () => {
    expect(new URL(page.url()).origin).not.toBe(new URL(env.ts.httpUrl).origin);
    const results = await page.evaluate((url) => (globalThis as unknown as { flyteCalls(u: string): Promise<CallResult[]> }).flyteCalls(url), env.ts.httpUrl);
    const got = Object.fromEntries(results.map((r) => [`${r.transport} ${r.call}`, r.error ? `${r.error.code}: ${r.error.message}` : r.value]));
    const want: Record<string, unknown> = {};
    for (const kind of ["connect json", "connect binary", "grpc-web"]) {
      const id = `browser-${kind.replaceAll(/[^a-z]/g, "")}`;
      want[`${kind} GetVersion`] = expect.any(String);
      want[`${kind} RegisterProject`] = id;
      want[`${kind} ListProjects`] = true;
      want[`${kind} x-request-id`] = expect.stringMatching(/^a-[a-z0-9]{20}$/);
      want[`${kind} GetProject(missing)`] = expect.stringMatching(/^NotFound: /);
    }
    if (results.some((r) => r.error && r.call !== "GetProject(missing)")) console.error(pageLog.join("\n"));
    expect(got).toEqual(want);
    console.error(`[browser] ${results.length} calls from ${page.url()} to ${env.ts.httpUrl} answered as expected`);
  });
});
