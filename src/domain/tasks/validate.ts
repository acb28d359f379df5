// CreateTask's template checks, as upstream's task validator: type, whitelist, metadata, interface, and
// for container and pod targets the image and resources (requests within limits and platform limits).
import type { JsonObject, JsonValue } from "@bufbuild/protobuf";
import { Resources_ResourceName as R, type Resources_ResourceEntry, type TaskTemplate } from "../../gen/flyteidl/core/tasks_pb";
import type { Identifier } from "../../gen/flyteidl/core/identifier_pb";
import { invalidArgument, missingArgument } from "../../kernel/errors";
import { identifierText } from "../../kernel/identifiers";
import { isWholeQuantity, parseQuantity, type QuantityError } from "../../kernel/k8s-quantity";
import { requireString } from "../../kernel/validate";

/** Platform limits by resource; absent or zero means unlimited. */
export type ResourceLimits = Partial<Record<"cpu" | "memory" | "gpu" | "ephemeralStorage", string>>;

/** task type → scopes allowed to use it; an empty project or domain in a scope means any. */
export type TaskTypeWhitelist = Record<string, Array<{ project?: string; domain?: string }>>;

const checked = [R.CPU, R.MEMORY, R.GPU, R.EPHEMERAL_STORAGE];
const limitKey: Partial<Record<R, keyof ResourceLimits>> = {
  [R.CPU]: "cpu",
  [R.MEMORY]: "memory",
  [R.GPU]: "gpu",
  [R.EPHEMERAL_STORAGE]: "ephemeralStorage",
};

interface Amount {
  text: string;
  value: number;
}

function toAmounts(id: Identifier | undefined, entries: Resources_ResourceEntry[]): Map<R, Amount> {
  const out = new Map<R, Amount>();
  for (const e of entries) {
    if (!checked.includes(e.name)) continue;
    if (out.has(e.name)) {
      throw invalidArgument(`can't specify ${R[e.name]} limit for task [${id ? identifierText(id) : ""}] multiple times`);
    }
    let value: number;
    try {
      value = parseQuantity(e.value);
    } catch (err) {
      throw invalidArgument(
        `Parsing of ${R[e.name]} request failed for value ${e.value} - reason  ${(err as QuantityError).message}. ` +
          "Please follow K8s conventions for resources https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
      );
    }
    if (e.name === R.GPU && !isWholeQuantity(e.value)) {
      throw invalidArgument(`gpu for [${id ? identifierText(id) : ""}] must be a whole number, got: ${e.value} instead`);
    }
    out.set(e.name, { text: e.value, value });
  }
  return out;
}

function platformAmounts(limits: ResourceLimits): Map<R, Amount> {
  const out = new Map<R, Amount>();
  for (const r of checked) {
    const text = limits[limitKey[r]!];
    if (!text) continue;
    const value = parseQuantity(text);
    if (value !== 0) out.set(r, { text, value });
  }
  return out;
}

const overPlatform = (what: string, r: R, asked: Amount, platform: Amount) =>
  invalidArgument(
    `Requested ${R[r]} ${what} [${asked.text}] is greater than current limit set in the platform configuration [${platform.text}]. ` +
      "Please contact Flyte Admins to change these limits or consult the configuration",
  );

function checkResources(id: Identifier | undefined, requests: Map<R, Amount>, limits: Map<R, Amount>, platform: Map<R, Amount>): void {
  for (const [r, req] of requests) {
    const limit = limits.get(r);
    const cap = platform.get(r);
    if (r === R.GPU) {
      if (limit && limit.value !== req.value) {
        throw invalidArgument(`For extended resource 'gpu' the default value must equal the limit value for task [${id ? identifierText(id) : ""}]`);
      }
      if (cap && req.value > cap.value) throw overPlatform("default", r, req, cap);
      continue;
    }
    if (limit && limit.value < req.value) {
      throw invalidArgument(`Requested ${R[r]} default [${req.text}] is greater than the limit [${limit.text}]. Please fix your configuration`);
    }
    if (limit && cap && limit.value > cap.value) throw overPlatform("limit", r, limit, cap);
    if (cap && req.value > cap.value) throw overPlatform("default", r, req, cap);
  }
}

/** A pod spec's container resources ({requests: {cpu: "1"}, limits: {...}}) as resource entries. */
function podResources(list: JsonValue | undefined): Resources_ResourceEntry[] {
  if (!list || typeof list !== "object" || Array.isArray(list)) return [];
  const names: Record<string, R> = { cpu: R.CPU, memory: R.MEMORY, "nvidia.com/gpu": R.GPU, gpu: R.GPU, "ephemeral-storage": R.EPHEMERAL_STORAGE };
  return Object.entries(list)
    .filter(([k]) => k in names)
    .map(([k, v]) => ({ name: names[k], value: String(v) }) as Resources_ResourceEntry);
}

function checkPod(template: TaskTemplate, podSpec: JsonObject | undefined, platform: Map<R, Amount>): void {
  if (!podSpec) {
    throw invalidArgument("invalid TaskSpecification, pod tasks should specify their target as a K8sPod with a defined pod spec");
  }
  const containers = podSpec.containers;
  if (containers !== undefined && !Array.isArray(containers)) throw invalidArgument("invalid pod spec: containers must be a list");
  for (const c of containers ?? []) {
    const res = c && typeof c === "object" && !Array.isArray(c) ? (c.resources as JsonObject | undefined) : undefined;
    checkResources(template.id, toAmounts(template.id, podResources(res?.requests)), toAmounts(template.id, podResources(res?.limits)), platform);
  }
}

function whitelisted(id: Identifier, type: string, whitelist: TaskTypeWhitelist): boolean {
  const scopes = whitelist[type];
  if (!scopes || scopes.length === 0) return true;
  return scopes.some((s) => !s.project || (s.project === id.project && (!s.domain || s.domain === id.domain)));
}

export function validateTaskTemplate(id: Identifier, template: TaskTemplate, platformLimits: ResourceLimits, whitelist: TaskTypeWhitelist): void {
  requireString(template.type, "type");
  if (!whitelisted(id, template.type, whitelist)) throw invalidArgument("task type must be whitelisted before use");
  if (!template.metadata) throw missingArgument("metadata");
  if (template.metadata.runtime) requireString(template.metadata.runtime.version, "runtime version");
  if (!template.interface) throw missingArgument("typed interface");
  const platform = platformAmounts(platformLimits);
  if (template.target.case === "container") {
    const c = template.target.value;
    requireString(c.image, "image");
    if (c.resources) checkResources(template.id, toAmounts(template.id, c.resources.requests), toAmounts(template.id, c.resources.limits), platform);
  } else if (template.target.case === "k8sPod") {
    checkPod(template, template.target.value.podSpec, platform);
  }
}
