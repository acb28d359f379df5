// Type rules of upstream's compiler: when a value of one LiteralType may flow into a variable of another
// (castability), and which LiteralType a literal value has (inference). Pure functions over the protos.
import { create, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import {
  BlobTypeSchema,
  LiteralTypeSchema,
  SchemaTypeSchema,
  StructuredDatasetTypeSchema,
  SchemaType_SchemaColumn_SchemaColumnType as ColumnType,
  SimpleType,
  type LiteralType,
  type SchemaType,
  type StructuredDatasetType,
} from "../gen/flyteidl/core/types_pb";
import type { Literal, Primitive, Scalar } from "../gen/flyteidl/core/literals_pb";
import { canonicalJson, messageJson } from "../kernel/digest";
import { goText } from "../kernel/go-text";

type Kind = LiteralType["type"];
const lt = (type: Kind): LiteralType => create(LiteralTypeSchema, { type });
const simple = (s: SimpleType): LiteralType => lt({ case: "simple", value: s });

/** A stable equality key for a type (upstream compares `.String()` forms). */
export const typeKey = (t: LiteralType | undefined): string => (t ? canonicalJson(messageJson(LiteralTypeSchema, t)) : "");

/** Upstream's LiteralTypeToStr: the Go text form, with dataclass structures spelled out. */
export function typeText(t: LiteralType | undefined): string {
  if (!t) return "None";
  if (t.type.case === "simple" && t.type.value === SimpleType.STRUCT) {
    const fields = Object.entries(t.structure?.dataclassType ?? {}).map(([k, v]) => `dataclass_type:{key:${k} value:{${typeText(v)}}`);
    return `simple: STRUCT structure{${fields.join(", ")}}`;
  }
  return goText(LiteralTypeSchema, t);
}

const isNone = (t: LiteralType | undefined): boolean => t?.type.case === "simple" && t.type.value === SimpleType.NONE;
const simpleOf = (t: LiteralType | undefined): SimpleType | undefined => (t?.type.case === "simple" ? t.type.value : undefined);
const tagOf = (t: LiteralType): string => t.structure?.tag ?? "";

// ---- STRUCT types: JSON schemas (mashumaro, draft 2020-12) in the type metadata ----

const isObject = (v: JsonValue | undefined): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);
// Keys that name or document a schema but do not constrain the values it accepts.
const descriptive = new Set(["title", "description", "default", "examples", "additionalProperties", "AdditionalProperties", "$schema"]);

/**
 * Whether values valid for `source` are acceptable where `target` is expected: every property the target
 * requires exists in the source, shared properties are compatible, and other constraints agree. A child
 * dataclass flows into its parent; a parent into a child that adds required fields does not.
 */
function schemaAccepts(source: JsonValue | undefined, target: JsonValue | undefined): boolean {
  if (!isObject(source) || !isObject(target)) return canonicalJson(source ?? null) === canonicalJson(target ?? null);
  const sourceProps = isObject(source.properties) ? source.properties : {};
  const targetProps = isObject(target.properties) ? target.properties : {};
  const sourceRequired = new Set(Array.isArray(source.required) ? source.required : []);
  for (const name of Array.isArray(target.required) ? target.required : []) {
    if (typeof name !== "string" || !(name in sourceProps) || !sourceRequired.has(name)) return false;
  }
  for (const [name, schema] of Object.entries(targetProps)) {
    if (name in sourceProps && !schemaAccepts(sourceProps[name], schema)) return false;
  }
  for (const key of Object.keys(target)) {
    if (descriptive.has(key) || key === "properties" || key === "required") continue;
    if (key === "items" || key === "additionalItems") {
      if (!schemaAccepts(source[key], target[key])) return false;
    } else if (canonicalJson(source[key] ?? null) !== canonicalJson(target[key] ?? null)) return false;
  }
  return true;
}

function structCastable(up: LiteralType, down: LiteralType): boolean {
  // Older flytekit wrote no schema; such types (and reference tasks) are accepted as upstream does.
  if (!up.metadata || !down.metadata) return true;
  return canonicalJson(up.metadata) === canonicalJson(down.metadata) || schemaAccepts(up.metadata, down.metadata);
}

// ---- schemas and structured datasets: column subsets ----

function schemaColumnMatches(column: ColumnType, simpleType: SimpleType | undefined): boolean {
  const pairs: Partial<Record<ColumnType, SimpleType>> = {
    [ColumnType.INTEGER]: SimpleType.INTEGER,
    [ColumnType.FLOAT]: SimpleType.FLOAT,
    [ColumnType.STRING]: SimpleType.STRING,
    [ColumnType.BOOLEAN]: SimpleType.BOOLEAN,
    [ColumnType.DATETIME]: SimpleType.DATETIME,
    [ColumnType.DURATION]: SimpleType.DURATION,
  };
  return pairs[column] !== undefined && pairs[column] === simpleType;
}

