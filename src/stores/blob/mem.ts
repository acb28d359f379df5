// In-memory backend (storage.type: mem), for tests and throwaway servers; upstream has the same kind.
import { createHash } from "node:crypto";
import { BlobError, joinKey, type BlobInfo, type BlobStore, type SignOptions, type SignedUrl } from "../../ports/blob";

export class MemBlobStore implements BlobStore {
  private readonly objects = new Map<string, Uint8Array>();

  constructor(private readonly container: string) {}

  uri(...keys: string[]): string {
    return `mem://${this.container || "flyteadmin"}/${joinKey(keys)}`;
  }

  async head(uri: string): Promise<BlobInfo | undefined> {
    const d = this.objects.get(uri);
    return d && { size: d.length, md5: createHash("md5").update(d).digest("hex") };
  }

  async read(uri: string): Promise<Uint8Array | undefined> {
    return this.objects.get(uri);
  }

  async write(uri: string, data: Uint8Array): Promise<void> {
    this.objects.set(uri, data.slice());
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async signedUrl(_uri: string, _opts: SignOptions): Promise<SignedUrl> {
    throw new BlobError("the in-memory blob store cannot hand out URLs");
  }
}
