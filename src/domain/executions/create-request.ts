// CreateExecution's request checks, in upstream's order: ids and name, an active project, a spec naming
// a launch plan or a task, well-formed inputs, notifications and labels.
import type { ExecutionCreateRequest, ExecutionSpec } from "../../gen/flyteidl/admin/execution_pb";
import type { Project } from "../../gen/flyteidl/admin/project_pb";
import { ResourceType } from "../../gen/flyteidl/core/identifier_pb";
import { invalidArgument, missingArgument } from "../../kernel/errors";
import { validateIdentifierFields } from "../../kernel/identifiers";
import { requireId, validateLabels } from "../../kernel/validate";
import { validateLiteralMap, validateNotifications } from "../launchplans/validate";
import type { ProjectManager } from "../projects/manager";
import { checkExecutionName } from "./names";

/** The request's project (whose labels the execution inherits) and its spec, once both are valid. */
export async function validateCreateRequest(
  req: ExecutionCreateRequest,
  projects: Pick<ProjectManager, "requireActive">,
): Promise<{ project: Project; spec: ExecutionSpec }> {
  // Clients before flyteidl 0.15 sent inputs inside the spec.
  if (!req.inputs || Object.keys(req.inputs.literals).length === 0) req.inputs = req.spec?.inputs;
  requireId(req.project, "project");
  requireId(req.domain, "domain");
  if (req.name !== "") checkExecutionName(req.name);
  if (req.name.length > 63) throw invalidArgument(`name for ExecutionCreateRequest exceeded allowed length 63`);
  const project = await projects.requireActive(req.project, req.domain);
  if (!req.spec) throw missingArgument("spec");
  validateIdentifierFields(req.spec.launchPlan);
  const type = req.spec.launchPlan.resourceType;
  if (type !== ResourceType.LAUNCH_PLAN && type !== ResourceType.TASK) {
    throw invalidArgument(`Invalid reference entity resource type [${ResourceType[type]}], only [LAUNCH_PLAN TASK] allowed`);
  }
  validateLiteralMap(req.inputs, "inputs");
  if (req.spec.notificationOverrides.case === "notifications") validateNotifications(req.spec.notificationOverrides.value.notifications);
  validateLabels(req.spec.labels?.values);
  return { project, spec: req.spec };
}
