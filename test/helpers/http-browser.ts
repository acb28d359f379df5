// A browser without a browser: plain fetch with a cookie jar, redirects followed by hand, and a hook
// that fills in the forms a page shows (the test IdP's login and consent). Enough for OIDC login flows.

export interface JarCookie {
  name: string;
  value: string;
  host: string;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | undefined;
  domain: string | undefined;
  expires: Date | undefined;
  /** The Set-Cookie line as received. */
  raw: string;
}

/** One Set-Cookie line, its attributes by lower-case name (flags map to ""). */
export function parseSetCookie(line: string): { name: string; value: string; attrs: Map<string, string> } {
  const [pair, ...rest] = line.split(";");
  const eq = pair.indexOf("=");
  const attrs = new Map<string, string>();
  for (const a of rest) {
    const i = a.indexOf("=");
    const key = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    if (key) attrs.set(key, i < 0 ? "" : a.slice(i + 1).trim());
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs };
}

const defaultPath = (u: URL): string => {
  const p = u.pathname;
  if (!p.startsWith("/") || p.lastIndexOf("/") === 0) return "/";
  return p.slice(0, p.lastIndexOf("/"));
};

const pathMatches = (requestPath: string, cookiePath: string): boolean =>
  requestPath === cookiePath || (requestPath.startsWith(cookiePath) && (cookiePath.endsWith("/") || requestPath[cookiePath.length] === "/"));

export class CookieJar {
  private cookies: JarCookie[] = [];

  /** Takes the response's Set-Cookie lines, as a browser at `url` would. */
  store(url: string, res: Response): void {
    const u = new URL(url);
    for (const line of res.headers.getSetCookie()) {
      const { name, value, attrs } = parseSetCookie(line);
      const path = attrs.get("path")?.startsWith("/") ? attrs.get("path")! : defaultPath(u);
      const expires = attrs.has("max-age")
        ? new Date(Date.now() + Number(attrs.get("max-age")) * 1000)
        : attrs.has("expires")
          ? new Date(attrs.get("expires")!)
          : undefined;
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.host === u.hostname && c.path === path));
      if (expires && expires.getTime() <= Date.now()) continue;
      this.cookies.push({
        name,
        value,
        host: u.hostname,
        path,
        secure: attrs.has("secure"),
        httpOnly: attrs.has("httponly"),
        sameSite: attrs.get("samesite"),
        domain: attrs.get("domain"),
        expires,
        raw: line,
      });
    }
  }

  /** The Cookie header for a request to `url` (Secure cookies go to localhost over http too, as browsers send them). */
  header(url: string): string {
    const u = new URL(url);
    const local = ["localhost", "127.0.0.1", "[::1]"].includes(u.hostname);
    return this.cookies
      .filter((c) => c.host === u.hostname && pathMatches(u.pathname, c.path) && (!c.secure || u.protocol === "https:" || local))
      .sort((a, b) => b.path.length - a.path.length)
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  get(name: string, host?: string): JarCookie | undefined {
    return this.cookies.find((c) => c.name === name && (!host || c.host === host));
  }

  names(host?: string): string[] {
    return this.cookies.filter((c) => !host || c.host === host).map((c) => c.name);
  }

  set(cookie: Pick<JarCookie, "name" | "value" | "host"> & Partial<JarCookie>): void {
    this.cookies = this.cookies.filter((c) => !(c.name === cookie.name && c.host === cookie.host));
    this.cookies.push({ path: "/", secure: false, httpOnly: true, sameSite: undefined, domain: undefined, expires: undefined, raw: "", ...cookie });
  }
}

export interface Step {
  method: string;
  url: string;
  status: number;
  headers: Headers;
  body: string;
  /** Set-Cookie lines of this response. */
  setCookies: string[];
}

/** Given a page (a 200 HTML answer), the form to submit, or undefined to stop there. */
export type FormFiller = (page: Step) => { action: string; fields: Record<string, string> } | undefined;

export interface FollowOptions {
  method?: string;
  body?: URLSearchParams;
  /** Fills the forms pages show. */
  fill?: FormFiller;
  /** Stop before requesting a URL for which this is true (it is the last step's Location). */
  stopAt?: (url: string) => boolean;
  maxSteps?: number;
}

export class HttpBrowser {
  constructor(readonly jar = new CookieJar()) {}

  /** One request with the jar's cookies; the answer's cookies go into the jar. Redirects are not followed. */
  async request(url: string, init: { method?: string; body?: URLSearchParams; headers?: Record<string, string> } = {}): Promise<Step> {
    const headers = new Headers(init.headers);
    const cookie = this.jar.header(url);
    if (cookie) headers.set("cookie", cookie);
    if (init.body) headers.set("content-type", "application/x-www-form-urlencoded");
    const res = await fetch(url, { method: init.method ?? "GET", headers, body: init.body?.toString(), redirect: "manual" });
    this.jar.store(url, res);
    return { method: init.method ?? "GET", url, status: res.status, headers: res.headers, body: await res.text(), setCookies: res.headers.getSetCookie() };
  }

  /** Requests `url` and follows redirects and filled-in forms until a page is left unfilled, `stopAt` says so, or a non-redirect answer. */
  async follow(url: string, opts: FollowOptions = {}): Promise<Step[]> {
    const steps: Step[] = [];
    let next: { url: string; method: string; body?: URLSearchParams } | undefined = { url, method: opts.method ?? "GET", body: opts.body };
    for (let i = 0; next && i < (opts.maxSteps ?? 20); i++) {
      const current: { url: string; method: string; body?: URLSearchParams } = next;
      const step = await this.request(current.url, { method: current.method, body: current.body });
      steps.push(step);
      next = undefined;
      const location = step.headers.get("location");
      if (step.status >= 300 && step.status < 400 && location) {
        const target = new URL(location, step.url).href;
        if (opts.stopAt?.(target)) break;
        // 307/308 keep the method and body; 301-303 turn into GET.
        next = step.status === 307 || step.status === 308 ? { url: target, method: current.method, body: current.body } : { url: target, method: "GET" };
      } else if (step.status === 200 && opts.fill) {
        const form = opts.fill(step);
        if (form) next = { url: new URL(form.action, step.url).href, method: "POST", body: new URLSearchParams(form.fields) };
      }
    }
    return steps;
  }
}

/** The first <form>'s action and its input fields (name → value) in an HTML page. */
export function formOf(html: string): { action: string; fields: Record<string, string> } | undefined {
  const form = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const action = /action="([^"]*)"/i.exec(form[0])?.[1] ?? "";
  const fields: Record<string, string> = {};
  for (const input of form[1].matchAll(/<input\b[^>]*>/gi)) {
    const name = /name="([^"]*)"/i.exec(input[0])?.[1];
    if (name) fields[name] = (/value="([^"]*)"/i.exec(input[0])?.[1] ?? "").replace(/&amp;/g, "&").replace(/&quot;/g, '"');
  }
  return { action: action.replace(/&amp;/g, "&"), fields };
}
