// Database and other service URLs as logs may show them.

/** A remote URL without its secrets (password, authToken query parameter). */
export function redactUrl(url: string): string {
  if (url.startsWith("file:")) return url;
  try {
    const u = new URL(url);
    if (u.password) u.password = "redacted";
    if (u.searchParams.has("authToken")) u.searchParams.set("authToken", "redacted");
    return u.toString();
  } catch {
    return url;
  }
}
