// Builds the configured blob store.
import { join, resolve } from "node:path";
import type { Config } from "../../config/schema";
import { FsBlobStore } from "./fs";
import { LocalUrlSigner } from "./local-signer";
import { MemBlobStore } from "./mem";
import { S3BlobStore } from "./s3";
import type { BlobStore } from "../../ports/blob";

export interface BlobSetup {
  store: BlobStore;
  /** Present for the local store: the server serves its signed URLs itself. */
  local?: { store: FsBlobStore; signer: LocalUrlSigner };
}

export function createBlobStore(config: Config, env: Record<string, string | undefined> = process.env): BlobSetup {
  const s = config.storage;
  switch (s.type) {
    case "local": {
      const root = resolve(s.local.path);
      const signer = LocalUrlSigner.fromConfig(s.local.signingKey, join(root, ".signing-key"));
      const store = new FsBlobStore(root, s.container, signer, s.local.publicUrl);
      return { store, local: { store, signer } };
    }
    case "mem":
      return { store: new MemBlobStore(s.container) };
    case "s3":
    case "minio":
      return {
        store: new S3BlobStore({
          bucket: s.container,
          region: s.connection.region,
          endpoint: s.connection.endpoint,
          accessKeyId: s.connection["access-key"] || env.AWS_ACCESS_KEY_ID || "",
          secretAccessKey: s.connection["secret-key"] || env.AWS_SECRET_ACCESS_KEY || "",
          sessionToken: env.AWS_SESSION_TOKEN,
          disableSsl: s.connection["disable-ssl"],
        }),
      };
  }
}
