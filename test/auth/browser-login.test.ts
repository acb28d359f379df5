// Browser login against a real OIDC provider (oidc-provider in this process): /login, /callback, /logout
// and /.well-known/openid-configuration as auth.md §4 describes them, the session cookies and what
// BrowserSessions.identify and restCredential make of them.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { cookieNames } from "../../src/auth/cookies";
import { HttpBrowser, parseSetCookie, type Step } from "../helpers/http-browser";
import { type LoginServer, startLoginServer } from "../helpers/login-server";

let s: LoginServer;

beforeAll(async () => {
  s = await startLoginServer();
});
afterAll(() => s?.close());

const sessionCookies = [cookieNames.accessTokenPart1, cookieNames.accessTokenPart2, cookieNames.idToken, cookieNames.refreshToken, cookieNames.userInfo];

/** Logs `subject` in through the provider's form; the steps from /login to the redirect after /callback. */
async function loginAs(subject: string, browser = new HttpBrowser(), path = "/login?redirect_url=/console"): Promise<{ browser: HttpBrowser; steps: Step[] }> {
  const steps = await browser.follow(`${s.url}${path}`, {
    fill: s.idp.loginFiller(subject),
    stopAt: (u) => u.startsWith(s.url) && !/\/(login|callback)\b/.test(new URL(u).pathname),
  });
  return { browser, steps };
}

const whoami = async (browser: HttpBrowser) => JSON.parse((await browser.request(`${s.url}/whoami`)).body);
const cookiesOf = (step: Step) => new Map(step.setCookies.map((line) => [parseSetCookie(line).name, parseSetCookie(line)]));

