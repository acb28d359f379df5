// The data proxy as pyflyte and flytectl use it before registering: ask for an upload location, PUT
// the archive to the signed URL with the returned headers, and read it back.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createClient } from "@connectrpc/connect";
import { DataProxyService } from "../src/gen/flyteidl/service/dataproxy_pb";
import { answerOf } from "./helpers/calls";
import { startTestServer, type TestServer } from "./helpers/server";

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ "server.dataProxy.upload.maxSizeBytes": "1024" });
});
afterAll(async () => {
  await ts.close();
});

const proxy = (kind = "grpc (h2c, gRPC port)") => createClient(DataProxyService, ts.transports[kind]);
const md5 = (b: Uint8Array) => createHash("md5").update(b).digest();

describe("CreateUploadLocation → PUT → read back", () => {
  test("hash-addressed upload (pyflyte fast register)", async () => {
    const body = new TextEncoder().encode("fast register archive");
    const res = await proxy().createUploadLocation({ project: "flytesnacks", domain: "development", contentMd5: md5(body), filename: "fast.tar.gz" });
    expect(res.nativeUrl.startsWith("file://")).toBe(true);
    expect(res.nativeUrl).toContain("/flytesnacks/development/");
    expect(res.nativeUrl.endsWith("/fast.tar.gz")).toBe(true);
    expect(res.headers).toEqual({ "Content-MD5": md5(body).toString("base64") });
    expect(res.signedUrl.startsWith(ts.grpcUrl)).toBe(true);
    expect(res.expiresAt).toBeDefined();
    const put = await fetch(res.signedUrl, { method: "PUT", body, headers: res.headers });
    expect(put.status).toBe(200);
    expect(readFileSync(fileURLToPath(res.nativeUrl), "utf8")).toBe("fast register archive");
    const down = await proxy().createDownloadLocation({ nativeUrl: res.nativeUrl });
    expect(await (await fetch(down.signedUrl)).text()).toBe("fast register archive");
  });

  test("filename_root without a hash gets a random 20-character file name", async () => {
    const res = await proxy().createUploadLocation({ project: "p", domain: "development", filenameRoot: "my-root" });
    expect(res.nativeUrl).toMatch(/\/p\/development\/my-root\/[a-z0-9]{20}$/);
    expect(res.headers).toEqual({});
  });

  test("through REST the signed URL points at the host the client used", async () => {
    const body = new TextEncoder().encode("via rest");
    const res = await fetch(`${ts.httpUrl}/api/v1/dataproxy/artifact_urn`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ project: "p", domain: "d", content_md5: md5(body).toString("base64") }),
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { signed_url: string; native_url: string; headers: Record<string, string> };
    expect(json.signed_url.startsWith(ts.httpUrl)).toBe(true);
    expect((await fetch(json.signed_url, { method: "PUT", body, headers: json.headers })).status).toBe(200);
  });
});

describe("signed URLs refuse what they were not signed for", () => {
  test("tampered, wrong method, wrong digest, missing header, too large, expired", async () => {
    const body = new TextEncoder().encode("abc");
    const res = await proxy().createUploadLocation({ project: "p", domain: "d", contentMd5: md5(body), expiresIn: { seconds: 60n } });
    const tampered = res.signedUrl.replace(/sig=([0-9a-f])/, (_m, c: string) => `sig=${c === "0" ? "1" : "0"}`);
    expect((await fetch(tampered, { method: "PUT", body, headers: res.headers })).status).toBe(403);
    expect((await fetch(res.signedUrl)).status).toBe(403); // signed for PUT, not GET
    expect((await fetch(res.signedUrl, { method: "PUT", body: new TextEncoder().encode("xyz"), headers: res.headers })).status).toBe(400);
    expect((await fetch(res.signedUrl, { method: "PUT", body })).status).toBe(400);
    const big = new Uint8Array(2048);
    const bigLoc = await proxy().createUploadLocation({ project: "p", domain: "d", contentMd5: md5(big) });
    expect((await fetch(bigLoc.signedUrl, { method: "PUT", body: big, headers: bigLoc.headers })).status).toBe(413);
    const expired = res.signedUrl.replace(/expires=\d+/, "expires=1");
    expect((await fetch(expired, { method: "PUT", body, headers: res.headers })).status).toBe(403);
    const other = res.signedUrl.replace("/p/d/", "/p/x/");
    expect((await fetch(other, { method: "PUT", body, headers: res.headers })).status).toBe(403);
  });
});

