// The browser-login routes on the Hono app: exact paths, any method, outside the API's interceptors
// (upstream registers them as plain mux handlers, auth.md §4).
import type { Hono } from "hono";
import type { BrowserLogin } from "../../auth/browser/login";

export function mountLoginRoutes(app: Hono, login: BrowserLogin): void {
  app.all("/login", (c) => login.login(c.req.raw));
  app.all("/callback", (c) => login.callback(c.req.raw));
  app.all("/logout", (c) => login.logout(c.req.raw));
  app.all("/.well-known/openid-configuration", (c) => login.openIdConfiguration(c.req.raw));
}
