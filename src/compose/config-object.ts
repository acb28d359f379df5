// The configuration an embedding program passes as an object: validated exactly as a config file is,
// by handing each leaf to loadConfig as its --flag, so defaults, derived settings and checks stay one.
import type { z } from "zod";
import type { configSchema, Config } from "../config/schema";
import { ConfigError, loadConfig } from "../config/load";
import { configKeys } from "../config/keys";

/** Any part of the configuration, shaped as the YAML file; every key left out takes its default. */
export type ConfigInput = z.input<typeof configSchema>;

const where = "createServer's config";
const leaves = new Map(configKeys.map((k) => [k.key, k]));
const sections = new Set(
  configKeys.flatMap((k) =>
    k.key
      .split(".")
      .slice(0, -1)
      .map((_, i, parts) => parts.slice(0, i + 1).join(".")),
  ),
);

function flatten(value: unknown, path: string, flags: Record<string, string>): void {
  const leaf = leaves.get(path);
  if (leaf) {
    // Text leaves take flags verbatim, so a non-text value would pass as text: refuse it here.
    if (leaf.textual && typeof value !== "string") throw new ConfigError(`invalid value for config key "${path}" (from ${where}): expected a string`);
    flags[path] = typeof value === "string" && leaf.textual ? value : JSON.stringify(value);
    return;
  }
  if (path !== "" && !sections.has(path)) throw new ConfigError(`unknown config key "${path}" in ${where}`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`invalid value for config key "${path || "(root)"}" (from ${where}): expected a mapping`);
  }
  for (const [key, v] of Object.entries(value)) if (v !== undefined) flatten(v, path ? `${path}.${key}` : key, flags);
}

export function configFromObject(input: ConfigInput): Config {
  const flags: Record<string, string> = {};
  flatten(input, "", flags);
  try {
    return loadConfig({ flags });
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(e.message.replace(/\(from flag --[^)]*\)/, `(from ${where})`));
    throw e;
  }
}
