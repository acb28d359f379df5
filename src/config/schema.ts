// The whole configuration as one zod schema. Key names follow upstream flyteadmin wherever upstream has
// the key; every object is strict so an unknown key is a start-up error. `config docs`, FLYTE_* variables
// and --flags are derived by walking this schema (see keys.ts).
import { z } from "zod";
import { authSection } from "./schema-auth";
import { goDuration, leaf, port, quantity, section } from "./schema-parts";

export { defaultStaticClients, type OAuthClientConfig, type RoleBindingConfig } from "./schema-auth";

/** A template value of cluster_resources: given, or read from an environment variable or a file. */
const templateValue = z.strictObject({
  value: z.string().default(""),
  valueFrom: z.strictObject({ env: z.string().default(""), filePath: z.string().default("") }).optional(),
});

export const defaultDomains = ["development", "staging", "production"].map((id) => ({ id, name: id }));

export const configSchema = z.strictObject({
  server: section({
    httpPort: leaf(port, 8088, "HTTP port; answers REST, Connect, gRPC-web and native gRPC (h2c) alike (0: ephemeral)"),
    host: leaf(z.string(), "", "address every port listens on (empty: every interface, IPv4 and IPv6)"),
    gracefulShutdownTimeoutSeconds: leaf(z.number().min(0), 10, "how long SIGTERM/SIGINT waits for in-flight calls"),
    readHeaderTimeoutSeconds: leaf(
      z.number().min(0),
      32,
      "longest wait for a request's headers, from its first byte; for a new connection from the accept, covering the TLS handshake and the HTTP/2 preface (0: none)",
    ),
    maxConnections: leaf(
      z.number().int().min(0),
      10000,
      "most open connections over all ports; more are closed at once and logged, and the open-file limit caps it too (0: only that limit)",
    ),
    timeouts: section({
      request: leaf(
        goDuration,
        "5m",
        "longest time to receive a whole request, headers and body, from its first byte; HTTP/2: until the client ends its side (0s: none)",
      ),
      idle: leaf(goDuration, "90s", "an HTTP/1.1 connection between requests, or an HTTP/2 session with no open stream, is closed after this (0s: never)"),
      ping: leaf(goDuration, "1m", "how often an HTTP/2 session is sent a PING (0s: never)"),
      pingAck: leaf(goDuration, "20s", "an HTTP/2 session whose PING is not acknowledged within this is dropped (0s: not enforced)"),
    }),
    "kube-config": leaf(
      z.string(),
      "",
      "kubeconfig of the cluster executions run on, $VARs expanded (empty: in-cluster credentials when running in a pod, else KUBECONFIG)",
    ),
    master: leaf(z.string(), "", "Kubernetes API server URL that replaces the kubeconfig's server"),
    kubeClientConfig: section({
      qps: leaf(z.number().min(0), 100, "Kubernetes API requests per second (0: 5)"),
      burst: leaf(z.number().int().min(0), 25, "Kubernetes API request burst (0: 10)"),
      timeout: leaf(goDuration, "30s", "timeout of one Kubernetes API call (0s: none)"),
    }),
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
      useAuth: leaf(z.boolean(), false, "authenticate every call (the auth section) and serve the OAuth2 and login routes"),
      insecureCookieHeader: leaf(z.boolean(), false, "leave the Secure attribute off the auth cookies (plain-HTTP deployments)"),
    }),
    dataProxy: section({
      upload: section({
        maxExpiresIn: leaf(goDuration, "1h", "longest validity of a signed upload URL"),
        defaultFileNameLength: leaf(z.number().int().min(1).max(256), 20, "length of the random file name when a request gives none"),
        storagePrefix: leaf(z.string(), "", "key prefix of every upload"),
        maxSizeBytes: leaf(z.number().int().min(1), 1024 * 1024 * 1024, "largest upload the local store accepts through its signed URLs"),
      }),
      download: section({
        maxExpiresIn: leaf(goDuration, "1h", "longest validity of a signed download URL"),
      }),
    }),
  }),
  database: section({
    url: leaf(
      z.string().min(1),
      "file:.flyteadmin/flyteadmin.db",
      "database: file:<path> (embedded libSQL), libsql://, http://, https://, ws://, wss:// for a libSQL server, or postgres://, postgresql:// for PostgreSQL",
    ),
    authToken: leaf(z.string(), "", "auth token for a remote libSQL server"),
    busyTimeoutMs: leaf(z.number().int().min(0), 5000, "how long a writer waits for the embedded database's lock"),
    migrateOnStart: leaf(z.boolean(), true, "apply pending migrations when `serve` starts"),
    sqlite: section({
      file: leaf(z.string(), "", "upstream's key: when set, this embedded database file wins over database.url"),
    }),
    postgres: section({
      host: leaf(z.string(), "", "upstream's key: when set, PostgreSQL on this host, from the database.postgres keys, wins over database.url"),
      port: leaf(z.number().int().min(1).max(65535), 5432, "PostgreSQL server port"),
      dbname: leaf(z.string().min(1), "postgres", "PostgreSQL database name"),
      username: leaf(z.string(), "", "PostgreSQL user (empty: the driver's default)"),
      password: leaf(z.string(), "", "PostgreSQL password (passwordPath wins when set)"),
      passwordPath: leaf(z.string(), "", "file holding the PostgreSQL password, trailing newline dropped (empty: database.postgres.password)"),
      options: leaf(
        z.string(),
        "",
        'libpq-style connection options, e.g. "sslmode=disable connect_timeout=10" (also &-separated), passed as URL query parameters',
      ),
      debug: leaf(z.boolean(), false, "log every SQL statement at debug level"),
    }),
    maxIdleConnections: leaf(z.number().int().min(0), 10, "PostgreSQL: most idle connections kept in the pool"),
    maxOpenConnections: leaf(z.number().int().min(0), 100, "PostgreSQL: most open connections in the pool (0: no limit)"),
    connMaxLifeTime: leaf(goDuration, "1h", "PostgreSQL: a pooled connection is closed and replaced after this long (0s: never)"),
  }),
  storage: section({
    type: leaf(z.enum(["local", "mem", "s3", "minio"]), "local", "blob store backend: local (files), mem, s3, minio"),
    container: leaf(z.string(), "", "bucket (s3, minio) or sub-folder of storage.local.path (local; empty: flyteadmin)"),
    local: section({
      path: leaf(z.string(), ".flyteadmin/blobs", "root folder of the local blob store"),
      signingKey: leaf(z.string(), "", "secret for the local store's signed URLs (empty: a random key kept beside the blobs)"),
      publicUrl: leaf(z.string(), "", "base URL clients reach this server at, for local signed URLs (empty: from the request)"),
    }),
    connection: section({
      endpoint: leaf(z.string(), "", "S3 endpoint URL (empty: AWS)"),
      region: leaf(z.string(), "us-east-1", "S3 region"),
      "access-key": leaf(z.string(), "", "S3 access key (empty: AWS_ACCESS_KEY_ID)"),
      "secret-key": leaf(z.string(), "", "S3 secret key (empty: AWS_SECRET_ACCESS_KEY)"),
      "disable-ssl": leaf(z.boolean(), false, "plain http to an S3 endpoint given without a scheme"),
    }),
  }),
  flyteadmin: section({
    metadataStoragePrefix: leaf(z.array(z.string()), ["metadata", "admin"], "blob key prefix of offloaded workflow closures"),
    eventVersion: leaf(z.number().int().min(0), 2, "event version propeller is told to send (workflowMeta.eventVersion)"),
    roleNameKey: leaf(z.string(), "", "annotation key that carries an execution's IAM role (e.g. iam.amazonaws.com/role)"),
    maxParallelism: leaf(z.number().int().min(0), 25, "default max parallelism of an execution"),
    labels: leaf(z.record(z.string(), z.string()), {}, "default labels of an execution's resources"),
    annotations: leaf(z.record(z.string(), z.string()), {}, "default annotations of an execution's resources"),
    interruptible: leaf(z.boolean(), false, "run executions on interruptible nodes by default"),
    overwriteCache: leaf(z.boolean(), false, "recompute cached task outputs by default"),
    assumableIamRole: leaf(z.string(), "", "default IAM role of executions"),
    k8sServiceAccount: leaf(z.string(), "", "default Kubernetes service account of executions"),
    outputLocationPrefix: leaf(z.string(), "", "default raw output data prefix (e.g. s3://bucket/raw)"),
    envs: leaf(z.record(z.string(), z.string()), {}, "default environment variables of executions"),
    useOffloadedWorkflowClosure: leaf(z.boolean(), false, "point FlyteWorkflow resources at the closure blob instead of inlining it"),
    useOffloadedInputs: leaf(z.boolean(), false, "point FlyteWorkflow resources at the inputs blob instead of inlining them"),
    consoleUrl: leaf(z.string(), "", "console base URL handed to propeller"),
  }),
  remoteData: section({
    maxSizeInBytes: leaf(z.number().int().min(0), 2 * 1024 * 1024, "largest inputs/outputs returned inline by Get*Data calls"),
    inlineEventDataPolicy: leaf(z.enum(["Offload", "StoreInline"]), "Offload", "inline event outputs: offload to the blob store or keep in the database"),
  }),
  namespace_mapping: section({
    template: leaf(z.string(), "{{ project }}-{{ domain }}", "Kubernetes namespace of an execution"),
  }),
  clusterPools: section({
    clusterPoolAssignments: leaf(z.record(z.string(), z.strictObject({ pool: z.string() })), {}, "cluster pool per domain: {<domain>: {pool}}"),
  }),
  queues: section({
    executionQueues: leaf(
      z.array(z.strictObject({ dynamic: z.string(), attributes: z.array(z.string()) })),
      [],
      "legacy execution queues: [{dynamic, attributes: [tag]}]",
    ),
    workflowConfigs: leaf(
      z.array(
        z.strictObject({ project: z.string().default(""), domain: z.string().default(""), workflowName: z.string().default(""), tags: z.array(z.string()) }),
      ),
      [],
      "queue tags by domain (an entry without a domain is the default): [{domain, tags}]",
    ),
  }),
  clusters: section({
    clusterConfigs: leaf(
      z.array(
        z.strictObject({
          name: z.string().min(1),
          endpoint: z.string().default(""),
          auth: z.strictObject({ type: z.string().default(""), tokenPath: z.string().default(""), certPath: z.string().default("") }).prefault({}),
          enabled: z.boolean().default(false),
          inCluster: z.boolean().default(false),
          kubeClientConfig: z
            .strictObject({ qps: z.number().min(0).default(0), burst: z.number().int().min(0).default(0), timeout: goDuration.default("0s") })
            .optional(),
        }),
      ),
      [],
      "execution clusters: [{name, endpoint, auth: {tokenPath, certPath}, enabled, inCluster, kubeClientConfig: {qps, burst, timeout}}] (none: the in-cluster target, or no executor)",
    ),
    labelClusterMap: leaf(
      z.record(z.string(), z.array(z.strictObject({ id: z.string(), weight: z.number().min(0) }))),
      {},
      "execution cluster label → [{id, weight}] (weights between 0 and 1)",
    ),
    defaultExecutionLabel: leaf(z.string(), "", "label used when an execution names none"),
  }),
  registration: section({
    maxWorkflowNodes: leaf(z.number().int().min(0), 100, "most user nodes a workflow may have (0: no limit)"),
    workflowSizeLimit: leaf(quantity, "", 'largest compiled workflow closure, as a quantity such as "2Mi" (empty: no limit)'),
  }),
  task_resources: section({
    defaults: section({
      cpu: leaf(quantity, "2", "default CPU request of a task that sets none"),
      memory: leaf(quantity, "200Mi", "default memory request of a task that sets none"),
      gpu: leaf(quantity, "", "default GPU request"),
      ephemeralStorage: leaf(quantity, "", "default ephemeral storage request"),
    }),
    limits: section({
      cpu: leaf(quantity, "2", "platform CPU limit; a task may not ask for more"),
      memory: leaf(quantity, "1Gi", "platform memory limit"),
      gpu: leaf(quantity, "1", "platform GPU limit"),
      ephemeralStorage: leaf(quantity, "", "platform ephemeral storage limit (empty: none)"),
    }),
  }),
  task_type_whitelist: leaf(
    z.record(z.string(), z.array(z.strictObject({ project: z.string().optional(), domain: z.string().optional() }))),
    {},
    "task type → [{project, domain}] allowed to register it (types not listed are open to all)",
  ),
  domains: leaf(z.array(z.strictObject({ id: z.string().min(1), name: z.string().min(1) })).min(1), defaultDomains, "the domains every project has"),
  auth: authSection,
  secrets: section({
    "secrets-prefix": leaf(z.string(), "/etc/secrets", "folder holding one file per secret (auth keys, the IdP client secret)"),
    "env-prefix": leaf(z.string(), "FLYTE_SECRET_", "a secret N is read from the environment variable <env-prefix>N first"),
  }),
  scheduler: section({
    enabled: leaf(z.boolean(), true, "run the schedule runner inside serve (one replica at a time holds its lease)"),
    eventScheduler: section({
      scheme: leaf(z.enum(["local", "noop"]), "local", "local: activation records schedules for our runner; noop: schedules are not run"),
    }),
    workflowExecutor: section({
      local: section({
        adminRateLimit: section({
          tps: leaf(z.number().min(0), 100, "executions the runner creates per second at most"),
          burst: leaf(z.number().int().min(1), 10, "burst of executions the runner may create at once"),
        }),
        useUTCTz: leaf(z.boolean(), false, "read cron schedules in UTC rather than the process's time zone"),
      }),
    }),
    catchUp: leaf(
      z.enum(["last", "all", "none"]),
      "last",
      "after downtime: fire only the latest missed tick of each schedule (last), every missed tick within catchUpWindow (all), or none",
    ),
    catchUpWindow: leaf(goDuration, "24h", "ticks missed longer ago than this are never fired"),
    pollInterval: leaf(goDuration, "30s", "how often a runner re-reads the schedules (in serve, activations are seen at once too)"),
    lease: section({
      duration: leaf(goDuration, "15s", "how long the runner's lease lasts unless renewed; a dead holder is replaced after it"),
      renewInterval: leaf(goDuration, "5s", "how often the holder renews its lease"),
    }),
  }),
  cluster_resources: section({
    templatePath: leaf(z.string(), "", "folder of *.yaml templates applied to each project-domain namespace (empty: none)"),
    templateData: leaf(
      z.record(z.string(), templateValue),
      {},
      "values for {{ key }} in the templates: {key: {value}} or {key: {valueFrom: {env | filePath}}}",
    ),
    customData: leaf(z.record(z.string(), z.record(z.string(), templateValue)), {}, "per-domain values for the templates: {domain: {key: {value}}}"),
    refreshInterval: leaf(goDuration, "1m", "how often `clusterresource run` (and serve, with inServe) syncs"),
    standaloneDeployment: leaf(
      z.boolean(),
      false,
      "accepted for upstream's configs; projects are read from the database either way (upstream: through the admin API)",
    ),
    inServe: leaf(z.boolean(), false, "run the cluster-resource sync loop inside serve"),
    ensureNamespace: leaf(z.boolean(), true, "create an execution's namespace, if absent, before its first FlyteWorkflow (also without templates)"),
  }),
  logger: section({
    level: leaf(z.enum(["debug", "info", "warn", "error"]), "info", "log level: debug, info, warn, error"),
    accessLog: leaf(z.boolean(), true, "one structured JSON line per call"),
  }),
});

export type Config = z.output<typeof configSchema>;
