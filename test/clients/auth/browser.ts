// The user's browser in the client suite's login flows: a fake `xdg-open` (flytectl opens URLs through
// github.com/pkg/browser) that is also $BROWSER (flytekit, through Python's webbrowser) hands each URL
// to the test process and returns at once, and the test opens it in headless Chromium (Debian's, driven
// by playwright-core), signs in at the test IdP's development login form and clicks through its consent
// page and our device-approval page, until the browser lands where the flow ends (the CLI's localhost
// callback, or the "Device approved" page).
//
// Returning at once matters: Python's webbrowser waits for $BROWSER to exit before flytekit serves its
// callback, so a browser that waited for that callback would never get it.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { chromiumArgs } from "../chromium-args";

/** Hosts a page may reach: the IdP, our server and the CLI's callback all listen on loopback. */
const loopback = new Set(["127.0.0.1", "localhost", "[::1]"]);

export class UrlOpener {
  /** Put first on PATH: holds `xdg-open`. */
  readonly binDir: string;
  /** The script itself, for $BROWSER. */
  readonly script: string;
  private readonly queue: string;
  private taken = 0;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.binDir = dir;
    this.queue = join(dir, "opened-urls");
    writeFileSync(this.queue, "");
    this.script = join(dir, "xdg-open");
    writeFileSync(this.script, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${this.queue}'\n`);
    chmodSync(this.script, 0o755);
  }

  /** The environment a client needs so its browser is this one. */
  env(basePath: string): Record<string, string> {
    return { PATH: `${this.binDir}:${basePath}`, BROWSER: this.script };
  }

  /** The next URL a client opened; `progress` (what the client printed) is shown if none comes in time or the client `ended`. */
  async next(timeoutMs: number, progress: () => string, ended: () => boolean = () => false): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = existsSync(this.queue) ? readFileSync(this.queue, "utf8").split("\n").filter(Boolean) : [];
      if (lines.length > this.taken) return lines[this.taken++];
      if (ended()) throw new Error(`the client ended without opening a browser; it printed:\n${progress().slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`no client opened a browser within ${timeoutMs} ms; it printed:\n${progress().slice(-3000)}`);
      await Bun.sleep(50);
    }
  }

  /** URLs opened and not taken yet. */
  pending(): string[] {
    return readFileSync(this.queue, "utf8").split("\n").filter(Boolean).slice(this.taken);
  }
}

export interface LoginResult {
  /** The URL the browser ended on. */
  url: string;
  /** Every URL the main frame went through, for messages. */
  trail: string[];
  /** Text of the final page. */
  text: string;
}

export class LoginBrowser {
  private constructor(private readonly browser: Browser) {}

  static async launch(executablePath: string): Promise<LoginBrowser> {
    const browser = await chromium.launch({
      executablePath,
      headless: true,
      timeout: 60_000,
      args: chromiumArgs,
    });
    return new LoginBrowser(browser);
  }

  /**
   * Opens `url` in a fresh profile (no IdP session from an earlier login), signs in as `subject` wherever
   * the IdP asks, approves whatever is asked, and stops when `done(url, page)` holds or at the deadline.
   */
  async login(url: string, subject: string, done: (url: string, text: string) => boolean, timeoutMs = 30_000): Promise<LoginResult> {
    const context: BrowserContext = await this.browser.newContext();
    const trail: string[] = [];
    try {
      // The IdP's dev pages import a web font; nothing leaves this machine.
      await context.route("**/*", (route) => (loopback.has(new URL(route.request().url()).hostname) ? route.continue() : route.abort()));
      const page: Page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.on("framenavigated", (f) => {
        if (f === page.mainFrame()) trail.push(f.url());
      });
      const deadline = Date.now() + timeoutMs;
      await page.goto(url, { waitUntil: "load" });
      for (;;) {
        await page.waitForLoadState("load");
        const text =
          (await page
            .locator("body")
            .textContent({ timeout: 5000 })
            .catch(() => null)) ?? "";
        if (done(page.url(), text)) return { url: page.url(), trail, text };
        if (Date.now() > deadline)
          throw new Error(`the login did not finish in ${timeoutMs} ms; at ${page.url()}:\n${text.slice(0, 2000)}\ntrail: ${trail.join("\n  ")}`);
        // Each click submits a form; the page that ends its redirects fires "load".
        const submit = (selector: string) => Promise.all([page.waitForEvent("load", { timeout: 10_000 }), page.click(selector)]);
        if ((await page.locator('input[name="login"]').count()) > 0) {
          // The IdP's development login form: any password.
          await page.fill('input[name="login"]', subject);
          await page.fill('input[name="password"]', "any");
          await submit('button[type="submit"]');
        } else if ((await page.locator('button[value="approve"]').count()) > 0) {
          // Our /oauth2/device page: approve the code it shows.
          await submit('button[value="approve"]');
        } else if ((await page.locator('form button[type="submit"]').count()) > 0) {
          // The IdP's consent page (Continue).
          await submit('form button[type="submit"]');
        } else {
          throw new Error(`the browser is stuck at ${page.url()}:\n${text.slice(0, 2000)}\ntrail: ${trail.join("\n  ")}`);
        }
      }
    } finally {
      await context.close();
    }
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}
