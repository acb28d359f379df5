// /api/v1/openapi: a Swagger 2.0 document of the REST gateway, derived from the same descriptors as
// the routes (paths, verbs, path/body parameters, descriptions) and the request/response messages.
import { getOption, hasOption, ScalarType, type DescEnum, type DescField, type DescMessage, type DescService } from "@bufbuild/protobuf";
import { openapiv2_operation } from "../gen/protoc-gen-openapiv2/options/annotations_pb";
import { StatusSchema } from "../gen/google/rpc/status_pb";
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
  "google.protobuf.Empty": { type: "object" },
  // Wrappers and FieldMask are written as their bare value, as protoc-gen-openapiv2 documents them.
  "google.protobuf.FieldMask": { type: "string" },
  "google.protobuf.DoubleValue": { type: "number", format: "double" },
  "google.protobuf.FloatValue": { type: "number", format: "float" },
  "google.protobuf.Int64Value": { type: "string", format: "int64" },
  "google.protobuf.UInt64Value": { type: "string", format: "uint64" },
  "google.protobuf.Int32Value": { type: "integer", format: "int32" },
  "google.protobuf.UInt32Value": { type: "integer", format: "int64" },
  "google.protobuf.BoolValue": { type: "boolean" },
  "google.protobuf.StringValue": { type: "string" },
  "google.protobuf.BytesValue": { type: "string", format: "byte" },
};

const enumSchema = (e: DescEnum): Schema => ({ type: "string", enum: e.values.map((v) => v.name) });

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

  private single(f: DescField, kind: "scalar" | "enum" | "message"): Schema {
    if (kind === "scalar" && f.scalar !== undefined) return scalarSchemas[f.scalar];
    if (kind === "enum" && f.enum) return enumSchema(f.enum);
    if (f.message) return this.ref(f.message);
    return {};
  }

  private field(f: DescField): Schema {
    switch (f.fieldKind) {
      case "scalar":
        return scalarSchemas[f.scalar];
      case "enum":
        return enumSchema(f.enum);
      case "message":
        // Unset messages are written as null (proto names, every field emitted: Accept: application/json).
        return { ...this.ref(f.message), "x-nullable": true };
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

/** The type of a path parameter: the scalar or enum field its dotted path names (string when unknown). */
function pathParamType(input: DescMessage, fieldPath: string): Schema {
  let message: DescMessage | undefined = input;
  let field: DescField | undefined;
  for (const name of fieldPath.split(".")) {
    field = message?.fields.find((f) => f.name === name);
    message = field?.fieldKind === "message" ? field.message : undefined;
  }
  if (field?.fieldKind === "enum") return enumSchema(field.enum);
  if (field?.fieldKind === "scalar") {
    const { type, format } = scalarSchemas[field.scalar] as { type: string; format?: string };
    return format ? { type, format } : { type };
  }
  return { type: "string" };
}

/** Query-string forms of the well-known types the gateway parses from text (rest.ts parseMessageText). */
const wktQuery: Record<string, Schema> = Object.fromEntries(
  Object.entries(wktSchemas).filter(
    ([name]) =>
      !["google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue", "google.protobuf.Any", "google.protobuf.Empty"].includes(name),
  ),
);

/**
 * The query parameters a request without a `*` body takes, as protoc-gen-openapiv2 lists them: every
 * field not bound by the path or the body, nested messages flattened to dotted proto names, repeated
 * fields as repeated parameters; maps, recursive messages and messages without a text form left out.
 */
function queryParams(input: DescMessage, exclude: string[]): Schema[] {
  const out: Schema[] = [];
  const walk = (m: DescMessage, prefix: string, seen: string[]): void => {
    for (const f of m.fields) {
      const name = prefix + f.name;
      if (exclude.some((e) => e === name || name.startsWith(`${e}.`))) continue;
      const one = (kind: "scalar" | "enum" | "message"): Schema | undefined => {
        if (kind === "scalar" && f.scalar !== undefined) return scalarSchemas[f.scalar];
        if (kind === "enum" && f.enum) return enumSchema(f.enum);
        return f.message ? wktQuery[f.message.typeName] : undefined;
      };
      if (f.fieldKind === "map") continue;
      if (f.fieldKind === "list") {
        const items = one(f.listKind);
        if (items) out.push({ name, in: "query", required: false, type: "array", items, collectionFormat: "multi" });
        continue;
      }
      if (f.fieldKind === "message" && !wktQuery[f.message.typeName]) {
        if (!seen.includes(f.message.typeName) && !f.message.typeName.startsWith("google.protobuf.")) {
          walk(f.message, `${name}.`, [...seen, f.message.typeName]);
        }
        continue;
      }
      const schema = one(f.fieldKind);
      if (schema) out.push({ name, in: "query", required: false, ...schema });
    }
  };
  walk(input, "", [input.typeName]);
  return out;
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
      ...pathParamType(b.method.input, m[1]),
    }));
    if (b.body !== "*") {
      // The gateway reads the query only when the body is not the whole request.
      const bound = parameters.map((p) => String(p.name));
      parameters.push(...queryParams(b.method.input, b.body ? [...bound, b.body] : bound));
    }
    if (b.body === "*") parameters.push({ name: "body", in: "body", required: true, schema: defs.ref(b.method.input) });
    else if (b.body) {
      const f = b.method.input.fields.find((x) => x.name === b.body);
      if (f?.message) parameters.push({ name: "body", in: "body", required: true, schema: defs.ref(f.message) });
    }
    const responses: Record<string, Schema> = {
      "200": { description: "A successful response.", schema: defs.ref(b.method.output) },
      // Every error, whatever its HTTP status, is a google.rpc.Status body, as grpc-gateway documents it.
      default: { description: "An unexpected error response.", schema: defs.ref(StatusSchema) },
    };
    for (const [code, r] of Object.entries(op?.responses ?? {})) {
      responses[code] = { description: r.description, ...(code.startsWith("2") ? {} : { schema: defs.ref(StatusSchema) }) };
    }
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
