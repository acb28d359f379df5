// Castability and literal type inference, row by row as upstream's typing rules decide them.
import { describe, expect, test } from "bun:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { LiteralSchema } from "../../src/gen/flyteidl/core/literals_pb";
import { SchemaType_SchemaColumn_SchemaColumnType as Col, SimpleType } from "../../src/gen/flyteidl/core/types_pb";
import { castable, isOptional, literalType, requireLiteralType, typeText } from "../../src/compiler/typing";
import { enumOf, float, int, listOf, lt, mapOf, none, str, unionOf, type TypeInit } from "./helpers";

const blob = (format: string): TypeInit => ({ type: { case: "blob", value: { format } } });
const schema = (...cols: Array<[string, Col]>): TypeInit => ({ type: { case: "schema", value: { columns: cols.map(([name, type]) => ({ name, type })) } } });
const sd = (format: string, ...cols: Array<[string, TypeInit]>): TypeInit => ({
  type: { case: "structuredDatasetType", value: { format, columns: cols.map(([name, literalType]) => ({ name, literalType })) } },
});
const struct = (metadata?: Record<string, unknown>, tag = ""): TypeInit => ({
  type: { case: "simple", value: SimpleType.STRUCT },
  metadata: metadata as never,
  structure: tag ? { tag } : undefined,
});
const dataclass = (title: string, props: Record<string, string>, required: string[]) => ({
  title,
  type: "object",
  properties: Object.fromEntries(Object.entries(props).map(([k, t]) => [k, { type: t }])),
  required,
  additionalProperties: false,
});

const rows: Array<[string, TypeInit, TypeInit, boolean]> = [
  ["int → int", int, int, true],
  ["int → float", int, float, false],
  ["float → int", float, int, false],
  ["none → int", none, int, false],
  ["none → none", none, none, true],
  ["metadata is ignored", { ...int, metadata: { a: 1 } as never }, int, true],
  ["enum → string", enumOf("a"), str, true],
  ["string → enum", str, enumOf("a"), true],
  ["enum → other enum", enumOf("a"), enumOf("b"), false],
  ["string → union[int,str] unambiguously", str, unionOf(int, str), true],
  ["string → union[str, enum] is ambiguous", str, unionOf(str, enumOf("a")), false],
  ["union subset → union superset", unionOf(int, str), unionOf(int, str, float), true],
  ["union superset → union subset", unionOf(int, str, float), unionOf(int, str), false],
  ["single-variant union → its variant", unionOf(int), int, true],
  ["list[int] → list[int]", listOf(int), listOf(int), true],
  ["empty list → list[int]", listOf(none), listOf(int), true],
  ["list[int] → list[float]", listOf(int), listOf(float), false],
  ["int → list[int]", int, listOf(int), false],
  ["list[list[int]] → list[int]", listOf(listOf(int)), listOf(int), false],
  ["map[int] → map[int]", mapOf(int), mapOf(int), true],
  ["map[int] → map[float]", mapOf(int), mapOf(float), false],
  ["map of maps → map", mapOf(mapOf(int)), mapOf(int), false],
  ["blob generic → csv", blob(""), blob("csv"), true],
  ["blob csv → generic", blob("csv"), blob(""), true],
  ["blob csv → parquet", blob("csv"), blob("parquet"), false],
  ["none → blob", none, blob(""), false],
  ["schema generic → typed", schema(), schema(["a", Col.INTEGER]), true],
  ["schema superset → subset", schema(["a", Col.INTEGER], ["b", Col.STRING]), schema(["a", Col.INTEGER]), true],
  ["schema subset → superset", schema(["a", Col.INTEGER]), schema(["a", Col.INTEGER], ["b", Col.STRING]), false],
  ["schema mismatched columns", schema(["a", Col.INTEGER]), schema(["a", Col.STRING]), false],
  ["structured dataset → schema (parquet)", sd("parquet", ["a", int]), schema(["a", Col.INTEGER]), true],
  ["structured dataset → schema (csv)", sd("csv"), schema(), false],
  ["schema → structured dataset", schema(["a", Col.INTEGER]), sd("", ["a", int]), true],
  ["structured dataset superset → subset", sd("", ["a", int], ["b", str]), sd("", ["a", int]), true],
  ["structured dataset subset → superset", sd("", ["a", int]), sd("", ["a", int], ["b", str]), false],
  ["structured dataset formats differ", sd("csv"), sd("parquet"), false],
  ["structured dataset empty format → any", sd(""), sd("parquet"), true],
  ["none → structured dataset (nullable)", none, sd(""), true],
  ["struct without schema → struct", struct(), struct({ a: 1 }), true],
  ["same dataclass", struct(dataclass("A", { a: "integer" }, ["a"])), struct(dataclass("A", { a: "integer" }, ["a"])), true],
  ["child dataclass → parent", struct(dataclass("B", { a: "integer", b: "string" }, ["a", "b"])), struct(dataclass("A", { a: "integer" }, ["a"])), true],
  ["parent dataclass → child", struct(dataclass("A", { a: "integer" }, ["a"])), struct(dataclass("B", { a: "integer", b: "string" }, ["a", "b"])), false],
  ["dataclass field types differ", struct(dataclass("A", { a: "integer" }, ["a"])), struct(dataclass("A", { a: "string" }, ["a"])), false],
  ["struct tags must agree", struct(undefined, "pydantic"), struct(undefined, "dataclass"), false],
];

