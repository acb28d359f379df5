// A template file to Kubernetes objects: `{{ key }}` (any spaces inside the braces, upstream writes one)
// replaced by its value, then every YAML document of the file read as one object. A placeholder with no
// value is an error naming it: upstream would send it on as text and the API server would refuse it.
import { parseAllDocuments } from "yaml";
import type { TemplateValues } from "./values";

export class TemplateError extends Error {
  override readonly name = "TemplateError";
}

export type KubeObject = Record<string, unknown> & { apiVersion: string; kind: string; metadata: Record<string, unknown> & { name: string } };

const placeholder = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** The text with every placeholder filled; throws TemplateError naming the file and the first missing or unreadable key. */
export function renderText(text: string, values: TemplateValues, file: string): string {
  return text.replace(placeholder, (_m, key: string) => {
    const v = values.get(key);
    if (!v) throw new TemplateError(`${file}: {{ ${key} }} has no value (templateData, customData or cluster resource attributes)`);
    if ("error" in v) throw new TemplateError(`${file}: {{ ${key} }}: ${v.error}`);
    return v.value;
  });
}

/** The objects of a rendered file, in order; empty documents are skipped. */
export function parseObjects(text: string, file: string): KubeObject[] {
  const out: KubeObject[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    const where = `${file} document ${i + 1}`;
    if (doc.errors.length > 0) throw new TemplateError(`${where}: ${doc.errors[0].message}`);
    const obj: unknown = doc.toJS();
    if (obj === null || obj === undefined) return;
    if (typeof obj !== "object" || Array.isArray(obj)) throw new TemplateError(`${where}: not a Kubernetes object`);
    const o = obj as Partial<KubeObject>;
    if (typeof o.apiVersion !== "string" || !o.apiVersion) throw new TemplateError(`${where}: apiVersion is missing`);
    if (typeof o.kind !== "string" || !o.kind) throw new TemplateError(`${where}: kind is missing`);
    if (typeof o.metadata?.name !== "string" || !o.metadata.name) throw new TemplateError(`${where}: metadata.name is missing`);
    out.push(o as KubeObject);
  });
  return out;
}
