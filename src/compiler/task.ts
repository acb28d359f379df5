// Task compilation, as upstream's task compiler: an id, and for container targets a command or args
// when the task has inputs or outputs, an image and parseable resources; for pod targets DNS-1123
// container names. Pure: no I/O.
import { create } from "@bufbuild/protobuf";
import { CompiledTaskSchema, type CompiledTask } from "../gen/flyteidl/core/compiler_pb";
import { Resources_ResourceName, type Resources_ResourceEntry, type TaskTemplate } from "../gen/flyteidl/core/tasks_pb";
import { isDns1123Label } from "../domain/k8s-names";
import { parseQuantity } from "../domain/k8s-quantity";

export interface TaskCompileError {
  code: "ValueRequired" | "InvalidValue" | "UnrecognizedValue";
  nodeId: string;
  description: string;
}

/** All problems found, worded as upstream's collected compile errors. */
export class TaskCompileErrors extends Error {
  override readonly name = "TaskCompileErrors";
  constructor(readonly errors: TaskCompileError[]) {
    super(
      `Collected Errors: ${errors.length}\n${errors
        .map((e, i) => `\tError ${i}: Code: ${e.code}, Node Id: ${e.nodeId}, Description: ${e.description}`)
        .join("\n")}`,
    );
  }
}

const required = (nodeId: string, param: string): TaskCompileError => ({ code: "ValueRequired", nodeId, description: `Value required [${param}].` });
const invalid = (nodeId: string, param: string): TaskCompileError => ({ code: "InvalidValue", nodeId, description: `Invalid value [${param}].` });

function checkResources(entries: Resources_ResourceEntry[], errs: TaskCompileError[]): void {
  for (const r of entries) {
    try {
      parseQuantity(r.value);
    } catch {
      errs.push({ code: "UnrecognizedValue", nodeId: `resources.${Resources_ResourceName[r.name]}`, description: `Unrecognized value [${r.value}].` });
    }
  }
}

export function compileTask(template: TaskTemplate): CompiledTask {
  const errs: TaskCompileError[] = [];
  if (!template.id) errs.push(required("root", "Id"));
  const target = template.target;
  if (target.case === "container") {
    const c = target.value;
    const hasVars = Object.keys(template.interface?.inputs?.variables ?? {}).length > 0 || Object.keys(template.interface?.outputs?.variables ?? {}).length > 0;
    if (template.interface && hasVars && c.command.length === 0 && c.args.length === 0) errs.push(required("container", "command"));
    if (c.image === "") errs.push(required("container", "image"));
    if (c.resources) {
      checkResources(c.resources.requests, errs);
      checkResources(c.resources.limits, errs);
    }
  } else if (target.case === "k8sPod") {
    const containers = target.value.podSpec?.containers;
    if (!target.value.podSpec || (containers !== undefined && !Array.isArray(containers))) errs.push(invalid("root", "k8s pod spec"));
    else {
      for (const c of containers ?? []) {
        const name = c && typeof c === "object" && !Array.isArray(c) && typeof c.name === "string" ? c.name : "";
        if (isDns1123Label(name).length > 0) errs.push(invalid("root", "k8s pod spec container name"));
      }
    }
  }
  if (errs.length > 0) throw new TaskCompileErrors(errs);
  return create(CompiledTaskSchema, { template });
}
