// Upstream's NotFound messages for the rows several managers look up (tasks, workflows and launch
// plans by identifier; executions by key), so each reports a missing row in the same words.
import { notFound } from "../../kernel/errors";
import { identifierText } from "../../kernel/identifiers";
import type { EntityKey } from "../../ports/common";
import type { ExecutionKey } from "../../ports/executions";

/** Upstream reports missing rows with the id in Go's text form, without the resource type. */
export const missingEntity = (type: string, k: EntityKey) =>
  notFound(`missing entity of type ${type} with identifier ${identifierText({ project: k.project, domain: k.domain, name: k.name, version: k.version })}`);

export const missingExecution = (id: ExecutionKey) =>
  notFound(`missing entity of type execution with identifier project:"${id.project}" domain:"${id.domain}" name:"${id.name}"`);
