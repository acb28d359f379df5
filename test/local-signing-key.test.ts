// The local store's signing key when several replicas share one blob folder and start at once: every
// one of them ends up with the same key, so a URL one signs, another accepts.
import { expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

test("processes creating the key file at the same moment all sign with the one key that was kept", async () => {
  const dir = mkdtempSync(join(tmpdir(), "flyteadmin-key-"));
  try {
    const keyFile = join(dir, "blobs", ".signing-key");
    const script = `import { LocalUrlSigner } from ${JSON.stringify(join(import.meta.dir, "../src/stores/blob/local-signer.ts"))};
      await Bun.sleep(Number(process.env.START_AT) - Date.now());
      const s = LocalUrlSigner.fromConfig("", ${JSON.stringify(keyFile)});
      console.log(s.sign({ method: "GET", key: "a/b", expires: 2000000000, md5: "" }));`;
    const startAt = String(Date.now() + 1500);
    const procs = Array.from({ length: 8 }, () =>
      Bun.spawn([process.execPath, "-e", script], { env: { ...process.env, START_AT: startAt }, stdout: "pipe", stderr: "inherit" }),
    );
    const urls = await Promise.all(procs.map(async (p) => (await new Response(p.stdout).text()).trim()));
    expect(urls.every((u) => u.includes("sig="))).toBe(true);
    expect(new Set(urls).size).toBe(1);
    // No drafts left behind: only the key itself.
    expect(readdirSync(join(dir, "blobs"))).toEqual([".signing-key"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 30_000);
