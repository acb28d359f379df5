// Binding checks, as upstream's compiler makes them: every binding names a declared input, is bound once,
// and its value (literal, collection, map or promise of an upstream output) fits the input's type.
// Promises become edges from the producing node.
import { create } from "@bufbuild/protobuf";
import { LiteralTypeSchema, SimpleType, type LiteralType } from "../gen/flyteidl/core/types_pb";
import { BindingDataSchema, BindingDataCollectionSchema, BindingDataMapSchema, type Binding, type BindingData } from "../gen/flyteidl/core/literals_pb";
import { VariableMapSchema, VariableSchema, type Variable, type VariableMap } from "../gen/flyteidl/core/interface_pb";
import type { Node } from "../gen/flyteidl/core/workflow_pb";
import { goText } from "../kernel/go-text";
import { err, Errors } from "./errors";
import { castable, isOptional, scalarType, typeText } from "./typing";
import { startNodeId, type EdgeDirection, type Graph } from "./graph";

type Resolved = { type: LiteralType | undefined; upstream: string[]; ok: boolean };
const failed = (errs: Errors): Resolved => ({ type: undefined, upstream: [], ok: !errs.failed });

/** Upstream's promise variable syntax: `name` or `[index].name`, one match only. */
export function parseVarName(v: string): { name: string; index?: number } | undefined {
  const matches = [...v.matchAll(/(\[(\d+)\]\.)?(\w+)/g)];
  if (matches.length !== 1) return undefined;
  const m = matches[0];
  return m[2] !== undefined && m[2] !== "" ? { name: m[3], index: Number(m[2]) } : { name: m[3] };
}

/** A node's outputs under their aliases; duplicate or dangling aliases are errors. */
export function effectiveOutputs(g: Graph, n: Node, errs: Errors): { outputs: VariableMap | undefined; ok: boolean } {
  const aliases = new Map<string, string>();
  for (const a of n.outputAliases) {
    if (aliases.has(a.var)) errs.add(err.duplicateAlias(n.id, a.alias));
    else aliases.set(a.var, a.alias);
  }
  const iface = g.state(n).iface;
  let outputs: VariableMap | undefined;
  if (iface) {
    const variables: Record<string, Variable> = {};
    for (const [name, v] of Object.entries(iface.outputs?.variables ?? {})) {
      const alias = aliases.get(name);
      if (alias !== undefined) {
        variables[alias] = create(VariableSchema, v);
        aliases.delete(name);
      } else variables[name] = v;
    }
    for (const alias of aliases.values()) errs.add(err.parameterNotBound(n.id, alias));
    outputs = create(VariableMapSchema, { variables });
  }
  return { outputs, ok: !errs.failed };
}

function upstreamNode(g: Graph, id: string, errs: Errors): Node | undefined {
  if (id === "") return g.nodes.get(startNodeId);
  const n = g.nodes.get(id);
  if (!n) errs.add(err.nodeReferenceNotFound(id, id));
  return n;
}

function outputVariable(g: Graph, n: Node, name: string, errs: Errors): Variable | undefined {
  const { outputs, ok } = effectiveOutputs(g, n, errs.scope());
  if (!ok) return undefined;
  const v = outputs?.variables[name];
  if (!v) errs.add(err.variableNameNotFound(n.id, n.id, name));
  return v;
}

const goCaseName = (c: string) => c.charAt(0).toUpperCase() + c.slice(1);

function promiseBinding(
  g: Graph,
  n: Node,
  param: string,
  b: Extract<BindingData["value"], { case: "promise" }>["value"],
  expected: LiteralType,
  checkTypes: boolean,
  errs: Errors,
): Resolved {
  const up = upstreamNode(g, b.nodeId, errs.scope());
  if (up) {
    const v = parseVarName(b.var);
    if (!v) {
      errs.add(err.syntaxError(n.id, b.var));
      return failed(errs);
    }
    const inputVar = n.metadata ? `${n.metadata.name}.${param}` : param;
    const outputVar = up.metadata ? `${up.metadata.name}.${b.var}` : b.var;
    const output = outputVariable(g, up, v.name, errs.scope());
    if (output) {
      let source = output.type ?? create(LiteralTypeSchema);
      if (v.index !== undefined) {
        if (source.type.case === "collectionType") source = source.type.value;
        else errs.add(err.mismatchingVariables(n.id, outputVar, typeText(output.type), inputVar, typeText(expected)));
      }
      for (const attr of b.attrPath) {
        if (source.type.case === "collectionType" || source.type.case === "mapValueType") source = source.type.value;
        else if (source.structure && Object.keys(source.structure.dataclassType).length > 0) {
          const key = attr.value.case === "stringValue" ? attr.value.value : "";
          const field = source.structure.dataclassType[key];
          if (!field) {
            errs.add(err.fieldNotFound(n.id, b.var, goText(LiteralTypeSchema, source), key));
            return failed(errs);
          }
          source = field;
        }
      }
      if (!checkTypes || castable(source, expected)) {
        b.nodeId = up.id;
        return { type: output.type, upstream: [up.id], ok: true };
      }
      errs.add(err.mismatchingVariables(n.id, outputVar, typeText(source), inputVar, typeText(expected)));
      return failed(errs);
    }
  }
  errs.add(err.parameterNotBound(n.id, param));
  return failed(errs);
}

