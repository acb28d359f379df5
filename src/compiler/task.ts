// Task compilation, as upstream's task compiler: an id, and for container targets a command or args
// when the task has inputs or outputs, an image and parseable resources; for pod targets DNS-1123
// container names. Pure: no I/O. Throws CompileErrorList.
import { create } from "@bufbuild/protobuf";
import { CompiledTaskSchema, type CompiledTask } from "../gen/flyteidl/core/compiler_pb";
import { Resources_ResourceName, type Resources_ResourceEntry, type TaskTemplate } from "../gen/flyteidl/core/tasks_pb";
import { isDns1123Label } from "../kernel/k8s-names";
import { parseQuantity } from "../kernel/k8s-quantity";
import { err, Errors } from "./errors";

function checkResources(entries: Resources_ResourceEntry[], errs: Errors): void {
  for (const r of entries) {
    try {
      parseQuantity(r.value);
    } catch {
      errs.add(err.unrecognizedValue(`resources.${Resources_ResourceName[r.name]}`, r.value));
    }
  }
}

export function compileTask(template: TaskTemplate): CompiledTask {
  const errs = Errors.root();
  if (!template.id) errs.add(err.valueRequired("root", "Id"));
  const target = template.target;
  if (target.case === "container") {
    const c = target.value;
    const hasVars = Object.keys(template.interface?.inputs?.variables ?? {}).length > 0 || Object.keys(template.interface?.outputs?.variables ?? {}).length > 0;
    if (template.interface && hasVars && c.command.length === 0 && c.args.length === 0) errs.add(err.valueRequired("container", "command"));
    if (c.image === "") errs.add(err.valueRequired("container", "image"));
    if (c.resources) {
      checkResources(c.resources.requests, errs);
      checkResources(c.resources.limits, errs);
    }
  } else if (target.case === "k8sPod") {
    const containers = target.value.podSpec?.containers;
    if (!target.value.podSpec || (containers !== undefined && !Array.isArray(containers))) errs.add(err.invalidValue("root", "k8s pod spec"));
    else {
      for (const c of containers ?? []) {
        const name = c && typeof c === "object" && !Array.isArray(c) && typeof c.name === "string" ? c.name : "";
        if (isDns1123Label(name).length > 0) errs.add(err.invalidValue("root", "k8s pod spec container name"));
      }
    }
  }
  if (errs.failed) throw errs.toError();
  return create(CompiledTaskSchema, { template });
}
