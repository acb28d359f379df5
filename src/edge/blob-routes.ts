// The local blob store's signed URLs land here: PUT stores the body, GET returns it, each only with a
// valid, unexpired signature; an upload must match the signed Content-MD5 and stay within the limit.
import { createHash } from "node:crypto";
import type { Hono } from "hono";
import type { FsBlobStore } from "../stores/blob/fs";
import { BlobError } from "../ports/blob";
import { blobRoutePrefix, type LocalUrlSigner } from "../stores/blob/local-signer";

export function mountBlobRoutes(app: Hono, store: FsBlobStore, signer: LocalUrlSigner, maxBytes: number): void {
  const keyOf = (path: string) => path.slice(blobRoutePrefix.length).split("/").map(decodeURIComponent).join("/");
  const refuse = (status: 400 | 403 | 404 | 413, message: string) =>
    new Response(JSON.stringify({ code: status === 403 ? 7 : status === 404 ? 5 : status === 413 ? 8 : 3, message, details: [] }), {
      status,
      headers: { "content-type": "application/json" },
    });

  // Signed keys are checked when signed; this refuses a "." or ".." segment here too, as a 400.
  const uriOf = (key: string): string | undefined => {
    try {
      return store.uri(key);
    } catch (e) {
      if (e instanceof BlobError) return undefined;
      throw e;
    }
  };

  app.put(`${blobRoutePrefix}*`, async (c) => {
    const url = new URL(c.req.url);
    const key = keyOf(url.pathname);
    const why = signer.verify("PUT", key, url.searchParams);
    if (why) return refuse(403, why);
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > maxBytes) return refuse(413, `upload of ${declared} bytes is larger than the limit of ${maxBytes} bytes`);
    const body = new Uint8Array(await c.req.arrayBuffer());
    if (body.length > maxBytes) return refuse(413, `upload of ${body.length} bytes is larger than the limit of ${maxBytes} bytes`);
    const signedMd5 = url.searchParams.get("md5");
    if (signedMd5) {
      if (c.req.header("content-md5") !== signedMd5) return refuse(400, "the Content-MD5 header must be the digest the URL was signed for");
      if (createHash("md5").update(body).digest("base64") !== signedMd5) return refuse(400, "the body does not match its Content-MD5");
    }
    const uri = uriOf(key);
    if (!uri) return refuse(400, "invalid blob key");
    await store.write(uri, body);
    return c.body(null, 200);
  });

  app.get(`${blobRoutePrefix}*`, async (c) => {
    const url = new URL(c.req.url);
    const key = keyOf(url.pathname);
    const why = signer.verify("GET", key, url.searchParams);
    if (why) return refuse(403, why);
    const uri = uriOf(key);
    if (!uri) return refuse(400, "invalid blob key");
    const data = await store.read(uri);
    if (!data) return refuse(404, `no object at ${key}`);
    return c.body(new Uint8Array(data), 200, { "content-type": "application/octet-stream" });
  });
}
