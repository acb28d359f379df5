// The blob store contract, run against every backend; S3 against a real S3-compatible server (s3rver).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import S3rver from "s3rver";
import { FsBlobStore } from "../src/stores/blob/fs";
import { MemBlobStore } from "../src/stores/blob/mem";
import { S3BlobStore } from "../src/stores/blob/s3";
import type { BlobStore } from "../src/ports/blob";

const dir = mkdtempSync(join(tmpdir(), "flyteadmin-blob-"));
let s3server: S3rver;
let s3endpoint = "";

beforeAll(async () => {
  s3server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory: join(dir, "s3rver"),
    configureBuckets: [{ name: "flyte" }],
  });
  const addr = await s3server.run();
  s3endpoint = `http://127.0.0.1:${addr.port}`;
});
afterAll(async () => {
  await s3server.close();
  rmSync(dir, { recursive: true, force: true });
});

const s3 = () =>
  new S3BlobStore({ bucket: "flyte", region: "us-east-1", endpoint: s3endpoint, accessKeyId: "S3RVER", secretAccessKey: "S3RVER", disableSsl: true });

const backends: Array<[string, () => BlobStore]> = [
  ["fs", () => new FsBlobStore(join(dir, "fs"), "flyte")],
  ["mem", () => new MemBlobStore("flyte")],
  ["s3 (s3rver)", s3],
];

for (const [name, make] of backends) {
  describe(`blob store: ${name}`, () => {
    test("write, head, read, list; missing objects are undefined", async () => {
      const store = make();
      const a = store.uri("metadata", "admin", "p", "d", "wf", "v1");
      const b = store.uri("metadata/admin", "p", "d", "wf2", "v 1+x");
      const data = new TextEncoder().encode("closure bytes");
      await store.write(a, data);
      await store.write(b, new Uint8Array([1, 2, 3]));
      expect(await store.read(a)).toEqual(data);
      expect((await store.head(a))?.size).toBe(data.length);
      expect(await store.read(b)).toEqual(new Uint8Array([1, 2, 3]));
      expect(await store.read(store.uri("metadata", "nothing"))).toBeUndefined();
      expect(await store.head(store.uri("metadata", "nothing"))).toBeUndefined();
      expect(await store.list(store.uri("metadata", "admin", "p"))).toEqual([a, b].sort());
      // overwrite replaces
      await store.write(a, new Uint8Array([9]));
      expect(await store.read(a)).toEqual(new Uint8Array([9]));
    });
  });
}

describe("blob store: fs specifics", () => {
  test("URIs are file:// URLs and nothing outside the store folder is reachable", async () => {
    const store = new FsBlobStore(join(dir, "fs2"), "c");
    expect(store.uri("a", "b")).toBe(`file://${join(dir, "fs2", "c", "a", "b")}`);
    await expect(store.read("file:///etc/passwd")).rejects.toThrow("outside the local blob store");
    await expect(store.read(`${store.uri("a")}/../../../x`)).rejects.toThrow();
    await expect(store.signedUrl(store.uri("a"), { method: "GET", expiresInSeconds: 60 })).rejects.toThrow("no URL signer");
  });
});

describe("blob store: s3 presigned URLs", () => {
  test("a presigned PUT with Content-MD5 uploads, a presigned GET downloads", async () => {
    const store = s3();
    const uri = store.uri("uploads", "p", "d", "fast.tar.gz");
    const body = new TextEncoder().encode("a fast-register archive");
    const md5 = createHash("md5").update(body).digest("base64");
    const put = await store.signedUrl(uri, { method: "PUT", expiresInSeconds: 300, contentMd5: md5 });
    expect(put.url).toContain("X-Amz-Signature=");
    expect(put.headers).toEqual({ "Content-MD5": md5 });
    const up = await fetch(put.url, { method: "PUT", body, headers: put.headers });
    expect(up.status).toBe(200);
    const get = await store.signedUrl(uri, { method: "GET", expiresInSeconds: 300 });
    const down = await fetch(get.url);
    expect(new Uint8Array(await down.arrayBuffer())).toEqual(body);
    // s3rver checks neither query signatures nor Content-MD5 on presigned PUTs, so tampering and
    // digest mismatches are tested against our own local signer, not here.
  });

  test("bad credentials are a clear error", async () => {
    const store = new S3BlobStore({
      bucket: "missing-bucket",
      region: "us-east-1",
      endpoint: s3endpoint,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      disableSsl: true,
    });
    await expect(store.list(store.uri("x"))).rejects.toThrow(/s3 LIST .* failed with HTTP 404|does not exist/);
    expect(() => new S3BlobStore({ bucket: "b", region: "", endpoint: "", accessKeyId: "", secretAccessKey: "", disableSsl: false })).toThrow(
      "s3 storage needs",
    );
  });
});
