// Field checks shared by every entity's validation, with upstream's messages.
import { invalidArgument, missingArgument } from "../errors";
import { goList, isQualifiedName, isValidLabelValue } from "./k8s-names";

export function requireString(value: string, field: string): void {
  if (value === "") throw missingArgument(field);
}

export function maxLength(value: string, field: string, limit: number): void {
  // Go's len() counts bytes.
  if (Buffer.byteLength(value) > limit) throw invalidArgument(`${field} cannot exceed ${limit} characters`);
}

export function maxEntries(map: Record<string, string>, field: string, limit: number): void {
  if (Object.keys(map).length > limit) throw invalidArgument(`${field} map cannot exceed ${limit} entries`);
}

const maxLabelEntries = 16;

/** Labels must be Kubernetes-compliant keys and values, at most 16 of them. */
export function validateLabels(values: Record<string, string> | undefined): void {
  if (!values || Object.keys(values).length === 0) return;
  maxEntries(values, "labels", maxLabelEntries);
  for (const [key, value] of Object.entries(values)) {
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length > 0) throw invalidArgument(`invalid label key [${key}]: ${goList(keyErrs)}`);
    const valueErrs = isValidLabelValue(value);
    if (valueErrs.length > 0) throw invalidArgument(`invalid label value [${value}]: ${goList(valueErrs)}`);
  }
}