describe("validation as upstream", () => {
  test("required fields, expiry bounds, rewrite rules", async () => {
    expect(await answerOf(proxy().createUploadLocation({ domain: "d", contentMd5: new Uint8Array([1]) }))).toEqual([
      "InvalidArgument",
      "project and domain are required parameters",
    ]);
    expect(await answerOf(proxy().createUploadLocation({ project: "p", domain: "d" }))).toEqual([
      "InvalidArgument",
      "content_md5 or filename_root is a required parameter",
    ]);
    const [code, msg] = await answerOf(proxy().createUploadLocation({ project: "p", domain: "d", filenameRoot: "r", expiresIn: { seconds: 7200n } }));
    expect(code).toBe("InvalidArgument");
    expect(msg).toContain("cannot exceed max allowed expiration [1h0m0s]");

    // a client-chosen path that exists may only be rewritten with the same digest
    const body = new TextEncoder().encode("fixed");
    const loc = await proxy().createUploadLocation({ project: "p", domain: "d", filenameRoot: "fixed", filename: "f.txt", contentMd5: md5(body) });
    await fetch(loc.signedUrl, { method: "PUT", body, headers: loc.headers });
    expect((await answerOf(proxy().createUploadLocation({ project: "p", domain: "d", filenameRoot: "fixed", filename: "f.txt" })))[0]).toBe("AlreadyExists");
    expect(
      (
        await answerOf(
          proxy().createUploadLocation({
            project: "p",
            domain: "d",
            filenameRoot: "fixed",
            filename: "f.txt",
            contentMd5: md5(new TextEncoder().encode("other")),
          }),
        )
      )[0],
    ).toBe("AlreadyExists");
    expect(
      (await answerOf(proxy().createUploadLocation({ project: "p", domain: "d", filenameRoot: "fixed", filename: "f.txt", contentMd5: md5(body) })))[0],
    ).toBe("OK");

    expect((await answerOf(proxy().createDownloadLocation({ nativeUrl: "not a url" })))[1]).toBe(
      "error while validating request: failed to parse native_url [not a url]",
    );
    const outside = await answerOf(proxy().createDownloadLocation({ nativeUrl: "file:///etc/passwd" }));
    expect(outside).toEqual(["InvalidArgument", "error while validating request: native_url [file:///etc/passwd] is not in this server's blob store"]);
  });

  test("upload keys stay inside their project: .., absolute paths, / in names and control characters are refused", async () => {
    // Before: filename_root ../../otherproj/development/y signed otherproj/development/y/planted and the PUT succeeded.
    const md5Of = md5(new TextEncoder().encode("x"));
    const refused: Array<[Record<string, string>, string]> = [
      [{ filenameRoot: "../../otherproj/development/y", filename: "planted" }, "filename_root"],
      [{ filenameRoot: "r/../..", filename: "planted" }, "filename_root"],
      [{ filenameRoot: "/abs", filename: "planted" }, "filename_root"],
      [{ filenameRoot: "r", filename: "../planted" }, "filename"],
      [{ filenameRoot: "r", filename: "a//b" }, "filename"],
      [{ filenameRoot: "r", filename: "nul\u0000byte" }, "filename"],
      [{ filenameRoot: "tab\there", filename: "f" }, "filename_root"],
      [{ project: "a/b", filenameRoot: "r" }, "project"],
      [{ domain: "..", filenameRoot: "r" }, "domain"],
      [{ org: "o\u007f", filenameRoot: "r" }, "org"],
    ];
    for (const [fields, field] of refused) {
      const req = { project: "p", domain: "development", contentMd5: md5Of, ...fields };
      const [code, msg] = await answerOf(proxy().createUploadLocation(req));
      expect([code, msg.split(" ")[0]]).toEqual(["InvalidArgument", field]);
      expect(msg).not.toContain(ts.dir);
    }
    // A nested file name below a root is a path inside the project and stays allowed.
    const nested = await proxy().createUploadLocation({ project: "p", domain: "development", filenameRoot: "r", filename: "dir/f.txt", contentMd5: md5Of });
    expect(nested.nativeUrl).toEndWith("/p/development/r/dir/f.txt");
  });

  test("GetData and CreateDownloadLink validate as upstream (a missing node is NotFound)", async () => {
    expect((await answerOf(proxy().getData({ flyteUrl: "flyte://v1/p/d/e/n/i" })))[0]).toBe("NotFound");
    expect(await answerOf(proxy().getData({ flyteUrl: "flyte://v1/p/d/e/n/0/d" }))).toEqual([
      "InvalidArgument",
      "deck type cannot be specified with a retry attempt, just use the node instead",
    ]);
    expect(await answerOf(proxy().getData({ flyteUrl: "flyte://v1/p/d/e/n/x" }))).toEqual([
      "InvalidArgument",
      "failed to parse artifact url Error: failed to parse [flyte://v1/p/d/e/n/x]",
    ]);
    expect((await answerOf(proxy().createDownloadLink({ artifactType: 0 })))[0]).toBe("InvalidArgument");
    const link = await answerOf(
      proxy().createDownloadLink({
        artifactType: 1,
        source: { case: "nodeExecutionId", value: { nodeId: "n", executionId: { project: "p", domain: "d", name: "e" } } },
      }),
    );
    expect(link[0]).toBe("InvalidArgument");
    expect(link[1]).toStartWith("failed to find node execution [");
  });
});