/** Downstream columns must be a subset of upstream's with matching types; no columns on either side is generic. */
function columnsSubset<U, D>(up: U[], down: D[], upName: (u: U) => string, downName: (d: D) => string, match: (u: U, d: D) => boolean): boolean {
  if (up.length === 0 || down.length === 0) return true;
  const byName = new Map(up.map((u) => [upName(u), u]));
  return down.every((d) => {
    const u = byName.get(downName(d));
    return u !== undefined && match(u, d);
  });
}

const schemaFromSchema = (up: SchemaType, down: SchemaType | undefined) =>
  columnsSubset(
    up.columns,
    down?.columns ?? [],
    (c) => c.name,
    (c) => c.name,
    (u, d) => u.type === d.type,
  );
const schemaFromDataset = (up: StructuredDatasetType, down: SchemaType | undefined) =>
  columnsSubset(
    up.columns,
    down?.columns ?? [],
    (c) => c.name,
    (c) => c.name,
    (u, d) => schemaColumnMatches(d.type, simpleOf(u.literalType)),
  );
const datasetFromSchema = (up: SchemaType, down: StructuredDatasetType | undefined) =>
  columnsSubset(
    up.columns,
    down?.columns ?? [],
    (c) => c.name,
    (c) => c.name,
    (u, d) => schemaColumnMatches(u.type, simpleOf(d.literalType)),
  );
function datasetFromDataset(up: StructuredDatasetType, down: StructuredDatasetType | undefined): boolean {
  const upFormat = up.format;
  const downFormat = down?.format ?? "";
  if (upFormat !== "" && downFormat !== "" && upFormat.toLowerCase() !== downFormat.toLowerCase()) return false;
  return columnsSubset(
    up.columns,
    down?.columns ?? [],
    (c) => c.name,
    (c) => c.name,
    (u, d) => (u.literalType !== undefined && d.literalType !== undefined ? castsFrom(d.literalType, u.literalType) : false),
  );
}

// ---- the checkers, chosen by the downstream type ----

/** Exact match ignoring metadata, annotation and structure; enums and strings convert both ways. */
function trivialCastsFrom(down: LiteralType, up: LiteralType): boolean {
  if (up.type.case === "enumType" && simpleOf(down) === SimpleType.STRING) return true;
  if (down.type.case === "enumType" && simpleOf(up) === SimpleType.STRING) return true;
  if (tagOf(up) !== "" && tagOf(down) !== tagOf(up)) return false;
  if (simpleOf(up) === SimpleType.STRUCT && simpleOf(down) === SimpleType.STRUCT) return structCastable(up, down);
  const bare = (t: LiteralType) => typeKey(create(LiteralTypeSchema, { type: t.type }));
  return bare(up) === bare(down);
}

function castsFrom(down: LiteralType, up: LiteralType): boolean {
  switch (down.type.case) {
    case "collectionType": {
      const upElem = up.type.case === "collectionType" ? up.type.value : undefined;
      if (isNone(upElem)) return true;
      return upElem !== undefined && castsFrom(down.type.value, upElem);
    }
    case "mapValueType": {
      const upValue = up.type.case === "mapValueType" ? up.type.value : undefined;
      if (isNone(upValue)) return true;
      return upValue !== undefined && castsFrom(down.type.value, upValue);
    }
    case "blob": {
      if (up.type.case !== "blob") return false;
      if (up.type.value.format === "" || down.type.value.format === "") return true;
      return up.type.value.format === down.type.value.format;
    }
    case "schema": {
      if (up.type.case === "schema") return schemaFromSchema(up.type.value, down.type.value);
      if (up.type.case !== "structuredDatasetType") return false;
      // A Flyte schema can only be read from parquet.
      if (up.type.value.format !== "" && up.type.value.format.toLowerCase() !== "parquet") return false;
      return schemaFromDataset(up.type.value, down.type.value);
    }
    case "structuredDatasetType": {
      if (isNone(up)) return true; // structured datasets are nullable
      if (up.type.case === "schema") {
        const format = down.type.value.format;
        if (format !== "" && format.toLowerCase() !== "parquet") return false;
        return datasetFromSchema(up.type.value, down.type.value);
      }
      if (up.type.case !== "structuredDatasetType") return false;
      return datasetFromDataset(up.type.value, down.type.value);
    }
    case "unionType": {
      const variants = down.type.value.variants;
      if (up.type.case === "unionType") {
        // Every upstream variant must land in some downstream variant.
        return up.type.value.variants.every((u) => variants.some((d) => castable(u, d)));
      }
      // Otherwise exactly one variant may accept it.
      return variants.filter((d) => castable(up, d)).length === 1;
    }
    default:
      if (isNone(down)) return isNone(up);
      return trivialCastsFrom(down, up);
  }
}

