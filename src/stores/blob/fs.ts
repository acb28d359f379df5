// Local filesystem backend, the embedded default: objects are files under <root>/<container>/, and
// their URIs are file:// URLs (what fsspec and flytekit read on the same machine).
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { createHash, randomUUID } from "node:crypto";
import type { LocalUrlSigner } from "./local-signer";
import { BlobError, joinKey, type BlobInfo, type BlobStore, type SignOptions, type SignedUrl } from "../../ports/blob";

const syncWriteLimit = 64 * 1024;

export class FsBlobStore implements BlobStore {
  private readonly base: string;

  constructor(
    root: string,
    container: string,
    private readonly signer?: LocalUrlSigner,
    /** Base URL of this server for signed URLs when a request does not say (storage.local.publicUrl). */
    private readonly publicUrl = "",
  ) {
    this.base = resolve(root, container || "flyteadmin");
  }

  uri(...keys: string[]): string {
    const key = joinKey(keys);
    // join() would resolve ".." and leave the key's folder; a key is never meant to.
    if (key.split("/").some((s) => s === "." || s === "..")) throw new BlobError('a blob key must not contain "." or ".." segments', true);
    return pathToFileURL(join(this.base, key)).href;
  }

  /** The file behind a URI; refuses anything outside the store's folder. */
  pathOf(uri: string): string {
    let path: string;
    try {
      path = fileURLToPath(uri);
    } catch {
      throw new BlobError("not a local blob URI", true);
    }
    const rel = relative(this.base, path);
    if (rel.startsWith("..") || rel.includes(`..${sep}`) || resolve(this.base, rel) !== path) {
      throw new BlobError("outside the local blob store", true);
    }
    return path;
  }

  /** Reads the file for its MD5: the data proxy compares digests before allowing a rewrite. */
  async head(uri: string): Promise<BlobInfo | undefined> {
    const data = await this.read(uri);
    return data && { size: data.length, md5: createHash("md5").update(data).digest("hex") };
  }

  async read(uri: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.pathOf(uri)));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "EISDIR") return undefined;
      throw e;
    }
  }

  async write(uri: string, data: Uint8Array): Promise<void> {
    const path = this.pathOf(uri);
    // Write-then-rename so a reader never sees half an object.
    // Unique per write: two writers of one key in the same millisecond must not share a temp file.
    const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
    if (data.length <= syncWriteLimit) {
      // Small objects (inputs, event data) go to the page cache synchronously: cheaper than the thread-pool
      // round trips of three async calls. The folder is made only when the write finds it missing.
      try {
        writeFileSync(tmp, data);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(tmp, data);
      }
      renameSync(tmp, path);
      return;
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, path);
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string) => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else if (!e.name.endsWith(".tmp")) out.push(pathToFileURL(p).href);
      }
    };
    await walk(this.base);
    return out.filter((u) => u.startsWith(prefix)).sort();
  }

  /** Key of a URI relative to the store folder. */
  keyOf(uri: string): string {
    return relative(this.base, this.pathOf(uri)).split(sep).join("/");
  }

  async signedUrl(uri: string, opts: SignOptions): Promise<SignedUrl> {
    const key = this.keyOf(uri);
    if (!this.signer) throw new BlobError("the local blob store has no URL signer configured");
    const base = (this.publicUrl || opts.baseUrl || "").replace(/\/+$/, "");
    if (!base) throw new BlobError("no base URL for a local signed URL: set storage.local.publicUrl");
    const expires = Math.floor(Date.now() / 1000 + opts.expiresInSeconds);
    const path = this.signer.sign({ method: opts.method, key, expires, md5: opts.contentMd5 ?? "" });
    const headers: Record<string, string> = opts.method === "PUT" && opts.contentMd5 ? { "Content-MD5": opts.contentMd5 } : {};
    return { url: `${base}${path}`, headers, expiresAt: new Date(expires * 1000) };
  }
}
