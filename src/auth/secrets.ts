// Secrets by name, as upstream's secret manager finds them: the environment variable <env-prefix><name>
// first, then the file <secrets-prefix>/<name>. Contents are used as they are.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface SecretSettings {
  "secrets-prefix": string;
  "env-prefix": string;
}

export class SecretNotFound extends Error {
  override readonly name = "SecretNotFound";
}

export interface Secrets {
  /** The secret's content; throws SecretNotFound when neither place has it. */
  get(name: string): string;
  /** The secret's content, or undefined when neither place has it. */
  find(name: string): string | undefined;
}

export function secretsFrom(settings: SecretSettings, env: Record<string, string | undefined> = process.env): Secrets {
  const find = (name: string): string | undefined => {
    const fromEnv = env[`${settings["env-prefix"]}${name}`];
    if (fromEnv !== undefined) return fromEnv;
    try {
      return readFileSync(join(settings["secrets-prefix"], name), "utf8");
    } catch {
      return undefined;
    }
  };
  return {
    find,
    get(name) {
      const value = find(name);
      if (value === undefined) {
        throw new SecretNotFound(`secrets not found - file [${join(settings["secrets-prefix"], name)}], Env [${settings["env-prefix"]}${name}]`);
      }
      return value;
    },
  };
}
