// The values templates are filled with: cluster_resources.templateData for every namespace, customData
// for the namespace's domain, CLUSTER_RESOURCE attributes of the project and domain on top, and the
// namespace, project and domain, which are reserved (upstream refuses them in the configuration).
// A value that cannot be read (an unset env variable, a missing file) fails only the templates using it.
import { readFileSync } from "node:fs";

export interface DataSource {
  value: string;
  valueFrom?: { env: string; filePath: string };
}

/** A value, or why it has none (shown when a template asks for it). */
export type TemplateValue = { value: string } | { error: string };
export type TemplateValues = Map<string, TemplateValue>;

export const reservedKeys = ["namespace", "project", "domain"];

/** A configuration problem that no sync can get past (a reserved key in templateData or customData). */
export class TemplateConfigError extends Error {
  override readonly name = "TemplateConfigError";
}

/** Refuses reserved keys; called once when the controller is built. */
export function checkDataKeys(templateData: Record<string, DataSource>, customData: Record<string, Record<string, DataSource>>): void {
  const bad = [
    ...Object.keys(templateData)
      .filter((k) => reservedKeys.includes(k))
      .map((k) => `cluster_resources.templateData.${k}`),
    ...Object.entries(customData).flatMap(([d, data]) =>
      Object.keys(data)
        .filter((k) => reservedKeys.includes(k))
        .map((k) => `cluster_resources.customData.${d}.${k}`),
    ),
  ];
  if (bad.length > 0) throw new TemplateConfigError(`${bad.join(", ")}: namespace, project and domain are set by the controller`);
}

function resolve(key: string, where: string, s: DataSource, env: Record<string, string | undefined>): TemplateValue {
  let value = s.value;
  if (!value && s.valueFrom?.env) {
    value = env[s.valueFrom.env] ?? "";
    if (!value) return { error: `${where}.${key}: environment variable ${s.valueFrom.env} is not set` };
  } else if (!value && s.valueFrom?.filePath) {
    try {
      value = readFileSync(s.valueFrom.filePath, "utf8");
    } catch (e) {
      return { error: `${where}.${key}: ${s.valueFrom.filePath} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` };
    }
  }
  // Upstream refuses an empty value rather than writing "" into a manifest.
  return value ? { value } : { error: `${where}.${key}: no value (value, valueFrom.env or valueFrom.filePath)` };
}

/** Every configured value, read now (env and files may change between syncs). */
export function readData(data: Record<string, DataSource>, where: string, env: Record<string, string | undefined> = process.env): TemplateValues {
  return new Map(Object.entries(data).map(([k, s]) => [k, resolve(k, where, s, env)]));
}

/** The values for one namespace, lowest precedence first. */
export function namespaceValues(
  base: TemplateValues,
  domainData: TemplateValues | undefined,
  attributes: Record<string, string>,
  names: { namespace: string; project: string; domain: string },
): TemplateValues {
  const out = new Map(base);
  for (const [k, v] of domainData ?? []) out.set(k, v);
  for (const [k, v] of Object.entries(attributes)) out.set(k, { value: v });
  for (const [k, v] of Object.entries(names)) out.set(k, { value: v });
  return out;
}
