// Request parameters as Go's net/http parses them for fosite: the body of an urlencoded or multipart
// POST (PostForm), and the query plus that body (Form). Bodies are capped at 1 MiB, fosite's limit.
import { OAuthError } from "./oauth-error";

export const maxBodyBytes = 1 << 20;

const unparsable = () => new OAuthError("invalid_request", "Unable to parse HTTP body, make sure to send a properly formatted form request body.");

/** The body's parameters when it is a form (urlencoded or multipart); empty for other content. */
export async function postForm(req: Request): Promise<URLSearchParams> {
  const out = new URLSearchParams();
  if (req.method !== "POST" && req.method !== "PUT" && req.method !== "PATCH") return out;
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded" && type !== "multipart/form-data") return out;
  const body = await req.arrayBuffer().catch(() => {
    throw unparsable();
  });
  if (body.byteLength > maxBodyBytes) throw unparsable();
  if (type === "application/x-www-form-urlencoded") {
    const text = new TextDecoder().decode(body);
    // Go refuses a malformed escape; URLSearchParams would keep it as text.
    if (/%(?![0-9A-Fa-f]{2})/.test(text)) throw unparsable();
    return new URLSearchParams(text);
  }
  try {
    const form = await new Response(body, { headers: { "content-type": req.headers.get("content-type") ?? "" } }).formData();
    // Files are not parameters (Go keeps them apart in MultipartForm.File).
    form.forEach((v, k) => {
      if (typeof v === "string") out.append(k, v);
    });
  } catch {
    throw unparsable();
  }
  return out;
}

/** Go's Request.Form: the body's parameters, then the query's (so the body's come first). */
export async function requestForm(req: Request): Promise<URLSearchParams> {
  const out = await postForm(req);
  for (const [k, v] of new URL(req.url).searchParams) out.append(k, v);
  return out;
}

/** Go's Values.Get: the first value, or "". */
export const param = (form: URLSearchParams, name: string): string => form.get(name) ?? "";

/** A space-separated parameter as a list, empty items dropped (fosite's RemoveEmpty(strings.Split)). */
export const spaceList = (value: string): string[] => value.split(" ").filter((s) => s !== "");
