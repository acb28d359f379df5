// Small HTTP pieces of the login routes, as Go's net/http does them for upstream: redirects with a
// cleaned relative Location, and form values from the query or a size-capped body.

const hasScheme = /^[a-z][a-z0-9+.-]*:/i;

/** path.Clean: no empty, "." or ".." segments, one leading "/", the trailing "/" kept as Go's Redirect keeps it. */
function cleanPath(path: string): string {
  const out: string[] = [];
  for (const seg of path.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  const cleaned = `/${out.join("/")}`;
  return path.endsWith("/") && cleaned !== "/" ? `${cleaned}/` : cleaned;
}

/**
 * Where http.Redirect sends a browser: an absolute URL as is; a relative one resolved against the
 * request's directory (always "/" for these routes) and cleaned, so "//host" cannot name another host.
 */
export function redirectLocation(target: string): string {
  if (hasScheme.test(target)) return target;
  const cut = target.search(/[?#]/);
  const path = cut < 0 ? target : target.slice(0, cut);
  const rest = cut < 0 ? "" : target.slice(cut);
  return `${cleanPath(path.startsWith("/") ? path : `/${path}`)}${rest}`;
}

const statusText: Record<number, string> = { 303: "See Other", 307: "Temporary Redirect" };

export function redirect(req: Request, target: string, status: 303 | 307, headers = new Headers()): Response {
  const location = redirectLocation(target);
  headers.set("location", location);
  // Go writes a short HTML body for GET (and none for HEAD or other methods).
  if (req.method !== "GET") return new Response(null, { status, headers });
  headers.set("content-type", "text/html; charset=utf-8");
  const href = location.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&#34;").replace(/'/g, "&#39;");
  return new Response(`<a href="${href}">${statusText[status]}</a>.\n\n`, { status, headers });
}

export function empty(status: number, headers = new Headers()): Response {
  return new Response(null, { status, headers });
}

/**
 * Reads at most `limit` bytes of the body; undefined when it is longer (the rest is not read). Upstream's
 * MaxBytesReader makes the form parse fail then, so the form falls back to the query alone.
 */
async function cappedBody(req: Request, limit: number): Promise<Uint8Array | undefined> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export type FormValue = (name: string) => string;

/** Go's Request.FormValue: a form body's value first (POST, PUT, PATCH), then the query's; "" when neither has one. */
export async function formValues(req: Request, limit: number): Promise<FormValue> {
  const query = new URL(req.url).searchParams;
  let body: { get(name: string): unknown } | undefined;
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  const isForm = type === "application/x-www-form-urlencoded" || type === "multipart/form-data";
  if (["POST", "PUT", "PATCH"].includes(req.method) && isForm) {
    const bytes = await cappedBody(req, limit);
    if (bytes) {
      try {
        body =
          type === "multipart/form-data"
            ? await new Response(bytes, { headers: { "content-type": req.headers.get("content-type") ?? "" } }).formData()
            : new URLSearchParams(new TextDecoder().decode(bytes));
      } catch {
        body = undefined;
      }
    }
  }
  return (name) => {
    const fromBody = body?.get(name);
    if (typeof fromBody === "string") return fromBody;
    return query.get(name) ?? "";
  };
}