describe("castability", () => {
  for (const [name, up, down, want] of rows) {
    test(name, () => expect(castable(lt(up), lt(down))).toBe(want));
  }
  test("optional means a union with NONE", () => {
    expect(isOptional(lt(unionOf(int, none)))).toBe(true);
    expect(isOptional(lt(unionOf(int, str)))).toBe(false);
    expect(isOptional(lt(int))).toBe(false);
  });
  test("types print in Go's text form", () => {
    expect(typeText(lt(listOf(int)))).toBe("collection_type:{simple:INTEGER}");
    expect(typeText(undefined)).toBe("None");
  });
});

type LitInit = MessageInitShape<typeof LiteralSchema>;
const i = (n: number): LitInit => ({
  value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "integer", value: BigInt(n) } } } } },
});
const s = (v: string): LitInit => ({ value: { case: "scalar", value: { value: { case: "primitive", value: { value: { case: "stringValue", value: v } } } } } });
const coll = (...ls: LitInit[]): LitInit => ({ value: { case: "collection", value: { literals: ls } } });

describe("literal type inference", () => {
  const typeOf = (l: LitInit) => typeText(literalType(create(LiteralSchema, l)));
  test("primitives, collections, maps", () => {
    expect(typeOf(i(1))).toBe("simple:INTEGER");
    expect(typeOf(coll(i(1), i(2)))).toBe("collection_type:{simple:INTEGER}");
    expect(typeOf(coll())).toBe("collection_type:{simple:NONE}");
    expect(typeOf({ value: { case: "map", value: { literals: { a: s("x") } } } })).toBe("map_value_type:{simple:STRING}");
  });
  test("mixed collections become a union of the distinct types, sorted", () => {
    expect(typeOf(coll(s("x"), i(1), i(2)))).toBe("collection_type:{union_type:{variants:{simple:INTEGER} variants:{simple:STRING}}}");
  });
  test("a msgpack binary is a struct; a blob without metadata has no type", () => {
    expect(typeOf({ value: { case: "scalar", value: { value: { case: "binary", value: { tag: "msgpack", value: new Uint8Array([0x80]) } } } } })).toBe(
      "simple: STRUCT structure{}", // upstream's LiteralTypeToStr spells structs out
    );
    const untyped = create(LiteralSchema, { value: { case: "scalar", value: { value: { case: "blob", value: { uri: "s3://b/k" } } } } });
    expect(literalType(untyped)).toBeUndefined();
    expect(() => requireLiteralType(untyped)).toThrow("got unknown literal type");
  });
});
