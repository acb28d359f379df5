// The google.api.http bindings of a set of services, additional_bindings flattened: the single source
// for the REST gateway's routes and the OpenAPI document.
import { getOption, hasOption, type DescMethod, type DescService } from "@bufbuild/protobuf";
import { http } from "../gen/google/api/annotations_pb";
import type { HttpRule } from "../gen/google/api/http_pb";

export interface HttpBinding {
  service: DescService;
  method: DescMethod;
  /** Lower-case HTTP verb. */
  verb: "get" | "put" | "post" | "delete" | "patch";
  /** Path template as written in the proto, e.g. /api/v1/projects/{id}. */
  path: string;
  /** "" (no body), "*" (whole request) or a top-level field name. */
  body: string;
}

function flatten(service: DescService, method: DescMethod, rule: HttpRule, out: HttpBinding[]): void {
  const p = rule.pattern;
  if (p.case === "get" || p.case === "put" || p.case === "post" || p.case === "delete" || p.case === "patch") {
    out.push({ service, method, verb: p.case, path: p.value, body: rule.body });
  }
  for (const extra of rule.additionalBindings) flatten(service, method, extra, out);
}

export function httpBindings(services: DescService[]): HttpBinding[] {
  const out: HttpBinding[] = [];
  for (const service of services) {
    for (const method of service.methods) {
      if (method.methodKind === "unary" && hasOption(method, http)) flatten(service, method, getOption(method, http), out);
    }
  }
  return out;
}
