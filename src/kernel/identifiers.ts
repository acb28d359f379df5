// Identifier checks shared by every entity, with upstream's messages.
import { ResourceType, type Identifier } from "../gen/flyteidl/core/identifier_pb";
import type { NamedEntityIdentifier } from "../gen/flyteidl/admin/common_pb";
import { invalidArgument, missingArgument } from "./errors";
import { optionalId, requireId } from "./validate";

/** Go's text form of an Identifier (`resource_type:TASK project:"p" ...`), as %+v prints it and as
 *  propeller keys tasks in the FlyteWorkflow resource. Unset fields are left out, as Go does. */
export function identifierText(id: Pick<Identifier, "project" | "domain" | "name" | "version"> & Partial<Pick<Identifier, "resourceType" | "org">>): string {
  const parts: string[] = [];
  // Go prints an enum value it does not know as its number.
  if (id.resourceType) parts.push(`resource_type:${ResourceType[id.resourceType] ?? id.resourceType}`);
  for (const [k, v] of [
    ["project", id.project],
    ["domain", id.domain],
    ["name", id.name],
    ["version", id.version],
    ["org", id.org ?? ""],
  ] as const) {
    if (v !== "") parts.push(`${k}:${JSON.stringify(v)}`);
  }
  return parts.join(" ");
}

export function validateIdentifierFields(id: Identifier | undefined): asserts id is Identifier {
  if (!id) throw missingArgument("id");
  requireId(id.project, "project");
  requireId(id.domain, "domain");
  requireId(id.name, "name");
  requireId(id.version, "version");
  optionalId(id.org, "org");
}

/** The id must be complete and of the expected resource type. */
export function validateIdentifier(id: Identifier | undefined, expected: ResourceType): asserts id is Identifier {
  if (!id) throw missingArgument("id");
  if (id.resourceType !== expected) {
    const name = (t: ResourceType) => (ResourceType[t] ?? String(t)).toLowerCase();
    throw invalidArgument(`unexpected resource type ${name(id.resourceType)} for identifier [${identifierText(id)}], expected ${name(expected)} instead`);
  }
  validateIdentifierFields(id);
}

export function validateNamedEntityIdentifier(id: NamedEntityIdentifier | undefined): asserts id is NamedEntityIdentifier {
  if (!id) throw missingArgument("id");
  requireId(id.project, "project");
  requireId(id.domain, "domain");
  requireId(id.name, "name");
  optionalId(id.org, "org");
}
