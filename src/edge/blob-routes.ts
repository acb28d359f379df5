// The local blob store's signed URLs land here: PUT stores the body, GET returns it, by the data proxy's
// rules (domain/dataproxy/signed-blobs.ts); this only turns HTTP into calls and refusals into answers.
import { Code } from "@connectrpc/connect";
import type { Hono } from "hono";
import type { BlobRefusal, SignedBlobs } from "../domain/dataproxy/signed-blobs";
import { localBlobRoutePrefix } from "../ports/blob";
import { gatewayError } from "./rest";

/** Each refusal's code and status; too large is HTTP's 413, where grpc-gateway would say 429. */
const answers: Record<BlobRefusal["refused"], { code: Code; status: number }> = {
  forbidden: { code: Code.PermissionDenied, status: 403 },
  invalid: { code: Code.InvalidArgument, status: 400 },
  "too-large": { code: Code.ResourceExhausted, status: 413 },
  missing: { code: Code.NotFound, status: 404 },
};

const refusal = (r: BlobRefusal): Response => gatewayError(answers[r.refused].code, r.message, answers[r.refused].status);

/** The key a URL names, each segment percent-decoded (a malformed escape throws: the app's 500). */
const keyOf = (path: string) => path.slice(localBlobRoutePrefix.length).split("/").map(decodeURIComponent).join("/");

export function mountBlobRoutes(app: Hono, blobs: SignedBlobs): void {
  app.put(`${localBlobRoutePrefix}*`, async (c) => {
    const url = new URL(c.req.url);
    const headers = { contentLength: c.req.header("content-length"), contentMd5: c.req.header("content-md5") };
    const r = await blobs.put(keyOf(url.pathname), url.searchParams, headers, async () => new Uint8Array(await c.req.arrayBuffer()));
    return "refused" in r ? refusal(r) : c.body(null, 200);
  });

  app.get(`${localBlobRoutePrefix}*`, async (c) => {
    const url = new URL(c.req.url);
    const r = await blobs.get(keyOf(url.pathname), url.searchParams);
    return "refused" in r ? refusal(r) : c.body(new Uint8Array(r.data), 200, { "content-type": "application/octet-stream" });
  });
}
