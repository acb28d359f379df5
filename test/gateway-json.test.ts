// Unit: JSON exactly as Go's protojson (UseProtoNames, EmitUnpopulated) writes it for the gateway.
import { describe, expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { ProjectSchema, ProjectsSchema } from "../src/gen/flyteidl/admin/project_pb";
import { ExecutionSchema } from "../src/gen/flyteidl/admin/execution_pb";
import { toGatewayJson } from "../src/edge/gateway-json";

describe("gateway JSON", () => {
  test("every field, declaration order, unset messages as null, enums by name", () => {
    const p = create(ProjectSchema, { id: "p", name: "P" });
    const json = toGatewayJson(ProjectSchema, p, { protoNames: true });
    expect(JSON.stringify(json)).toBe('{"id":"p","name":"P","domains":[],"description":"","labels":null,"state":"ACTIVE","org":""}');
  });

  test("lowerCamelCase names for grpc-gateway's default marshaller", () => {
    const json = toGatewayJson(ExecutionSchema, create(ExecutionSchema, { id: { project: "p" } }), { protoNames: false }) as Record<
      string,
      Record<string, unknown> | null
    >;
    expect(Object.keys(json)).toEqual(["id", "spec", "closure"]);
    expect(json.spec).toBeNull();
    expect(json.id).toEqual({ project: "p", domain: "", name: "", org: "" });
  });

  test("nested messages inside lists are filled too; oneofs stay out when unset", () => {
    const list = create(ProjectsSchema, { projects: [{ id: "a", labels: { values: { k: "v" } } }] });
    const json = toGatewayJson(ProjectsSchema, list, { protoNames: true }) as { projects: Array<Record<string, unknown>>; token: string };
    expect(json.projects[0].labels).toEqual({ values: { k: "v" } });
    expect(json.projects[0].description).toBe("");
    expect(json.token).toBe("");
    const exec = toGatewayJson(ExecutionSchema, create(ExecutionSchema, { closure: {} }), { protoNames: true }) as {
      closure: Record<string, unknown>;
    };
    // output_result is a oneof: Go writes none of its members when unset
    expect("outputs" in exec.closure).toBe(false);
    expect("error" in exec.closure).toBe(false);
    expect(exec.closure.started_at).toBeNull();
    expect(exec.closure.phase).toBe("UNDEFINED");
  });
});
