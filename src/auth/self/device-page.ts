// /oauth2/device: where a signed-in user approves or denies a device's user code (RFC 8628 §3.3). GET
// shows the page, POST records the decision. The form carries a token bound to the session's subject
// and its time, MACed under a key derived from the claim key, so another site cannot post a decision in
// the user's name; the page may not be framed (no clickjacking of the Approve button).
import { createHmac, timingSafeEqual } from "node:crypto";
import type { OAuthGrantStore } from "../../ports/oauth-grants";
import { type Identity, userInfoToJson } from "../identity";
import type { BrowserSessions } from "../verifiers";
import { displayUserCode, normalizeUserCode } from "./device";
import { postForm } from "./form";

export interface DevicePageDeps {
  grants: OAuthGrantStore;
  sessions: BrowserSessions;
  /** The key of the form tokens. */
  csrfKey: Buffer;
  now: () => number;
}

const csrfLifetimeSeconds = 3600;

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

const subjectOf = (identity: Identity): string => identity.userId || identity.userInfo.subject;

const mac = (key: Buffer, subject: string, issuedAt: number): string =>
  createHmac("sha256", key).update(`oauth2-device\n${subject}\n${issuedAt}`).digest("base64url");

export function csrfToken(key: Buffer, subject: string, nowMs: number): string {
  const issuedAt = Math.floor(nowMs / 1000);
  return `${issuedAt}.${mac(key, subject, issuedAt)}`;
}

export function csrfValid(key: Buffer, subject: string, token: string, nowMs: number): boolean {
  const [stamp, given] = token.split(".");
  const issuedAt = Number(stamp);
  if (!Number.isInteger(issuedAt) || given === undefined) return false;
  const age = Math.floor(nowMs / 1000) - issuedAt;
  if (age < 0 || age > csrfLifetimeSeconds) return false;
  const want = Buffer.from(mac(key, subject, issuedAt));
  const got = Buffer.from(given);
  return want.length === got.length && timingSafeEqual(want, got);
}

const pageHeaders = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-store",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

function page(title: string, body: string, status = 200): Response {
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:32em;margin:4em auto}input{font-size:1.4em;letter-spacing:.1em}button{font-size:1.1em;margin:.5em .5em 0 0}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
  return new Response(html, { status, headers: pageHeaders });
}

async function approvalPage(deps: DevicePageDeps, identity: Identity, typed: string, notice = ""): Promise<Response> {
  const code = normalizeUserCode(typed);
  const record = code ? await deps.grants.deviceCodeByUserCode(code) : undefined;
  const live = record && record.status === "pending" && record.expiresAt > Math.floor(deps.now() / 1000);
  const details = live
    ? `<p>The application <b>${escapeHtml(record.clientId)}</b> asks for access as you, with scopes: <b>${escapeHtml(record.scopes.join(" ") || "(none)")}</b>.</p>`
    : code
      ? "<p>This code is unknown, expired or already used.</p>"
      : "<p>Enter the code your device shows.</p>";
  const who = escapeHtml(identity.userInfo.preferredUsername || identity.userInfo.email || subjectOf(identity));
  const body = `${notice}<p>Signed in as ${who}.</p>${details}
<form method="post" action="/oauth2/device">
<input type="hidden" name="csrf" value="${escapeHtml(csrfToken(deps.csrfKey, subjectOf(identity), deps.now()))}">
<p><input name="user_code" value="${escapeHtml(code ? displayUserCode(code) : typed)}" placeholder="XXXX-XXXX" autocomplete="off" autofocus></p>
<button type="submit" name="action" value="approve">Approve</button><button type="submit" name="action" value="deny">Deny</button>
</form>`;
  return page("Device sign-in", body);
}

/** /oauth2/device: GET shows the page, POST decides; without a login session the browser goes to /login first. */
export async function devicePage(deps: DevicePageDeps, req: Request): Promise<Response> {
  const identity = await deps.sessions.identify(req);
  const url = new URL(req.url);
  if (!identity) {
    const back = req.method === "POST" ? url.pathname : `${url.pathname}${url.search}`;
    return new Response(null, { status: req.method === "POST" ? 303 : 307, headers: { location: `/login?redirect_url=${encodeURIComponent(back)}` } });
  }
  if (req.method !== "POST") return approvalPage(deps, identity, url.searchParams.get("user_code") ?? "");

  let form: URLSearchParams;
  try {
    form = await postForm(req);
  } catch {
    return page("Device sign-in", "<p>The form could not be read.</p>", 400);
  }
  const subject = subjectOf(identity);
  if (!csrfValid(deps.csrfKey, subject, form.get("csrf") ?? "", deps.now())) {
    return page("Device sign-in", '<p>This form has expired or did not come from this site. <a href="/oauth2/device">Start again</a>.</p>', 403);
  }
  const typed = form.get("user_code") ?? "";
  const action = form.get("action");
  if (action !== "approve" && action !== "deny") return approvalPage(deps, identity, typed);
  const approved = action === "approve";
  const decided = await deps.grants.decideDeviceCode(
    normalizeUserCode(typed),
    { approved, subject, userInfo: approved ? userInfoToJson(identity.userInfo) : null },
    Math.floor(deps.now() / 1000),
  );
  if (!decided) {
    const res = await approvalPage(deps, identity, typed, "<p><b>That code cannot be decided: it is unknown, expired or already used.</b></p>");
    return new Response(res.body, { status: 400, headers: res.headers });
  }
  return page(approved ? "Device approved" : "Device denied", approved ? "<p>You may return to your device.</p>" : "<p>The device was not given access.</p>");
}
