// Loads the configuration: schema defaults < YAML file (--config) < FLYTE_* environment < --key flags.
// Any unknown or ill-typed key fails with a ConfigError that names the key and where it came from.
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { configSchema, defaultStaticClients, type Config } from "./schema";
import { closest, configKeys, envName, type ConfigKey } from "./keys";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export interface ConfigSources {
  /** Path of a YAML file, or undefined for none. */
  file?: string;
  env?: Record<string, string | undefined>;
  /** Dotted key → raw value, e.g. { "server.httpPort": "9000" }. */
  flags?: Record<string, string>;
  /** Told about FLYTE_* variables that look like ours but name no key (they are ignored). */
  warn?: (message: string) => void;
}

type Raw = Record<string, unknown>;

const byKey = new Map(configKeys.map((k) => [k.key, k]));
const envNames = configKeys.map((k) => envName(k.key));
const knownEnv = new Set(envNames);
/** FLYTE_SERVER, FLYTE_DATABASE, ...: a variable under one of these is meant for us. */
const sectionEnv = [...new Set(configKeys.map((k) => envName(k.key.split(".")[0])))];

/**
 * FLYTE_* variables under one of our sections that name no key: most likely a misspelt key. Only a
 * warning, since other Flyte components read FLYTE_* variables from the same environment.
 */
export function strayEnvironment(env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (knownEnv.has(name) || !sectionEnv.some((s) => name === s || name.startsWith(`${s}_`))) continue;
    const hint = closest(name, envNames);
    out.push(`environment variable ${name} names no config key and is ignored${hint ? ` (did you mean ${hint}?)` : ""}`);
  }
  return out;
}

const databaseSchemes = ["file", "libsql", "http", "https", "ws", "wss", "postgres", "postgresql"];

/** Why the database driver would refuse this URL, checked here so the error can name the key. */
function databaseUrlProblem(url: string): string | undefined {
  const m = /^([a-z][a-z0-9+.-]*):/.exec(url);
  if (!m || !databaseSchemes.includes(m[1])) {
    return `"${url}" is not file:PATH nor a libsql:, http:, https:, ws:, wss:, postgres: or postgresql: URL`;
  }
  if (m[1] === "file") return url.slice("file:".length).split("?")[0] ? undefined : `"${url}" names no file`;
  try {
    if (url.startsWith(`${m[1]}://`) && new URL(url).hostname) return undefined;
  } catch {
    // falls through to the message below
  }
  return `"${url}" is not a valid ${m[1]}://HOST URL`;
}

/** The password upstream would use: the passwordPath file's contents when that key is set. */
function postgresPassword(pg: Config["database"]["postgres"]): string {
  if (!pg.passwordPath) return pg.password;
  try {
    return readFileSync(pg.passwordPath, "utf8").replace(/[\r\n]+$/, "");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError(`cannot read the file named by config key "database.postgres.passwordPath": ${pg.passwordPath} (${code})`);
  }
}

/** libpq-style "key=value key2=value2" (or "&"-separated) options as URL query parameters. */
function postgresQuery(options: string): string {
  const params: string[] = [];
  for (const option of options.split(/[\s&]+/).filter(Boolean)) {
    const eq = option.indexOf("=");
    if (eq <= 0) throw new ConfigError(`invalid value for config key "database.postgres.options": "${option}" is not key=value`);
    params.push(`${encodeURIComponent(option.slice(0, eq))}=${encodeURIComponent(option.slice(eq + 1))}`);
  }
  return params.length ? `?${params.join("&")}` : "";
}

/** postgres://USER:PASSWORD@HOST:PORT/DBNAME?OPTIONS from the database.postgres keys. */
function postgresUrl(pg: Config["database"]["postgres"]): string {
  const password = postgresPassword(pg);
  // An empty user with a password is ":PASSWORD@" (libpq then uses its default user), not a dropped password.
  const userinfo = `${encodeURIComponent(pg.username)}${password ? `:${encodeURIComponent(password)}` : ""}`;
  const user = userinfo ? `${userinfo}@` : "";
  const host = pg.host.includes(":") && !pg.host.startsWith("[") ? `[${pg.host}]` : pg.host;
  const url = `postgres://${user}${host}:${pg.port}/${encodeURIComponent(pg.dbname)}${postgresQuery(pg.options)}`;
  let hostname = "";
  try {
    hostname = new URL(url).hostname;
  } catch {
    // reported below
  }
  if (!hostname) throw new ConfigError(`invalid value for config key "database.postgres.host": "${pg.host}" is not a host name or address`);
  return url;
}

