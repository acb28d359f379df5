// The browser-mediated code flow with PKCE: /oauth2/authorize's checks and cookie, the callback's
// code, the exchange as flytekit and flytectl send it, single use (also under a race), refresh rotation
// with reuse revoking the family, and /oauth2/revoke.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, randomBytes } from "node:crypto";
import { cookieNames } from "../../src/auth/cookies";
import { aliceCookie, basic, clientToken, formPost, get, type Harness, json, jwtParts, origin, selfServer, testClientSecret } from "./self-harness";

const redirectUri = "http://localhost:53593/callback";
const newVerifier = () => randomBytes(64).toString("base64url");
const challengeOf = (v: string) => createHash("sha256").update(v).digest("base64url");

interface Flow {
  verifier: string;
  params: Record<string, string>;
}

const flow = (over: Record<string, string> = {}): Flow => {
  const verifier = newVerifier();
  return {
    verifier,
    params: {
      client_id: "flytectl",
      response_type: "code",
      scope: "all offline",
      redirect_uri: redirectUri,
      state: randomBytes(40).toString("base64url"),
      code_challenge: challengeOf(verifier),
      code_challenge_method: "S256",
      ...over,
    },
  };
};

const authorizeUrl = (params: Record<string, string>) => `/oauth2/authorize?${new URLSearchParams(params)}`;