describe("/login", () => {
  test("a redirect_url to a host that is not authorized is refused with 403, before the provider", async () => {
    const b = new HttpBrowser();
    const step = await b.request(`${s.url}/login?redirect_url=${encodeURIComponent("https://evil.example/steal")}`);
    expect(step.status).toBe(403);
    expect(step.body).toBe("");
    expect(step.headers.get("location")).toBeNull();
    // Upstream sets the CSRF cookie before the check; no redirect cookie is set.
    expect([...cookiesOf(step).keys()]).toEqual([cookieNames.csrfState]);
    const protocolRelative = await b.request(`${s.url}/login?redirect_url=${encodeURIComponent("//evil.example/x")}`);
    expect(protocolRelative.status).toBe(403);
  });

  test("starts the login: 307 to the provider's authorize endpoint with state = hex SHA-256 of the CSRF cookie", async () => {
    const step = await new HttpBrowser().request(`${s.url}/login?redirect_url=/console`);
    expect(step.status).toBe(307);
    const location = new URL(step.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe(`${s.idp.issuer}/auth`);
    const cookies = cookiesOf(step);
    const csrf = cookies.get(cookieNames.csrfState)!;
    expect(csrf.value).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(location.searchParams.get("state")).toBe(createHash("sha256").update(csrf.value).digest("hex"));
    expect(location.searchParams.get("state")).toMatch(/^[0-9a-f]{64}$/);
    expect([...location.searchParams.keys()]).toEqual(["client_id", "redirect_uri", "response_type", "scope", "state"]);
    expect(location.searchParams.get("client_id")).toBe("flyteadmin");
    expect(location.searchParams.get("redirect_uri")).toBe(`${s.url}/callback`);
    expect(location.searchParams.get("response_type")).toBe("code");
    expect(location.searchParams.get("scope")).toBe("openid profile offline_access");
    const redirect = cookies.get(cookieNames.redirectLocation)!;
    expect(redirect.value).toBe("/console");
    for (const c of [csrf, redirect]) {
      expect(c.attrs.has("httponly")).toBe(true);
      expect(c.attrs.has("secure")).toBe(true);
      expect(c.attrs.get("samesite")).toBe("Lax");
      expect(c.attrs.has("path")).toBe(false);
      expect(c.attrs.has("domain")).toBe(false);
      expect(c.attrs.has("max-age") || c.attrs.has("expires")).toBe(false);
    }
  });

  test("an absolute redirect_url on an authorized URI is allowed and kept in the redirect cookie", async () => {
    const step = await new HttpBrowser().request(`${s.url}/login?redirect_url=${encodeURIComponent(`${s.url}/console/projects`)}`);
    expect(step.status).toBe(307);
    expect(cookiesOf(step).get(cookieNames.redirectLocation)?.value).toBe(`${s.url}/console/projects`);
  });
});

describe("a completed login", () => {
  let browser: HttpBrowser;
  let steps: Step[];
  beforeAll(async () => {
    ({ browser, steps } = await loginAs("alice"));
  });

  test("/callback sets the five session cookies sealed, HttpOnly and Secure, then 307 to the redirect_url", () => {
    const callback = steps.find((st) => new URL(st.url).pathname === "/callback")!;
    expect(callback.status).toBe(307);
    expect(callback.headers.get("location")).toBe("/console");
    const cookies = cookiesOf(callback);
    expect([...cookies.keys()].sort()).toEqual([...sessionCookies].sort());
    for (const c of cookies.values()) {
      expect(c.attrs.has("httponly")).toBe(true);
      expect(c.attrs.has("secure")).toBe(true);
      // sameSitePolicy DefaultMode: no attribute; no Domain, Path or expiry either.
      expect(c.attrs.has("samesite")).toBe(false);
      expect(c.attrs.has("domain")).toBe(false);
      expect(c.attrs.has("path")).toBe(false);
      expect(c.attrs.has("expires")).toBe(false);
      // Sealed: no token is readable in the cookie.
      expect(c.value).not.toContain("eyJ");
      expect(c.value.length).toBeLessThanOrEqual(4096);
    }
  });

  test("the provider was asked with the client's secret and the same redirect_uri", () => {
    const tokenCalls = s.idp.requests.filter((r) => r.method === "POST" && r.url === "/token");
    expect(tokenCalls.length).toBeGreaterThanOrEqual(1);
  });

  test("BrowserSessions.identify gives the provider's subject with scope all and the user info", async () => {
    const { identity, credential } = await whoami(browser);
    expect(identity.userId).toBe("alice");
    expect(identity.appId).toBe("");
    expect(identity.scopes).toEqual(["all"]);
    expect(identity.userInfo.subject).toBe("alice");
    expect(identity.userInfo.name).toBe("Test alice");
    expect(identity.userInfo.preferredUsername).toBe("alice");
    expect(identity.userInfo.additionalClaims.iss).toBe(s.idp.issuer);
    expect(identity.userInfo.additionalClaims.aud).toBe("flyteadmin");
    // restCredential: the id token as `IDToken …` metadata, and the user-info cookie's content (without the provider's sub).
    expect(credential.authorization).toMatch(/^IDToken eyJ/);
    expect(credential.userInfo.subject).toBe("");
    expect(credential.userInfo.name).toBe("Test alice");
    const viaVerifier = await s.login.idTokens.verify(credential.authorization.slice("IDToken ".length));
    expect(viaVerifier.userId).toBe("alice");
  });

  test("another browser logging in as bob is bob", async () => {
    const bob = await loginAs("bob");
    expect((await whoami(bob.browser)).identity.userId).toBe("bob");
    expect((await whoami(browser)).identity.userId).toBe("alice");
  });

  test("with a valid session /login goes straight to the target, checking redirect_url", async () => {
    const direct = await browser.request(`${s.url}/login?redirect_url=/console/projects`);
    expect(direct.status).toBe(307);
    expect(direct.headers.get("location")).toBe("/console/projects");
    expect(direct.setCookies).toEqual([]);
    const fromCookie = await browser.request(`${s.url}/login`);
    expect(fromCookie.headers.get("location")).toBe("/console");
    // Beyond upstream: the logged-in path checks redirect_url too.
    const evil = await browser.request(`${s.url}/login?redirect_url=${encodeURIComponent("https://evil.example/")}`);
    expect(evil.status).toBe(403);
  });

  test("a request without cookies is no one", async () => {
    const { identity, credential } = await whoami(new HttpBrowser());
    expect(identity).toBeUndefined();
    expect(credential).toEqual({});
  });

  test("cookies moved to another name or altered do not open", async () => {
    const host = new URL(s.url).hostname;
    const withIdToken = async (value: string) => {
      const other = new HttpBrowser();
      for (const name of [cookieNames.accessTokenPart1, cookieNames.accessTokenPart2, cookieNames.userInfo]) other.jar.set({ ...browser.jar.get(name)!, host });
      other.jar.set({ name: cookieNames.idToken, value, host });
      return (await whoami(other)).identity;
    };
    expect((await withIdToken(browser.jar.get(cookieNames.idToken)!.value)).userId).toBe("alice");
    // The refresh token sealed under its own name does not open as the id token; nor does an altered value.
    expect(await withIdToken(browser.jar.get(cookieNames.refreshToken)!.value)).toBeUndefined();
    const idt = browser.jar.get(cookieNames.idToken)!.value;
    expect(await withIdToken(`${idt.slice(0, 20)}${idt[20] === "A" ? "B" : "A"}${idt.slice(21)}`)).toBeUndefined();
  });
});

describe("/callback", () => {
  /** A login stopped at the provider's redirect to /callback: the browser and that URL. */
  async function atCallback(): Promise<{ browser: HttpBrowser; callback: URL }> {
    const browser = new HttpBrowser();
    let callback: URL | undefined;
    await browser.follow(`${s.url}/login?redirect_url=/console`, {
      fill: s.idp.loginFiller("carol"),
      stopAt: (u) => {
        if (u.startsWith(`${s.url}/callback`)) callback = new URL(u);
        return callback !== undefined;
      },
    });
    return { browser, callback: callback! };
  }

  test("a state that is not the CSRF cookie's hash is refused with 401", async () => {
    const { browser, callback } = await atCallback();
    callback.searchParams.set("state", createHash("sha256").update("something else").digest("hex"));
    const step = await browser.request(callback.href);
    expect(step.status).toBe(401);
    expect(step.setCookies).toEqual([]);
  });

  test("no CSRF cookie, or no state, is 401", async () => {
    const { callback } = await atCallback();
    expect((await new HttpBrowser().request(callback.href)).status).toBe(401);
    const { browser, callback: again } = await atCallback();
    again.searchParams.delete("state");
    expect((await browser.request(again.href)).status).toBe(401);
  });

  test("a code the provider refuses is 403", async () => {
    const { browser, callback } = await atCallback();
    callback.searchParams.set("code", "not-a-code");
    const step = await browser.request(callback.href);
    expect(step.status).toBe(403);
    expect(step.setCookies).toEqual([]);
  });

  test("code and state may come in a form body", async () => {
    const { browser, callback } = await atCallback();
    const body = new URLSearchParams({ code: callback.searchParams.get("code")!, state: callback.searchParams.get("state")! });
    const step = await browser.request(`${s.url}/callback`, { method: "POST", body });
    expect(step.status).toBe(307);
    expect((await whoami(browser)).identity.userId).toBe("carol");
  });

  test("a multipart form body works too", async () => {
    const { browser, callback } = await atCallback();
    const form = new FormData();
    form.set("code", callback.searchParams.get("code")!);
    form.set("state", callback.searchParams.get("state")!);
    const res = await fetch(`${s.url}/callback`, {
      method: "POST",
      body: form,
      headers: { cookie: browser.jar.header(`${s.url}/callback`) },
      redirect: "manual",
    });
    expect(res.status).toBe(307);
    expect(res.headers.getSetCookie().length).toBe(5);
  });

  test("a body over 1 MiB is not read: its state does not count", async () => {
    const { browser, callback } = await atCallback();
    const body = new URLSearchParams({ state: callback.searchParams.get("state")!, code: callback.searchParams.get("code")!, pad: "x".repeat(1 << 20) });
    const step = await browser.request(`${s.url}/callback`, { method: "POST", body });
    expect(step.status).toBe(401);
  });
});

describe("/logout", () => {
  test("refuses a redirect_url that is not authorized, and logs nobody out", async () => {
    const { browser } = await loginAs("dave");
    const step = await browser.request(`${s.url}/logout?redirect_url=${encodeURIComponent("https://evil.example/")}`);
    expect(step.status).toBe(403);
    expect(step.setCookies).toEqual([]);
    expect((await whoami(browser)).identity.userId).toBe("dave");
  });

  test("clears the five token cookies (not the user-info one) and 307s to an allowed redirect_url", async () => {
    const { browser } = await loginAs("erin");
    const step = await browser.request(`${s.url}/logout?redirect_url=/`);
    expect(step.status).toBe(307);
    expect(step.headers.get("location")).toBe("/");
    const cleared = cookiesOf(step);
    expect([...cleared.keys()]).toEqual([
      cookieNames.accessToken,
      cookieNames.accessTokenPart1,
      cookieNames.accessTokenPart2,
      cookieNames.refreshToken,
      cookieNames.idToken,
    ]);
    for (const c of cleared.values()) {
      expect(c.value).toBe("");
      expect(new Date(c.attrs.get("expires")!).getTime()).toBeLessThan(Date.now());
      expect(c.attrs.has("httponly")).toBe(true);
      expect(c.attrs.has("secure")).toBe(true);
      expect(c.attrs.has("samesite")).toBe(false);
    }
    expect(browser.jar.get(cookieNames.userInfo)).toBeDefined();
    expect((await whoami(browser)).identity).toBeUndefined();
    // Logged out, /login goes back to the provider.
    const again = await browser.request(`${s.url}/login`);
    expect(again.headers.get("location")).toStartWith(`${s.idp.issuer}/auth?`);
  });

  test("without redirect_url answers 200 empty; no authentication needed", async () => {
    const step = await new HttpBrowser().request(`${s.url}/logout`, { method: "POST" });
    expect(step.status).toBe(200);
    expect(step.body).toBe("");
    expect(step.setCookies.length).toBe(5);
  });
});

test("/.well-known/openid-configuration is a 303 to the provider's, for any method", async () => {
  for (const method of ["GET", "POST"]) {
    const step = await new HttpBrowser().request(`${s.url}/.well-known/openid-configuration`, { method });
    expect(step.status).toBe(303);
    expect(step.headers.get("location")).toBe(`${s.idp.issuer}/.well-known/openid-configuration`);
  }
});