/** Whether a value of `up` may be bound to a variable of `down` (upstream's AreTypesCastable). */
export function castable(up: LiteralType, down: LiteralType): boolean {
  // A single-variant union upstream is also tried as its variant.
  if (up.type.case === "unionType" && up.type.value.variants.length === 1 && castsFrom(down, up.type.value.variants[0])) return true;
  return castsFrom(down, up);
}

/** True when the variable accepts "no value": a union with a NONE variant. */
export const isOptional = (t: LiteralType | undefined): boolean =>
  t?.type.case === "unionType" && t.type.value.variants.some((v) => simpleOf(v) === SimpleType.NONE);

// ---- inference ----

export function primitiveType(p: Primitive | undefined): LiteralType {
  const byCase: Record<string, SimpleType> = {
    integer: SimpleType.INTEGER,
    floatValue: SimpleType.FLOAT,
    stringValue: SimpleType.STRING,
    boolean: SimpleType.BOOLEAN,
    datetime: SimpleType.DATETIME,
    duration: SimpleType.DURATION,
  };
  return simple(byCase[p?.value.case ?? ""] ?? SimpleType.NONE);
}

/** The type a scalar value has, or undefined when it cannot be told (a blob without metadata). */
export function scalarType(s: Scalar): LiteralType | undefined {
  const v = s.value;
  switch (v.case) {
    case "primitive":
      return primitiveType(v.value);
    case "blob":
      return v.value.metadata ? lt({ case: "blob", value: v.value.metadata.type ?? create(BlobTypeSchema) }) : undefined;
    case "binary":
      // MessagePack-tagged binaries carry dicts, dataclasses and pydantic models.
      return simple(v.value.tag === "msgpack" ? SimpleType.STRUCT : SimpleType.BINARY);
    case "schema":
      return lt({ case: "schema", value: v.value.type ?? create(SchemaTypeSchema) });
    case "structuredDataset": {
      const t = v.value.metadata?.structuredDatasetType;
      return lt({ case: "structuredDatasetType", value: t ?? create(StructuredDatasetTypeSchema) });
    }
    case "noneType":
      return simple(SimpleType.NONE);
    case "error":
      return simple(SimpleType.ERROR);
    case "generic":
      return simple(SimpleType.STRUCT);
    case "union":
      return lt({ case: "unionType", value: { $typeName: "flyteidl.core.UnionType", variants: [v.value.type ?? create(LiteralTypeSchema)] } });
    default:
      return undefined;
  }
}

/** Common type of a list of values: one type, a union of the distinct ones, or NONE when empty. */
function commonType(literals: Literal[]): LiteralType {
  const distinct = new Map<string, LiteralType>();
  let emptyCollection: LiteralType | undefined;
  for (const l of literals) {
    const t = literalType(l) ?? create(LiteralTypeSchema);
    if (l.value.case === "collection" && l.value.value.literals.length === 0) {
      emptyCollection = t;
      continue;
    }
    const key = typeKey(t);
    if (!distinct.has(key)) distinct.set(key, t);
  }
  const types = [...distinct.values()];
  if (types.length === 0) return emptyCollection ?? simple(SimpleType.NONE);
  if (types.length === 1) return types[0];
  types.sort((a, b) =>
    goText(LiteralTypeSchema, a) < goText(LiteralTypeSchema, b) ? -1 : goText(LiteralTypeSchema, a) > goText(LiteralTypeSchema, b) ? 1 : 0,
  );
  // Collections of unions flatten into one collection of the union of all variants.
  let nested = false;
  const variants: LiteralType[] = [];
  for (const t of types) {
    const inner = t.type.case === "collectionType" && t.type.value.type.case === "unionType" ? t.type.value.type.value : undefined;
    if (inner) {
      nested = true;
      variants.push(...inner.variants);
    } else variants.push(t);
  }
  const union = lt({ case: "unionType", value: { $typeName: "flyteidl.core.UnionType", variants } });
  return nested ? lt({ case: "collectionType", value: union }) : union;
}

/** The type of a literal (upstream's LiteralTypeForLiteral); undefined when it has none. */
export function literalType(l: Literal): LiteralType | undefined {
  const v = l.value;
  switch (v.case) {
    case "scalar":
      return scalarType(v.value);
    case "collection":
      return lt({ case: "collectionType", value: commonType(v.value.literals) });
    case "map":
      return lt({ case: "mapValueType", value: commonType(Object.values(v.value.literals)) });
    case "offloadedMetadata":
      return v.value.inferredType;
    default:
      return undefined;
  }
}

/** A literal's type, refusing values whose type cannot be told (upstream's ValidateLiteralType wording). */
export function requireLiteralType(l: Literal): LiteralType {
  const t = literalType(l);
  const check = (x: LiteralType | undefined): void => {
    if (!x) {
      throw new Error(
        "got unknown literal type: [<nil>].\nSuggested solution: Please update all your Flyte deployment images to the latest version and try again",
      );
    }
    if (x.type.case === "collectionType" || x.type.case === "mapValueType") check(x.type.value);
  };
  check(t);
  return t as LiteralType;
}