describe("self auth server: authorization code with PKCE", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await selfServer({
      clients: {
        loopback: { redirect_uris: ["http://127.0.0.1:9999/cb"], grant_types: ["authorization_code"], response_types: ["code"], scopes: ["all"], public: true },
      },
    });
  });
  afterAll(() => h.close());

  /** /oauth2/authorize, then the callback with Alice's session: the code, scope and state it sends back. */
  async function codeFor(f: Flow, extraCookie = aliceCookie): Promise<URL> {
    const res = await h.server.authorize(get(authorizeUrl(f.params)));
    expect(res.status).toBe(307);
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0];
    const cb = await h.server.authorizeCallback(get("/oauth2/authorize_callback", { cookie: `${cookie}; ${extraCookie}` }));
    expect(cb.status).toBe(303);
    return new URL(cb.headers.get("location") ?? "");
  }

  const exchangeFlytekit = (f: Flow, code: string, verifier = f.verifier) =>
    h.server.token(formPost("/oauth2/token", { code, grant_type: "authorization_code", code_verifier: verifier, ...f.params }));

  const exchangeFlytectl = (code: string, verifier: string) =>
    h.server.token(
      formPost(
        "/oauth2/token",
        { grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier },
        { authorization: basic("flytectl", "") },
      ),
    );

  test("authorize: OK sets flyte_auth_code (sealed path+query, no Path) and sends the browser to /login", async () => {
    const f = flow();
    const res = await h.server.authorize(get(authorizeUrl(f.params)));
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("/login?redirect_url=/oauth2/authorize_callback");
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^flyte_auth_code=[\w-]+; HttpOnly$/);
    const sealed = setCookie.split(";")[0].slice(`${cookieNames.authCode}=`.length);
    expect(h.cookies.cipher.open(cookieNames.authCode, sealed)).toBe(authorizeUrl(f.params));
  });

  test("authorize before a valid redirect URI: JSON errors (unknown client 401, unregistered redirect 400, localhost is not port-insensitive)", async () => {
    const unknown = await h.server.authorize(get(authorizeUrl(flow({ client_id: "nobody" }).params)));
    expect(unknown.status).toBe(401);
    expect((await json(unknown)).error).toBe("invalid_client");
    for (const uri of ["http://evil.example/callback", "http://localhost:1234/callback"]) {
      const res = await h.server.authorize(get(authorizeUrl(flow({ redirect_uri: uri }).params)));
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/json;charset=UTF-8");
      expect((await json(res)).error_description).toContain("The 'redirect_uri' parameter does not match");
    }
  });

  test("http://127.0.0.1 redirects match on any port", async () => {
    const f = flow({ client_id: "loopback", scope: "all", redirect_uri: "http://127.0.0.1:41234/cb" });
    const res = await h.server.authorize(get(authorizeUrl(f.params)));
    expect(res.status).toBe(307);
  });

  test("authorize after a valid redirect URI: 303 there with error, error_description and state", async () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ state: "short" }, "invalid_state"],
      [{ code_challenge_method: "plain" }, "invalid_request"],
      [{ code_challenge_method: "" }, "invalid_request"],
      [{ audience: "x" }, "invalid_request"],
      [{ scope: "all admin" }, "invalid_scope"],
      [{ response_type: "" }, "unsupported_response_type"],
      [{ response_mode: "query" }, "unsupported_response_mode"],
    ];
    for (const [over, error] of cases) {
      const f = flow(over);
      const res = await h.server.authorize(get(authorizeUrl(f.params)));
      expect(res.status).toBe(303);
      const to = new URL(res.headers.get("location") ?? "");
      expect(`${to.origin}${to.pathname}`).toBe(redirectUri);
      expect(to.searchParams.get("error")).toBe(error);
      expect(to.searchParams.get("state")).toBe(f.params.state);
      expect(to.searchParams.get("error_description")?.length).toBeGreaterThan(10);
    }
    const plain = await h.server.authorize(get(authorizeUrl(flow({ code_challenge_method: "plain" }).params)));
    expect(new URL(plain.headers.get("location") ?? "").searchParams.get("error_description")).toContain("plain is not allowed");
  });

  test("a request too long for the cookie: 303 to the redirect URI with upstream's catch-all error", async () => {
    const f = flow({ state: "s".repeat(5000) });
    const res = await h.server.authorize(get(authorizeUrl(f.params)));
    expect(res.status).toBe(303);
    expect(new URL(res.headers.get("location") ?? "").searchParams.get("error")).toBe("error");
  });

  test("response_type token (the client allows it; no implicit flow is composed): the error goes in the fragment", async () => {
    const res = await h.server.authorize(get(authorizeUrl(flow({ response_type: "token" }).params)));
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    expect(location.startsWith(`${redirectUri}#`)).toBe(true);
    expect(new URLSearchParams(location.split("#")[1]).get("error")).toBe("unsupported_response_type");
  });

  test("callback without a login session, or without the cookie: 500 JSON error", async () => {
    const f = flow();
    const res = await h.server.authorize(get(authorizeUrl(f.params)));
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0];
    const noSession = await h.server.authorizeCallback(get("/oauth2/authorize_callback", { cookie }));
    expect(noSession.status).toBe(500);
    expect(await json(noSession)).toEqual({ error: "error", error_description: "The error is unrecognizable" });
    const noCookie = await h.server.authorizeCallback(get("/oauth2/authorize_callback", { cookie: aliceCookie }));
    expect(noCookie.status).toBe(500);
    const badBearer = await h.server.authorizeCallback(
      get("/oauth2/authorize_callback", { cookie: `${cookie}; ${aliceCookie}`, authorization: "Bearer x.y.z" }),
    );
    expect(badBearer.status).toBe(500);
  });

  test("callback: 303 to the redirect URI with code, scope and state; the code is upstream's shape and no access token", async () => {
    const f = flow();
    const to = await codeFor(f);
    expect(`${to.origin}${to.pathname}`).toBe(redirectUri);
    expect([...to.searchParams.keys()]).toEqual(["code", "scope", "state"]);
    expect(to.searchParams.get("scope")).toBe("f.all offline access_token");
    expect(to.searchParams.get("state")).toBe(f.params.state);
    const code = to.searchParams.get("code") ?? "";
    const { claims } = jwtParts(code);
    expect(claims).toMatchObject({ aud: [], client_id: "flytectl", iss: origin, sub: "alice-sub", scp: ["f.all", "offline", "access_token"] });
    expect((claims.user_info as Record<string, unknown>).name).toBe("Alice");
    expect(Object.keys(claims.form as object)).toEqual(["code_challenge", "code_challenge_method"]);
    expect(JSON.stringify(claims.form)).not.toContain(f.params.code_challenge);
    expect((claims.exp as number) - (claims.iat as number)).toBe(300);
    await expect(h.server.verify(code, origin)).rejects.toThrow();
  });

  test("exchange, flytekit-shaped (every authorize parameter, no Authorization): access and refresh tokens for Alice", async () => {
    const f = flow();
    const code = (await codeFor(f)).searchParams.get("code") ?? "";
    const res = await exchangeFlytekit(f, code);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(Object.keys(body)).toEqual(["access_token", "expires_in", "refresh_token", "scope", "token_type"]);
    expect(body).toMatchObject({ expires_in: 1799, scope: "f.all offline access_token", token_type: "bearer" });
    const { claims } = jwtParts(body.access_token as string);
    expect(claims).toMatchObject({ aud: [origin], client_id: "flytectl", iss: origin, sub: "alice-sub", scp: ["all", "offline", "f.all", "access_token"] });
    const identity = await h.server.verify(body.access_token as string, origin);
    expect(identity.userId).toBe("alice-sub");
    expect(identity.appId).toBe("flytectl");
    expect(identity.userInfo.name).toBe("Alice");
    expect(identity.scopes.has("all")).toBe(true);
    await expect(h.server.verify(body.refresh_token as string, origin)).rejects.toThrow("not an access token");
  });

  test("exchange, flytectl-shaped (Basic flytectl: with an empty secret)", async () => {
    const f = flow();
    const code = (await codeFor(f)).searchParams.get("code") ?? "";
    const res = await exchangeFlytectl(code, f.verifier);
    expect(res.status).toBe(200);
  });

  test("a callback with a Bearer access token in flyte-authorization mints the code for that token's user", async () => {
    const f = flow();
    const first = await json(await exchangeFlytekit(f, (await codeFor(f)).searchParams.get("code") ?? ""));
    const g = flow();
    const res = await h.server.authorize(get(authorizeUrl(g.params)));
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0];
    const cb = await h.server.authorizeCallback(get("/oauth2/authorize_callback", { cookie, "flyte-authorization": `Bearer ${first.access_token}` }));
    expect(cb.status).toBe(303);
    const code = new URL(cb.headers.get("location") ?? "").searchParams.get("code") ?? "";
    expect(jwtParts(code).claims.sub).toBe("alice-sub");
  });

  test("PKCE at the exchange: mismatch, short, bad characters are 400 invalid_grant; the code survives a failed try", async () => {
    const f = flow();
    const code = (await codeFor(f)).searchParams.get("code") ?? "";
    for (const [verifier, hint] of [
      [newVerifier(), "did not match"],
      ["short", "at least 43"],
      [`${"a".repeat(50)}!`, "must only contain"],
      ["", "at least 43"],
    ]) {
      const res = await exchangeFlytectl(code, verifier);
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.error).toBe("invalid_grant");
      expect(body.error_description).toContain(hint);
    }
    expect((await exchangeFlytectl(code, f.verifier)).status).toBe(200);
  });

  test("a code redeems once; the second try is refused and revokes the refresh tokens of the first", async () => {
    const f = flow();
    const code = (await codeFor(f)).searchParams.get("code") ?? "";
    const first = await json(await exchangeFlytectl(code, f.verifier));
    const again = await exchangeFlytectl(code, f.verifier);
    expect(again.status).toBe(400);
    expect((await json(again)).error_description).toContain("already been used");
    const refresh = await h.server.token(
      formPost("/oauth2/token", { grant_type: "refresh_token", refresh_token: first.refresh_token as string, client_id: "flytectl" }),
    );
    expect(refresh.status).toBe(400);
    expect((await json(refresh)).error_description).toContain("revoked");
  });

  test("racing redemptions of one code: exactly one wins", async () => {
    const f = flow();
    const code = (await codeFor(f)).searchParams.get("code") ?? "";
    const answers = await Promise.all(Array.from({ length: 6 }, () => exchangeFlytectl(code, f.verifier)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400, 400]);
  });

  test("a code for another client, an expired code, a refresh token as a code: invalid_grant", async () => {
    const f = flow();
    const code = (await codeFor(f)).searchParams.get("code") ?? "";
    const other = await h.server.token(
      formPost("/oauth2/token", { grant_type: "authorization_code", code, code_verifier: f.verifier }, { authorization: basic("flyte-cli", "") }),
    );
    expect((await json(other)).error).toBe("invalid_grant");
    const g = flow();
    const late = (await codeFor(g)).searchParams.get("code") ?? "";
    h.advance(5 * 60 * 1000);
    try {
      const expired = await exchangeFlytectl(late, g.verifier);
      expect(expired.status).toBe(400);
      expect((await json(expired)).error_description).toContain("Token is expired");
    } finally {
      h.advance(-5 * 60 * 1000);
    }
    const k = flow();
    const tokens = await json(await exchangeFlytectl((await codeFor(k)).searchParams.get("code") ?? "", k.verifier));
    expect((await json(await exchangeFlytectl(tokens.refresh_token as string, k.verifier))).error).toBe("invalid_grant");
  });

  test("without offline: no refresh token", async () => {
    const f = flow({ scope: "all" });
    const body = await json(await exchangeFlytectl((await codeFor(f)).searchParams.get("code") ?? "", f.verifier));
    expect(body.refresh_token).toBeUndefined();
    expect(body.scope).toBe("all f.all access_token");
  });

  test("refresh rotates; presenting a used refresh token revokes its whole family", async () => {
    const f = flow();
    const first = await json(await exchangeFlytectl((await codeFor(f)).searchParams.get("code") ?? "", f.verifier));
    const refresh = (token: string) => h.server.token(formPost("/oauth2/token", { grant_type: "refresh_token", refresh_token: token, client_id: "flytectl" }));
    const r1 = await refresh(first.refresh_token as string);
    expect(r1.status).toBe(200);
    const second = await json(r1);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.scope).toBe("f.all offline access_token");
    expect(jwtParts(second.access_token as string).claims).toMatchObject({ sub: "alice-sub", client_id: "flytectl", scp: ["all", "offline", "access_token"] });
    const rt = jwtParts(second.refresh_token as string).claims;
    expect((rt.exp as number) - (rt.iat as number)).toBe(3600);
    expect(rt.fam).toBe(jwtParts(first.refresh_token as string).claims.fam);

    const reuse = await refresh(first.refresh_token as string);
    expect(reuse.status).toBe(400);
    expect((await json(reuse)).error_description).toContain("already been used");
    const afterReuse = await refresh(second.refresh_token as string);
    expect(afterReuse.status).toBe(400);
    expect((await json(afterReuse)).error_description).toContain("revoked");
  });

  test("refresh by another client or with an access token: invalid_grant", async () => {
    const f = flow();
    const first = await json(await exchangeFlytectl((await codeFor(f)).searchParams.get("code") ?? "", f.verifier));
    const other = await h.server.token(
      formPost("/oauth2/token", { grant_type: "refresh_token", refresh_token: first.refresh_token as string, client_id: "flyte-cli" }),
    );
    expect((await json(other)).error).toBe("invalid_grant");
    const access = await h.server.token(
      formPost("/oauth2/token", { grant_type: "refresh_token", refresh_token: first.access_token as string, client_id: "flytectl" }),
    );
    expect((await json(access)).error).toBe("invalid_grant");
  });

  test("/oauth2/revoke: a refresh token's family and an access token; unknown tokens 200; unauthenticated 401; no token 400", async () => {
    const f = flow();
    const first = await json(await exchangeFlytectl((await codeFor(f)).searchParams.get("code") ?? "", f.verifier));
    const revoke = (form: Record<string, string>, headers: Record<string, string> = {}) => h.server.revoke(formPost("/oauth2/revoke", form, headers));
    expect((await revoke({ token: first.refresh_token as string, client_id: "flytectl" })).status).toBe(200);
    const refreshed = await h.server.token(
      formPost("/oauth2/token", { grant_type: "refresh_token", refresh_token: first.refresh_token as string, client_id: "flytectl" }),
    );
    expect((await json(refreshed)).error_description).toContain("revoked");

    await h.server.verify(first.access_token as string, origin);
    expect((await revoke({ token: first.access_token as string, token_type_hint: "access_token", client_id: "flytectl" })).status).toBe(200);
    await expect(h.server.verify(first.access_token as string, origin)).rejects.toThrow("revoked");

    const cc = await clientToken(h);
    expect((await revoke({ token: cc }, { authorization: basic("testsvc", encodeURIComponent(testClientSecret)) })).status).toBe(200);
    await expect(h.server.verify(cc, origin)).rejects.toThrow("revoked");

    expect((await revoke({ token: "garbage", client_id: "flytectl" })).status).toBe(200);
    expect((await revoke({ token: "garbage" }, { authorization: basic("testsvc", "wrong") })).status).toBe(401);
    expect((await revoke({ client_id: "flytectl" })).status).toBe(400);
  });
});
