// Loads the configuration: schema defaults < YAML file (--config) < FLYTE_* environment < --key flags.
// Any unknown or ill-typed key fails with a ConfigError that names the key and where it came from.
import { readFileSync } from "node:fs";
import YAML from "yaml";
import { configSchema, type Config } from "./schema";
import { configKeys, envName, type ConfigKey } from "./keys";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export interface ConfigSources {
  /** Path of a YAML file, or undefined for none. */
  file?: string;
  env?: Record<string, string | undefined>;
  /** Dotted key → raw value, e.g. { "server.httpPort": "9000" }. */
  flags?: Record<string, string>;
}

type Raw = Record<string, unknown>;

const byKey = new Map(configKeys.map((k) => [k.key, k]));

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
  return finish(parsed.data);
}

/** Settings that follow from others, resolved once so no consumer re-derives them. */
function finish(config: Config): Config {
  if (config.database.sqlite.file) config.database.url = `file:${config.database.sqlite.file}`;
  if (config.server.grpc.maxMessageSizeBytes === 0) config.server.grpc.maxMessageSizeBytes = 20 * 1024 * 1024;
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
