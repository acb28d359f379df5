// The self-hosted authorization server's routes (auth.md §4): plain handlers on any method, as
// upstream's mux registers them, outside the API's interceptors. The token endpoint refuses a method
// other than POST itself (400 invalid_request), as fosite does.
import type { Hono } from "hono";
import type { SelfAuthServer } from "../../auth/self/server";

export function mountOAuth2Routes(app: Hono, server: SelfAuthServer): void {
  const routes: Array<[string, (req: Request) => Promise<Response>]> = [
    ["/oauth2/authorize", server.authorize],
    ["/oauth2/authorize_callback", server.authorizeCallback],
    ["/oauth2/token", server.token],
    ["/oauth2/jwks", server.jwksHandler],
    ["/oauth2/revoke", server.revoke],
    ["/oauth2/device/code", server.deviceCode],
    ["/oauth2/device", server.device],
  ];
  for (const [path, handler] of routes) app.all(path, (c) => handler(c.req.raw));
}
