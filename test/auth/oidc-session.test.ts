// Browser sessions under other settings: an id token that expires and is refreshed by /login, cookie
// attributes from userAuth.cookieSetting and insecureCookieHeader, idpQueryParameter, and the
// PreRedirectHook / LogoutHook plugins.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cookieNames } from "../../src/auth/cookies";
import { HttpBrowser, parseSetCookie, type Step } from "../helpers/http-browser";
import { type LoginServer, startLoginServer } from "../helpers/login-server";

const ours = (s: LoginServer) => (u: string) => u.startsWith(s.url) && !/^\/(login|callback)\b/.test(new URL(u).pathname);
const loginAs = (s: LoginServer, subject: string, browser = new HttpBrowser(), path = "/login") =>
  browser.follow(`${s.url}${path}`, { fill: s.idp.loginFiller(subject), stopAt: ours(s) });
const callbackOf = (steps: Step[]) => steps.find((st) => new URL(st.url).pathname === "/callback")!;
const whoami = async (s: LoginServer, b: HttpBrowser) => JSON.parse((await b.request(`${s.url}/whoami`)).body).identity;

describe("an expired id token", () => {
  let s: LoginServer;
  beforeAll(async () => {
    // Long enough that a login and the checks after a refresh fit inside it on a loaded machine.
    s = await startLoginServer({ idp: { idTokenTtl: 3 } });
  });
  afterAll(() => s?.close());

  test("is no session, and /login refreshes it with the refresh-token cookie without the provider's login page", async () => {
    const browser = new HttpBrowser();
    await loginAs(s, "frank", browser);
    const before = browser.jar.get(cookieNames.idToken)!.value;
    expect((await whoami(s, browser)).userId).toBe("frank");
    await Bun.sleep(3100);
    expect(await whoami(s, browser)).toBeUndefined();
    const interactions = s.idp.requests.length;
    const step = await browser.request(`${s.url}/login?redirect_url=/console/x`);
    expect(step.status).toBe(307);
    expect(step.headers.get("location")).toBe("/console/x");
    const set = step.setCookies.map((l) => parseSetCookie(l).name);
    expect(set).toEqual(expect.arrayContaining([cookieNames.accessTokenPart1, cookieNames.accessTokenPart2, cookieNames.idToken, cookieNames.userInfo]));
    // The provider saw a refresh grant and a userinfo call, no authorize request.
    const calls = s.idp.requests.slice(interactions);
    expect(calls.map((c) => `${c.method} ${c.url.split("?")[0]}`)).toEqual(expect.arrayContaining(["POST /token", "GET /me"]));
    expect(calls.some((c) => c.url.startsWith("/auth"))).toBe(false);
    expect(browser.jar.get(cookieNames.idToken)!.value).not.toBe(before);
    expect((await whoami(s, browser)).userId).toBe("frank");
  }, 15_000);

  test("without a refresh-token cookie, /login goes back to the provider", async () => {
    const browser = new HttpBrowser();
    await loginAs(s, "gina", browser);
    const host = new URL(s.url).hostname;
    browser.jar.set({ name: cookieNames.refreshToken, value: "", host });
    await Bun.sleep(3100);
    const step = await browser.request(`${s.url}/login`);
    expect(step.status).toBe(307);
    expect(step.headers.get("location")).toStartWith(`${s.idp.issuer}/auth?`);
  }, 15_000);
});

describe("cookie settings", () => {
  let s: LoginServer;
  beforeAll(async () => {
    s = await startLoginServer({
      insecureCookieHeader: true,
      auth: () => ({ userAuth: { cookieSetting: { sameSitePolicy: "StrictMode", domain: "localhost" }, idpQueryParameter: "kc_idp_hint" } }),
    });
  });
  afterAll(() => s?.close());

  test("token cookies carry the configured SameSite and Domain; insecureCookieHeader drops Secure everywhere", async () => {
    const steps = await loginAs(s, "hank");
    const first = steps[0];
    for (const line of first.setCookies) {
      const c = parseSetCookie(line);
      expect(c.attrs.get("samesite")).toBe("Lax");
      expect(c.attrs.has("domain")).toBe(false);
      expect(c.attrs.has("secure")).toBe(false);
    }
    const callback = callbackOf(steps);
    expect(callback.setCookies.length).toBe(5);
    for (const line of callback.setCookies) {
      const c = parseSetCookie(line);
      expect(c.attrs.get("samesite")).toBe("Strict");
      expect(c.attrs.get("domain")).toBe("localhost");
      expect(c.attrs.has("secure")).toBe(false);
      expect(c.attrs.has("httponly")).toBe(true);
    }
    // No redirect_url and no redirect cookie: userAuth.redirectUrl.
    expect(callback.headers.get("location")).toBe("/console");
  });

  test("logout cookies carry the Domain but no SameSite, and no Secure", async () => {
    const step = await new HttpBrowser().request(`${s.url}/logout`);
    for (const line of step.setCookies) {
      const c = parseSetCookie(line);
      expect(c.attrs.get("domain")).toBe("localhost");
      expect(c.attrs.has("samesite")).toBe(false);
      expect(c.attrs.has("secure")).toBe(false);
    }
  });

  test("idpQueryParameter is copied from /login onto the authorize URL, only when given", async () => {
    const withHint = await new HttpBrowser().request(`${s.url}/login?kc_idp_hint=github`);
    const u = new URL(withHint.headers.get("location")!);
    expect(u.searchParams.get("kc_idp_hint")).toBe("github");
    expect([...u.searchParams.keys()]).toEqual(["client_id", "kc_idp_hint", "redirect_uri", "response_type", "scope", "state"]);
    const without = await new HttpBrowser().request(`${s.url}/login`);
    expect(new URL(without.headers.get("location")!).searchParams.has("kc_idp_hint")).toBe(false);
  });
});

describe("hooks", () => {
  let s: LoginServer;
  let refuse: { code: number; message: string } | undefined;
  let logoutFails = false;
  const seen: string[] = [];
  beforeAll(async () => {
    s = await startLoginServer({
      hooks: {
        preRedirect: async ({ request, responseHeaders }) => {
          seen.push(`pre ${new URL(request.url).pathname}`);
          responseHeaders.set("x-hook", "pre");
          return refuse;
        },
        logout: async ({ responseHeaders }) => {
          seen.push("logout");
          responseHeaders.set("x-hook", "logout");
          if (logoutFails) throw new Error("no");
        },
      },
    });
  });
  afterAll(() => s?.close());

  test("PreRedirectHook runs after the cookies are set; its headers go out; its refusal's status answers", async () => {
    const ok = callbackOf(await loginAs(s, "ivy"));
    expect(ok.status).toBe(307);
    expect(ok.headers.get("x-hook")).toBe("pre");
    expect(seen).toContain("pre /callback");
    refuse = { code: 451, message: "not you" };
    const refused = callbackOf(await loginAs(s, "ivy"));
    expect(refused.status).toBe(451);
    expect(refused.headers.get("location")).toBeNull();
    refuse = { code: 42, message: "not a status" };
    expect(callbackOf(await loginAs(s, "ivy")).status).toBe(500);
    refuse = undefined;
  });

  test("LogoutHook runs before the cookies are cleared; throwing answers 500 and clears nothing", async () => {
    const ok = await new HttpBrowser().request(`${s.url}/logout`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-hook")).toBe("logout");
    logoutFails = true;
    const failed = await new HttpBrowser().request(`${s.url}/logout`);
    expect(failed.status).toBe(500);
    expect(failed.setCookies).toEqual([]);
    logoutFails = false;
  });
});
