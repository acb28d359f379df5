// Resource defaults for the tasks of a launched workflow, as upstream sets them before building the
// FlyteWorkflow: request = the task's request, else its limit, else the platform default; limit = the
// task's limit, else the request; both capped by the platform limit and the request by the limit. CPU
// and memory are always set; GPU and ephemeral storage only when the task or platform default names them.
import { create } from "@bufbuild/protobuf";
import type { CompiledWorkflowClosure } from "../../gen/flyteidl/core/compiler_pb";
import { Resources_ResourceName as Name, ResourcesSchema, type Resources_ResourceEntry } from "../../gen/flyteidl/core/tasks_pb";
import { parseQuantity } from "../../kernel/k8s-quantity";
import type { ResourceSet } from "../../ports/launcher";

type Key = keyof ResourceSet;
const names: Array<[Key, Name]> = [
  ["cpu", Name.CPU],
  ["memory", Name.MEMORY],
  ["ephemeralStorage", Name.EPHEMERAL_STORAGE],
  ["gpu", Name.GPU],
];

const value = (q: string) => {
  try {
    return q === "" ? 0 : parseQuantity(q);
  } catch {
    return 0; // upstream logs unparseable quantities and treats them as unset
  }
};
const zero = (q: string) => value(q) === 0;
/** The smaller of two quantities, ignoring unset ones. */
const capped = (q: string, cap: string) => (zero(q) || zero(cap) || value(q) <= value(cap) ? q : cap);

export function adjustResource(request: string, limit: string, platformDefault: string, platformLimit: string): { request: string; limit: string } {
  let req = request;
  let lim = limit;
  if (zero(req)) req = zero(lim) ? platformDefault : lim;
  if (zero(lim)) lim = req;
  req = capped(req, platformLimit);
  lim = capped(lim, platformLimit);
  req = capped(req, lim);
  return { request: req === "" ? "0" : req, limit: lim === "" ? "0" : lim };
}

const pick = (entries: Resources_ResourceEntry[], name: Name) => entries.find((e) => e.name === name)?.value ?? "";

/** Rewrites every container task's resources in place. */
export function applyTaskResourceDefaults(closure: CompiledWorkflowClosure, platform: { defaults: ResourceSet; limits: ResourceSet }): void {
  for (const task of closure.tasks) {
    const target = task.template?.target;
    if (target?.case !== "container") continue;
    const res = (target.value.resources ??= create(ResourcesSchema));
    const requests: Resources_ResourceEntry[] = [];
    const limits: Resources_ResourceEntry[] = [];
    for (const [key, name] of names) {
      const taskRequest = pick(res.requests, name);
      const taskLimit = pick(res.limits, name);
      const optional = key === "gpu" || key === "ephemeralStorage";
      if (optional && zero(taskRequest) && zero(taskLimit) && zero(platform.defaults[key])) continue;
      const r = adjustResource(taskRequest, taskLimit, platform.defaults[key], platform.limits[key]);
      requests.push({ $typeName: "flyteidl.core.Resources.ResourceEntry", name, value: r.request });
      limits.push({ $typeName: "flyteidl.core.Resources.ResourceEntry", name, value: r.limit });
    }
    res.requests = requests;
    res.limits = limits;
  }
}
