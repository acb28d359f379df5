// What `serve` logs before it starts: enough to tell from the log alone which build runs, which config
// file it read and where its data lives.
import { resolve } from "node:path";
import type { Config } from "../config/schema";
import { embeddedFile } from "../stores/db/client";
import { versionInfo } from "../kernel/version";
import { redactUrl } from "../kernel/redact-url";

function storageFields(config: Config): Record<string, unknown> {
  const s = config.storage;
  switch (s.type) {
    case "local":
      return { type: s.type, root: resolve(s.local.path), container: s.container || "flyteadmin" };
    case "mem":
      return { type: s.type };
    case "s3":
    case "minio":
      return { type: s.type, bucket: s.container, endpoint: s.connection.endpoint || "(AWS)", region: s.connection.region };
  }
}

export function startupFields(config: Config, configFile: string | undefined): Record<string, unknown> {
  const dbFile = embeddedFile(config.database.url);
  return {
    version: versionInfo.version,
    build: versionInfo.build,
    buildTime: versionInfo.buildTime,
    config: configFile ? resolve(configFile) : null,
    database: redactUrl(config.database.url),
    ...(dbFile ? { databaseFile: resolve(dbFile) } : {}),
    storage: storageFields(config),
  };
}
