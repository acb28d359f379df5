// The description row stored beside a registered task or workflow version (its short and long
// description and source link), as both registrations write it.
import { toBinary } from "@bufbuild/protobuf";
import { DescriptionSchema, type DescriptionEntity } from "../../gen/flyteidl/admin/description_entity_pb";
import type { ResourceType } from "../../gen/flyteidl/core/identifier_pb";
import type { EntityKey } from "../../ports/common";
import type { DescriptionRecord } from "../../ports/descriptions";

export function descriptionRecord(resourceType: ResourceType, k: EntityKey, d: DescriptionEntity | undefined): DescriptionRecord | undefined {
  if (!d) return undefined;
  return {
    resourceType,
    project: k.project,
    domain: k.domain,
    name: k.name,
    version: k.version,
    shortDescription: d.shortDescription,
    longDescription: d.longDescription ? toBinary(DescriptionSchema, d.longDescription) : null,
    link: d.sourceCode?.link ?? "",
  };
}