/** Resolves one binding against the type it must have; returns its type and the nodes it reads. */
function resolveBinding(g: Graph, n: Node, param: string, binding: BindingData, expected: LiteralType, errs: Errors, checkTypes: boolean): Resolved {
  const value = binding.value;
  // Collections and maps cannot be typed through a union, so try each variant: exactly one must fit.
  if (value.case !== "scalar" && value.case !== "promise" && expected.type.case === "unionType") {
    let match: { variant: LiteralType; result: Resolved } | undefined;
    for (const variant of expected.type.value.variants) {
      const r = resolveBinding(g, n, param, binding, variant, Errors.root(), checkTypes);
      if (!r.ok) continue;
      if (match) {
        errs.add(
          err.ambiguousUnion(
            n.id,
            param,
            goText(LiteralTypeSchema, expected),
            goText(BindingDataSchema, binding),
            goText(LiteralTypeSchema, match.variant),
            goText(LiteralTypeSchema, variant),
          ),
        );
        return failed(errs);
      }
      match = { variant, result: r };
    }
    if (match) return match.result;
    errs.add(err.incompatibleUnion(n.id, param, goText(LiteralTypeSchema, expected), goText(BindingDataSchema, binding)));
    return failed(errs);
  }

  switch (value.case) {
    case "collection":
    case "map": {
      const isCollection = value.case === "collection";
      const want = isCollection
        ? expected.type.case === "collectionType"
          ? expected.type.value
          : undefined
        : expected.type.case === "mapValueType"
          ? expected.type.value
          : undefined;
      if (!want) {
        const received = value.case === "collection" ? goText(BindingDataCollectionSchema, value.value) : goText(BindingDataMapSchema, value.value);
        errs.add(err.mismatchingBindings(n.id, param, goText(LiteralTypeSchema, expected), received));
        return failed(errs);
      }
      const upstream: string[] = [];
      let sub: LiteralType | undefined;
      const items = value.case === "collection" ? value.value.bindings : Object.values(value.value.bindings);
      for (const item of items) {
        const r = resolveBinding(g, n, param, item, want, errs.scope(), checkTypes);
        if (r.ok) {
          upstream.push(...r.upstream);
          sub = r.type;
        }
      }
      const type = create(LiteralTypeSchema, {
        type: isCollection
          ? { case: "collectionType", value: sub ?? create(LiteralTypeSchema) }
          : { case: "mapValueType", value: sub ?? create(LiteralTypeSchema) },
      });
      return { type, upstream, ok: !errs.failed };
    }
    case "promise":
      return promiseBinding(g, n, param, value.value, expected, checkTypes, errs);
    case "scalar": {
      const t = scalarType(value.value);
      if (!t) errs.add(err.unrecognizedValue(n.id, value.value.value.case ? `*core.Scalar_${goCaseName(value.value.value.case)}` : "<nil>"));
      else if (checkTypes && !castable(t, expected)) errs.add(err.mismatchingTypes(n.id, param, typeText(t), typeText(expected)));
      if (expected.type.case === "enumType") {
        const s = value.value.value;
        const v = s.case === "primitive" && s.value.value.case === "stringValue" ? s.value.value.value : "";
        if (!expected.type.value.values.includes(v)) errs.add(err.illegalEnumValue(n.id, param, v, expected.type.value.values));
      }
      return { type: t, upstream: [], ok: !errs.failed };
    }
    default:
      errs.add(err.mismatchingBindings(n.id, param, goText(LiteralTypeSchema, expected), value.case ? `*core.BindingData_${goCaseName(value.case)}` : ""));
      return failed(errs);
  }
}

/**
 * Checks a node's bindings against its declared inputs (`params`), adds an edge for every promise, and
 * returns the variables the bindings provide. With `checkTypes` off (branch and approve-gate nodes,
 * whose inputs are whatever they bind) unknown names are accepted.
 */
export function validateBindings(
  g: Graph,
  n: Node,
  bindings: Binding[],
  params: VariableMap | undefined,
  checkTypes: boolean,
  direction: EdgeDirection,
  errs: Errors,
): { resolved: VariableMap; ok: boolean } {
  const resolved = create(VariableMapSchema);
  const provided = new Set<string>();
  for (const b of bindings) {
    let param = params?.variables[b.var];
    if (!param && checkTypes) errs.add(err.variableNameNotFound(n.id, n.id, b.var));
    else if (!b.binding) errs.add(err.valueRequired(n.id, "Binding"));
    else if (provided.has(b.var)) errs.add(err.parameterBoundMoreThanOnce(n.id, b.var));
    else {
      param ??= create(VariableSchema, { type: { type: { case: "simple", value: SimpleType.NONE } } });
      provided.add(b.var);
      const r = resolveBinding(g, n, b.var, b.binding, param.type ?? create(LiteralTypeSchema), errs.scope(), checkTypes);
      if (r.ok) {
        for (const up of r.upstream) g.addEdge(up, n.id, direction);
        resolved.variables[b.var] = create(VariableSchema, { type: r.type });
      }
    }
  }
  for (const [name, v] of Object.entries(params?.variables ?? {})) {
    if (!provided.has(name) && !isOptional(v.type)) errs.add(err.parameterNotBound(n.id, name));
  }
  return { resolved, ok: !errs.failed };
}
