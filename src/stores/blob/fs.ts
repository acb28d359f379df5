// Local filesystem backend, the embedded default: objects are files under <root>/<container>/, and
// their URIs are file:// URLs (what fsspec and flytekit read on the same machine).
import { mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { BlobError, joinKey, type BlobInfo, type BlobStore, type SignOptions, type SignedUrl } from "./store";

/** Signs URLs for the server's own blob routes; provided by the data proxy (HMAC with expiry). */
export type LocalSigner = (uri: string, opts: SignOptions) => Promise<SignedUrl>;

export class FsBlobStore implements BlobStore {
  private readonly base: string;

  constructor(
    root: string,
    container: string,
    private signer?: LocalSigner,
  ) {
    this.base = resolve(root, container || "flyteadmin");
  }

  setSigner(signer: LocalSigner): void {
    this.signer = signer;
  }

  uri(...keys: string[]): string {
    return pathToFileURL(join(this.base, joinKey(keys))).href;
  }

  /** The file behind a URI; refuses anything outside the store's folder. */
  pathOf(uri: string): string {
    let path: string;
    try {
      path = fileURLToPath(uri);
    } catch {
      throw new BlobError(`not a local blob URI: ${uri}`);
    }
    const rel = relative(this.base, path);
    if (rel.startsWith("..") || rel.includes(`..${sep}`) || resolve(this.base, rel) !== path) {
      throw new BlobError(`blob URI ${uri} is outside the local store`);
    }
    return path;
  }

  async head(uri: string): Promise<BlobInfo | undefined> {
    try {
      const st = await stat(this.pathOf(uri));
      return st.isFile() ? { size: st.size } : undefined;
    } catch {
      return undefined;
    }
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
    await mkdir(dirname(path), { recursive: true });
    // Write-then-rename so a reader never sees half an object.
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
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

  async signedUrl(uri: string, opts: SignOptions): Promise<SignedUrl> {
    this.pathOf(uri);
    if (!this.signer) throw new BlobError("the local blob store has no URL signer configured");
    return this.signer(uri, opts);
  }

}
