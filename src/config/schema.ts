// The whole configuration as one zod schema. Key names follow upstream flyteadmin wherever upstream has
// the key; every object is strict so an unknown key is a start-up error. `config docs`, FLYTE_* variables
// and --flags are derived by walking this schema (see keys.ts).
import { z } from "zod";

const port = z.number().int().min(0).max(65535);
const section = <T extends z.ZodRawShape>(shape: T) => z.strictObject(shape).prefault({} as never);
const leaf = <T extends z.ZodType>(type: T, def: z.input<T>, doc: string) =>
  type.default(def as never).describe(doc);

export const defaultDomains = ["development", "staging", "production"].map((id) => ({ id, name: id }));

export const configSchema = z.strictObject({
  server: section({
    httpPort: leaf(port, 8088, "HTTP port; answers REST, Connect, gRPC-web and native gRPC (h2c) alike (0: ephemeral)"),
    host: leaf(z.string(), "", "address every port listens on (empty: every interface, IPv4 and IPv6)"),
    gracefulShutdownTimeoutSeconds: leaf(z.number().min(0), 10, "how long SIGTERM/SIGINT waits for in-flight calls"),
    grpc: section({
      port: leaf(port, 8089, "gRPC port; answers every protocol too (same as httpPort: one listener; 0: ephemeral)"),
      serverReflection: leaf(z.boolean(), true, "serve gRPC server reflection v1 and v1alpha"),
      maxMessageSizeBytes: leaf(
        z.number().int().min(0),
        20 * 1024 * 1024,
        "largest message on any protocol; larger ones fail with ResourceExhausted (0: 20 MiB)",
      ),
    }),
    security: section({
      secure: leaf(z.boolean(), false, "serve TLS on every port (ALPN h2 and http/1.1)"),
      ssl: section({
        certificateFile: leaf(z.string(), "", "PEM certificate chain for TLS"),
        keyFile: leaf(z.string(), "", "PEM private key for TLS"),
      }),
      allowCors: leaf(z.boolean(), true, "answer CORS preflights and add CORS headers"),
      allowedOrigins: leaf(z.array(z.string()), ["*"], "CORS allowed origins"),
      allowedHeaders: leaf(z.array(z.string()), ["Content-Type", "flyte-authorization"], "CORS allowed request headers"),
    }),
  }),
  database: section({
    url: leaf(
      z.string().min(1),
      "file:.flyteadmin/flyteadmin.db",
      "libSQL database: file:<path> (embedded), or libsql://, http://, https:// for a libSQL server",
    ),
    authToken: leaf(z.string(), "", "auth token for a remote libSQL server"),
    busyTimeoutMs: leaf(z.number().int().min(0), 5000, "how long a writer waits for the embedded database's lock"),
    migrateOnStart: leaf(z.boolean(), true, "apply pending migrations when `serve` starts"),
    sqlite: section({
      file: leaf(z.string(), "", "upstream's key: when set, this embedded database file wins over database.url"),
    }),
  }),
  domains: leaf(
    z.array(z.strictObject({ id: z.string().min(1), name: z.string().min(1) })).min(1),
    defaultDomains,
    "the domains every project has",
  ),
  logger: section({
    level: leaf(z.enum(["debug", "info", "warn", "error"]), "info", "log level: debug, info, warn, error"),
    accessLog: leaf(z.boolean(), true, "one structured JSON line per call"),
  }),
});

export type Config = z.output<typeof configSchema>;