function setPath(target: Raw, key: string, value: unknown): void {
  const parts = key.split(".");
  let cur = target;
  for (const part of parts.slice(0, -1)) {
    const next = cur[part];
    if (typeof next !== "object" || next === null || Array.isArray(next)) cur[part] = {};
    cur = cur[part] as Raw;
  }
  cur[parts[parts.length - 1]] = value;
}

/** Env and flag values are text: strings stay verbatim, anything else is read as a YAML value. */
function parseValue(spec: ConfigKey, raw: string): unknown {
  if (spec.textual) return raw;
  try {
    return YAML.parse(raw);
  } catch {
    return raw; // the schema then reports the type mismatch with the key's name
  }
}

function readFile(path: string): Raw {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new ConfigError(`config file ${path} is not valid YAML: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) throw new ConfigError(`config file ${path} must hold a mapping of sections`);
  return doc as Raw;
}

export function loadConfig(sources: ConfigSources = {}): Config {
  const raw: Raw = sources.file ? readFile(sources.file) : {};
  if (sources.env && sources.warn) strayEnvironment(sources.env).forEach(sources.warn);
  const origin = new Map<string, string>();
  for (const spec of configKeys) {
    const value = sources.env?.[envName(spec.key)];
    if (value !== undefined) {
      setPath(raw, spec.key, parseValue(spec, value));
      origin.set(spec.key, `environment variable ${envName(spec.key)}`);
    }
  }
  for (const [key, value] of Object.entries(sources.flags ?? {})) {
    const spec = byKey.get(key);
    if (!spec) throw new ConfigError(`unknown flag --${key} (see 'flyteadmin config docs' for every key)`);
    setPath(raw, key, parseValue(spec, value));
    origin.set(key, `flag --${key}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.join(".");
    if (issue.code === "unrecognized_keys") {
      const key = [path, issue.keys[0]].filter(Boolean).join(".");
      throw new ConfigError(`unknown config key "${key}" in ${sources.file ?? "the configuration"}`);
    }
    const keyPath = configKeys.find((k) => path === k.key || path.startsWith(`${k.key}.`))?.key ?? path;
    const from = origin.get(keyPath) ?? (sources.file ? `config file ${sources.file}` : "the configuration");
    throw new ConfigError(`invalid value for config key "${path}" (from ${from}): ${issue.message}`);
  }
  const config = finish(parsed.data);
  const urlProblem = databaseUrlProblem(config.database.url);
  if (urlProblem) {
    const from = origin.get("database.url") ?? (sources.file ? `config file ${sources.file}` : "the defaults");
    throw new ConfigError(`invalid value for config key "database.url" (from ${from}): ${urlProblem}`);
  }
  return config;
}

/** Settings that follow from others, resolved once so no consumer re-derives them. */
function finish(config: Config): Config {
  const db = config.database;
  if (db.sqlite.file && db.postgres.host) {
    throw new ConfigError("both database.sqlite.file and database.postgres.host are set: pick one (an embedded database or PostgreSQL)");
  }
  if (db.sqlite.file) db.url = `file:${db.sqlite.file}`;
  if (db.postgres.host) db.url = postgresUrl(db.postgres);
  if (config.server.grpc.maxMessageSizeBytes === 0) config.server.grpc.maxMessageSizeBytes = 20 * 1024 * 1024;
  // Upstream merges maps key by key: a configured client replaces the default of its id, the others stay.
  const self = config.auth.appAuth.selfAuthServer;
  const defaults = configSchema.shape.auth.parse({ appAuth: { selfAuthServer: { staticClients: defaultStaticClients } } });
  self.staticClients = { ...defaults.appAuth.selfAuthServer.staticClients, ...self.staticClients };
  return config;
}

/** `flyteadmin config docs`: every key with its default, environment variable and meaning. */
export function configDocs(): string {
  const lines = ["# flyteadmin configuration keys (YAML key, --flag, or environment variable)", ""];
  for (const k of configKeys) {
    lines.push(`${k.key}`);
    lines.push(`    default: ${JSON.stringify(k.default)}`);
    lines.push(`    env:     ${envName(k.key)}`);
    lines.push(`    ${k.doc}`);
  }
  return lines.join("\n");
}
