// /api/v1/openapi: a Swagger 2.0 document of the REST gateway, derived from the same descriptors as
// the routes (paths, verbs, path/body parameters, descriptions) and the request/response messages.
import { getOption, hasOption, ScalarType, type DescEnum, type DescField, type DescMessage, type DescService } from "@bufbuild/protobuf";
import { openapiv2_operation } from "../gen/protoc-gen-openapiv2/options/annotations_pb";
import { httpBindings } from "./http-rules";

type Schema = Record<string, unknown>;

const scalarSchemas: Record<number, Schema> = {
  [ScalarType.DOUBLE]: { type: "number", format: "double" },
  [ScalarType.FLOAT]: { type: "number", format: "float" },
  [ScalarType.INT64]: { type: "string", format: "int64" },
  [ScalarType.UINT64]: { type: "string", format: "uint64" },
  [ScalarType.INT32]: { type: "integer", format: "int32" },
  [ScalarType.FIXED64]: { type: "string", format: "uint64" },
  [ScalarType.FIXED32]: { type: "integer", format: "int64" },
  [ScalarType.BOOL]: { type: "boolean" },
  [ScalarType.STRING]: { type: "string" },
  [ScalarType.BYTES]: { type: "string", format: "byte" },
  [ScalarType.UINT32]: { type: "integer", format: "int64" },
  [ScalarType.SFIXED32]: { type: "integer", format: "int32" },
  [ScalarType.SFIXED64]: { type: "string", format: "int64" },
  [ScalarType.SINT32]: { type: "integer", format: "int32" },
  [ScalarType.SINT64]: { type: "string", format: "int64" },
};

/** Well-known types have a JSON form of their own. */
const wktSchemas: Record<string, Schema> = {
  "google.protobuf.Timestamp": { type: "string", format: "date-time" },
  "google.protobuf.Duration": { type: "string" },
  "google.protobuf.Struct": { type: "object" },
  "google.protobuf.Value": {},
  "google.protobuf.ListValue": { type: "array", items: {} },
  "google.protobuf.Any": { type: "object", properties: { "@type": { type: "string" } }, additionalProperties: {} },
};

class Definitions {
  readonly defs: Record<string, Schema> = {};

  ref(m: DescMessage): Schema {
    const wkt = wktSchemas[m.typeName];
    if (wkt) return wkt;
    if (!this.defs[m.typeName]) {
      this.defs[m.typeName] = {}; // placeholder first: messages can be recursive
      this.defs[m.typeName] = this.message(m);
    }
    return { $ref: `#/definitions/${m.typeName}` };
  }

  private enumSchema(e: DescEnum): Schema {
    return { type: "string", enum: e.values.map((v) => v.name) };
  }

  private single(f: DescField, kind: "scalar" | "enum" | "message"): Schema {
    if (kind === "scalar" && f.scalar !== undefined) return scalarSchemas[f.scalar];
    if (kind === "enum" && f.enum) return this.enumSchema(f.enum);
    if (f.message) return this.ref(f.message);
    return {};
  }

  private field(f: DescField): Schema {
    switch (f.fieldKind) {
      case "scalar":
        return scalarSchemas[f.scalar];
      case "enum":
        return this.enumSchema(f.enum);
      case "message":
        return this.ref(f.message);
      case "list":
        return { type: "array", items: this.single(f, f.listKind) };
      case "map":
        return { type: "object", additionalProperties: this.single(f, f.mapKind) };
    }
  }

  private message(m: DescMessage): Schema {
    const properties: Record<string, Schema> = {};
    for (const f of m.fields) properties[f.name] = this.field(f);
    return { type: "object", properties };
  }
}

const swaggerPath = (template: string) => template.replace(/\{([^}=]+)(=[^}]*)?\}/g, "{$1}");

export function openApiDocument(services: DescService[], version: string): Schema {
  const defs = new Definitions();
  const paths: Record<string, Record<string, Schema>> = {};
  for (const b of httpBindings(services)) {
    const path = swaggerPath(b.path);
    const op = hasOption(b.method, openapiv2_operation) ? getOption(b.method, openapiv2_operation) : undefined;
    const parameters: Schema[] = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      type: "string",
    }));
    if (b.body === "*") parameters.push({ name: "body", in: "body", required: true, schema: defs.ref(b.method.input) });
    else if (b.body) {
      const f = b.method.input.fields.find((x) => x.name === b.body);
      if (f?.message) parameters.push({ name: "body", in: "body", required: true, schema: defs.ref(f.message) });
    }
    const responses: Record<string, Schema> = {
      "200": { description: "A successful response.", schema: defs.ref(b.method.output) },
    };
    for (const [code, r] of Object.entries(op?.responses ?? {})) responses[code] = { description: r.description };
    paths[path] ??= {};
    paths[path][b.verb] = {
      operationId: `${b.service.name}_${b.method.name}${paths[path][b.verb] ? "2" : ""}`,
      ...(op?.description && { description: op.description }),
      tags: [b.service.name],
      parameters,
      responses,
    };
  }
  return {
    swagger: "2.0",
    info: { title: "flyteidl/service", version },
    schemes: ["http", "https"],
    consumes: ["application/json", "application/octet-stream"],
    produces: ["application/json", "application/octet-stream"],
    paths,
    definitions: defs.defs,
  };
}
