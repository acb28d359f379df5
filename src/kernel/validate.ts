// Field checks shared by every entity's validation, with upstream's messages.
import { invalidArgument, invalidValue, missingArgument } from "./errors";
import { goList, isQualifiedName, isValidLabelValue } from "./k8s-names";

export function requireString(value: string, field: string): void {
  if (value === "") throw missingArgument(field);
}

/**
 * Longest identifier part (project, domain, name, version, org) in bytes. Upstream has no limit, but no
 * real one comes near it, and refusing early keeps a 100,000-character id out of lookups and messages.
 */
export const maxIdBytes = 256;

/** A required identifier part: present, and not longer than maxIdBytes. */
export function requireId(value: string, field: string): void {
  requireString(value, field);
  maxLength(value, field, maxIdBytes);
}

/** An optional identifier part (org): at most maxIdBytes. */
export function optionalId(value: string, field: string): void {
  maxLength(value, field, maxIdBytes);
}

/**
 * A request's enum value must be one this server knows where it decides what happens (a phase, a
 * state): proto3 lets any number through, and an unknown one would be stored or compared as nonsense.
 */
export function knownEnum(values: Record<number, string>, value: number, field: string): void {
  if (values[value] === undefined) throw invalidValue(field);
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
