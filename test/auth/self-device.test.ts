// The device authorization grant (RFC 8628) end to end: /oauth2/device/code, polling (pending,
// slow_down), the user's page (login redirect, CSRF field, approve and deny), one redemption, expiry.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { aliceCookie, formPost, get, type Harness, json, jwtParts, origin, selfServer } from "./self-harness";

const deviceGrant = "urn:ietf:params:oauth:grant-type:device_code";

describe("self auth server: device authorization grant", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await selfServer();
  });
  afterAll(() => h.close());

  const start = async (form: Record<string, string> = { client_id: "flytectl", scope: "all offline" }) => {
    const res = await h.server.deviceCode(formPost("/oauth2/device/code", form));
    expect(res.status).toBe(200);
    return (await json(res)) as Record<string, string | number>;
  };
  const poll = (deviceCode: string, clientId = "flytectl") =>
    h.server.token(formPost("/oauth2/token", { grant_type: deviceGrant, device_code: deviceCode, client_id: clientId }));
  /** The page's hidden CSRF field for Alice. */
  const csrfFrom = async (userCode: string) => {
    const page = await h.server.device(get(`/oauth2/device?user_code=${userCode}`, { cookie: aliceCookie }));
    expect(page.status).toBe(200);
    const html = await page.text();
    return { html, csrf: /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "" };
  };
  const decide = (userCode: string, csrf: string, action: "approve" | "deny", cookie = aliceCookie) =>
    h.server.device(formPost("/oauth2/device", { user_code: userCode, csrf, action }, { cookie }));

  test("/oauth2/device/code: RFC 8628's answer; XXXX-XXXX from the unambiguous alphabet; verification URIs under the public URL", async () => {
    const res = await h.server.deviceCode(formPost("/oauth2/device/code", { client_id: "flytectl", scope: "all offline" }));
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = await json(res);
    expect(Object.keys(body)).toEqual(["device_code", "expires_in", "interval", "user_code", "verification_uri", "verification_uri_complete"]);
    expect(body.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(body).toMatchObject({ expires_in: 600, interval: 5, verification_uri: `${origin}/oauth2/device` });
    expect(body.verification_uri_complete).toBe(`${origin}/oauth2/device?user_code=${body.user_code}`);
  });

  test("refusals: unknown client 401, a client without the grant 400 unauthorized_client, bad scope, audience", async () => {
    expect((await h.server.deviceCode(formPost("/oauth2/device/code", { client_id: "nobody" }))).status).toBe(401);
    const noGrant = await h.server.deviceCode(formPost("/oauth2/device/code", { client_id: "flytepropeller", client_secret: "x" }));
    expect(noGrant.status).toBe(401);
    const h2 = await selfServer({ clients: { pub: { public: true, grant_types: ["authorization_code"], scopes: ["all"] } } });
    try {
      const res = await h2.server.deviceCode(formPost("/oauth2/device/code", { client_id: "pub" }));
      expect((await json(res)).error).toBe("unauthorized_client");
    } finally {
      h2.close();
    }
    expect((await json(await h.server.deviceCode(formPost("/oauth2/device/code", { client_id: "flytectl", scope: "root" })))).error).toBe("invalid_scope");
    expect((await json(await h.server.deviceCode(formPost("/oauth2/device/code", { client_id: "flytectl", audience: "x" })))).error).toBe("invalid_request");
    expect((await h.server.deviceCode(get("/oauth2/device/code?client_id=flytectl"))).status).toBe(400);
  });

  test("pending, then slow_down when polled too fast, then approve via the page and redeem once", async () => {
    const d = await start();
    const first = await poll(d.device_code as string);
    expect(first.status).toBe(400);
    expect((await json(first)).error).toBe("authorization_pending");
    const fast = await poll(d.device_code as string);
    expect((await json(fast)).error).toBe("slow_down");
    h.advance(11_000);
    expect((await json(await poll(d.device_code as string))).error).toBe("authorization_pending");

    const { html, csrf } = await csrfFrom(d.user_code as string);
    expect(html).toContain(`value="${d.user_code}"`);
    expect(html).toContain("<b>flytectl</b>");
    expect(csrf).not.toBe("");
    const approved = await decide(d.user_code as string, csrf, "approve");
    expect(approved.status).toBe(200);
    expect(approved.headers.get("x-frame-options")).toBe("DENY");
    expect(await approved.text()).toContain("Device approved");

    h.advance(11_000);
    const redeemed = await poll(d.device_code as string);
    expect(redeemed.status).toBe(200);
    const body = await json(redeemed);
    expect(Object.keys(body)).toEqual(["access_token", "expires_in", "refresh_token", "scope", "token_type"]);
    expect(jwtParts(body.access_token as string).claims).toMatchObject({ sub: "alice-sub", client_id: "flytectl", iss: origin, scp: ["all", "offline"] });
    const identity = await h.server.verify(body.access_token as string, origin);
    expect(identity.userId).toBe("alice-sub");
    expect(identity.userInfo.name).toBe("Alice");

    h.advance(11_000);
    const again = await poll(d.device_code as string);
    expect(again.status).toBe(400);
    expect((await json(again)).error).toBe("invalid_grant");
    // The refresh token of a device grant refreshes like any other.
    const refreshed = await h.server.token(
      formPost("/oauth2/token", { grant_type: "refresh_token", refresh_token: body.refresh_token as string, client_id: "flytectl" }),
    );
    expect(refreshed.status).toBe(200);
  });

  test("a user code typed in lower case with a space decides too; a second decision does not override the first", async () => {
    const d = await start({ client_id: "flytectl", scope: "all" });
    const { csrf } = await csrfFrom("");
    const typed = (d.user_code as string).toLowerCase().replace("-", " ");
    expect((await decide(typed, csrf, "deny")).status).toBe(200);
    expect((await decide(d.user_code as string, csrf, "approve")).status).toBe(400);
    const denied = await poll(d.device_code as string);
    expect(denied.status).toBe(400);
    expect((await json(denied)).error).toBe("access_denied");
  });

  test("CSRF: a missing, forged, another user's or stale field is 403, and nothing is decided", async () => {
    const d = await start();
    const { csrf } = await csrfFrom(d.user_code as string);
    expect((await decide(d.user_code as string, "", "approve")).status).toBe(403);
    expect((await decide(d.user_code as string, `${csrf.split(".")[0]}.AAAA`, "approve")).status).toBe(403);
    h.advance(3601_000);
    expect((await decide(d.user_code as string, csrf, "approve")).status).toBe(403);
    h.advance(-3601_000);
    expect((await json(await poll(d.device_code as string))).error).toBe("authorization_pending");
  });

  test("without a login session: GET goes to /login with this path and query, POST too", async () => {
    const res = await h.server.device(get("/oauth2/device?user_code=BCDF-GHJK"));
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe(`/login?redirect_url=${encodeURIComponent("/oauth2/device?user_code=BCDF-GHJK")}`);
    const post = await h.server.device(formPost("/oauth2/device", { user_code: "BCDF-GHJK", action: "approve" }));
    expect(post.status).toBe(303);
    expect(post.headers.get("location")).toBe("/login?redirect_url=%2Foauth2%2Fdevice");
  });

  test("the page escapes what it shows: the typed code and the client's id", async () => {
    const typed = await h.server.device(get(`/oauth2/device?user_code=${encodeURIComponent('"><!-- &')}`, { cookie: aliceCookie }));
    expect(await typed.text()).toContain('value="&quot;&gt;&lt;!-- &amp;"');
    const evil = "<script>x</script>";
    const h2 = await selfServer({ clients: { [evil]: { public: true, grant_types: [deviceGrant], scopes: ["all"] } } });
    try {
      const d = (await json(await h2.server.deviceCode(formPost("/oauth2/device/code", { client_id: evil, scope: "all" })))) as Record<string, string>;
      const html = await (await h2.server.device(get(`/oauth2/device?user_code=${d.user_code}`, { cookie: aliceCookie }))).text();
      expect(html).not.toContain("<script>");
      expect(html).toContain("&lt;script&gt;x&lt;/script&gt;");
    } finally {
      h2.close();
    }
  });

  test("an expired device code: expired_token, and it can no longer be approved", async () => {
    const d = await start();
    const { csrf } = await csrfFrom(d.user_code as string);
    h.advance(601_000);
    expect((await json(await poll(d.device_code as string))).error).toBe("expired_token");
    expect((await decide(d.user_code as string, csrf, "approve")).status).toBe(400);
    h.advance(-601_000);
  });

  test("a device code polled by another client or unknown: invalid_grant", async () => {
    const d = await start();
    expect((await json(await poll(d.device_code as string, "flyte-cli"))).error).toBe("invalid_grant");
    expect((await json(await poll("nope"))).error).toBe("invalid_grant");
  });
});
