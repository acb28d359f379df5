// Unit: pure pieces of registration — quantities, identifiers, digests and diffs, task template checks.
import { describe, expect, test } from "bun:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { parseQuantity, isWholeQuantity } from "../src/kernel/k8s-quantity";
import { identifierText, validateIdentifier } from "../src/kernel/identifiers";
import { diffLines, digestOf, messageJson } from "../src/kernel/digest";
import { validateTaskTemplate } from "../src/domain/tasks/validate";
import { IdentifierSchema, ResourceType } from "../src/gen/flyteidl/core/identifier_pb";
import { Resources_ResourceName as R, TaskTemplateSchema, type TaskTemplate } from "../src/gen/flyteidl/core/tasks_pb";
import { AdminError } from "../src/kernel/errors";

const id = create(IdentifierSchema, { resourceType: ResourceType.TASK, project: "p", domain: "development", name: "t", version: "v1" });

function template(patch: Omit<MessageInitShape<typeof TaskTemplateSchema>, "$typeName"> = {}): TaskTemplate {
  return create(TaskTemplateSchema, {
    id,
    type: "python-task",
    metadata: { runtime: { type: 1, version: "1.16.0", flavor: "python" } },
    interface: {},
    target: { case: "container", value: { image: "ghcr.io/flyteorg/flytekit:py3.11", args: ["pyflyte-execute"] } },
    ...patch,
  } as MessageInitShape<typeof TaskTemplateSchema>);
}

function message(fn: () => void): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof AdminError) return e.message;
    throw e;
  }
  return "ok";
}

describe("k8s quantities", () => {
  test.each([
    ["500m", 0.5],
    ["2", 2],
    ["1Gi", 2 ** 30],
    ["200Mi", 200 * 2 ** 20],
    ["1.5G", 1.5e9],
    ["1e3", 1000],
    ["0.1", 0.1],
  ])("%s", (text, value) => expect(parseQuantity(text)).toBeCloseTo(value as number));
  test("malformed", () => {
    for (const bad of ["", "abc", "1Gb", "--1"]) expect(() => parseQuantity(bad)).toThrow("quantities must match");
  });
  test("whole numbers", () => {
    expect(isWholeQuantity("1")).toBe(true);
    expect(isWholeQuantity("1000m")).toBe(true);
    expect(isWholeQuantity("500m")).toBe(false);
  });
});

describe("identifiers", () => {
  test("Go text form and resource type checks", () => {
    expect(identifierText(id)).toBe('resource_type:TASK project:"p" domain:"development" name:"t" version:"v1"');
    const wf = create(IdentifierSchema, { ...id, resourceType: ResourceType.WORKFLOW });
    expect(message(() => validateIdentifier(wf, ResourceType.TASK))).toBe(
      'unexpected resource type workflow for identifier [resource_type:WORKFLOW project:"p" domain:"development" name:"t" version:"v1"], expected task instead',
    );
    expect(message(() => validateIdentifier(create(IdentifierSchema, { ...id, version: "" }), ResourceType.TASK))).toBe("missing version");
    expect(message(() => validateIdentifier(undefined, ResourceType.TASK))).toBe("missing id");
  });
});

describe("digests and diffs", () => {
  test("the digest ignores map order and follows content", () => {
    const a = template({ target: { case: "container", value: { image: "i", env: [], config: [] } } });
    const b = template({ target: { case: "container", value: { image: "i" } } });
    expect(digestOf(TaskTemplateSchema, a)).toEqual(digestOf(TaskTemplateSchema, b));
    const c = template({ target: { case: "container", value: { image: "j" } } });
    expect(digestOf(TaskTemplateSchema, a)).not.toEqual(digestOf(TaskTemplateSchema, c));
  });
  test("diff lines name the path, old and new", () => {
    const before = messageJson(TaskTemplateSchema, template());
    const after = messageJson(TaskTemplateSchema, template({ target: { case: "container", value: { image: "other:1", args: ["pyflyte-execute"] } } }));
    expect(diffLines(before, after)).toEqual(["/container/image:\n\t- ghcr.io/flyteorg/flytekit:py3.11 \n\t+ other:1"]);
  });
});

describe("task template validation", () => {
  const ok = (t: TaskTemplate, limits = {}) => message(() => validateTaskTemplate(id, t, limits, {}));
  test("required parts", () => {
    expect(ok(template())).toBe("ok");
    expect(ok(template({ type: "" }))).toBe("missing type");
    expect(ok(template({ metadata: undefined }))).toBe("missing metadata");
    expect(ok(template({ metadata: { runtime: { version: "" } } }))).toBe("missing runtime version");
    expect(ok(template({ interface: undefined }))).toBe("missing typed interface");
    expect(ok(template({ target: { case: "container", value: { image: "" } } }))).toBe("missing image");
    expect(ok(template({ target: { case: "k8sPod", value: {} } }))).toBe(
      "invalid TaskSpecification, pod tasks should specify their target as a K8sPod with a defined pod spec",
    );
  });
  test("resources: parse, request ≤ limit, platform limits, gpu rules", () => {
    const withRes = (requests: Array<[R, string]>, limits: Array<[R, string]> = []) =>
      template({
        target: {
          case: "container",
          value: {
            image: "i",
            resources: {
              requests: requests.map(([name, value]) => ({ name, value })),
              limits: limits.map(([name, value]) => ({ name, value })),
            },
          },
        },
      });
    expect(ok(withRes([[R.CPU, "1"]], [[R.CPU, "2"]]), { cpu: "2", memory: "1Gi" })).toBe("ok");
    expect(ok(withRes([[R.CPU, "lots"]]))).toMatch(/^Parsing of CPU request failed for value lots/);
    expect(ok(withRes([[R.CPU, "3"]], [[R.CPU, "2"]]))).toBe("Requested CPU default [3] is greater than the limit [2]. Please fix your configuration");
    expect(ok(withRes([[R.MEMORY, "2Gi"]]), { memory: "1Gi" })).toMatch(
      /^Requested MEMORY default \[2Gi\] is greater than current limit set in the platform configuration \[1Gi\]/,
    );
    expect(ok(withRes([[R.MEMORY, "1Gi"]], [[R.MEMORY, "4Gi"]]), { memory: "1Gi" })).toMatch(/^Requested MEMORY limit \[4Gi\]/);
    expect(ok(withRes([[R.GPU, "0.5"]]))).toMatch(/must be a whole number, got: 0.5 instead$/);
    expect(ok(withRes([[R.GPU, "1"]], [[R.GPU, "2"]]))).toMatch(/^For extended resource 'gpu' the default value must equal the limit value/);
    expect(
      ok(
        withRes([
          [R.CPU, "1"],
          [R.CPU, "2"],
        ]),
      ),
    ).toMatch(/^can't specify CPU limit for task .* multiple times$/);
  });
  test("pod specs are checked container by container", () => {
    const pod = template({
      target: { case: "k8sPod", value: { podSpec: { containers: [{ name: "main", resources: { requests: { cpu: "4" } } }] } } },
    });
    expect(ok(pod, { cpu: "2" })).toMatch(/^Requested CPU default \[4\] is greater than current limit/);
  });
  test("task type whitelist", () => {
    const wl = { spark: [{ project: "other" }] };
    expect(message(() => validateTaskTemplate(id, template({ type: "spark" }), {}, wl))).toBe("task type must be whitelisted before use");
    expect(message(() => validateTaskTemplate(id, template({ type: "spark" }), {}, { spark: [{ project: "p" }] }))).toBe("ok");
  });
});
