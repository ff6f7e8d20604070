/**
 * The IR half of the conformance corpus, without HDF5: every valid case's stored content (node
 * params as the reference read them, stored edges) is rebuilt through PRIMITIVES.fromFields and
 * NIRGraph, and the result must equal the reference's `.expected.json`: node order, auto-added
 * nodes and edges, every inferred type, graph types and every param's dtype/shape/data.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NIRGraph, PRIMITIVES, type NIRNode, type Tensor, type DType, isTensor } from "../../src/ir/index.js";
import { SHARED, refFile } from "../support/index.js";

interface Value { dtype: string; shape: number[]; data: (number | string)[] }
interface NodeJson {
  name: string | null; type: string; input_type: Record<string, number[] | null> | null; output_type: Record<string, number[] | null>;
  params?: Record<string, Value | null>; nodes?: NodeJson[]; edges?: [string, string][]; auto_added_nodes?: string[]; auto_added_edges?: [string, string][];
}

const num = (v: number | string): number => (v === "NaN" ? NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : (v as number));

function valueToField(v: Value | null): Tensor | string | null {
  if (v === null) return null;
  if (v.dtype === "str") return v.data[0] as string;
  const dtype = v.dtype as DType;
  const n = v.data.length;
  let data: Tensor["data"];
  switch (dtype) {
    case "int64": data = BigInt64Array.from(v.data.map((x) => BigInt(x as number))); break;
    case "float32": data = Float32Array.from(v.data.map(num)); break;
    case "float64": data = Float64Array.from(v.data.map(num)); break;
    default: throw new Error(`dtype ${dtype} not expected in params`);
  }
  expect(data.length).toBe(n);
  return { dtype, shape: v.shape, data };
}

function fieldToValue(t: Tensor | string): Value {
  if (typeof t === "string") return { dtype: "str", shape: [], data: [t] };
  return { dtype: t.dtype, shape: t.shape, data: Array.from(t.data, (x) => Number(x)) };
}

/** Rebuilds the stored graph of a dump (nodes/edges minus the auto-added ones). */
function rebuild(g: NodeJson, typeCheck: boolean): NIRNode {
  const auto = new Set(g.auto_added_nodes ?? []);
  const stored = (g.nodes ?? []).filter((n) => !auto.has(n.name!));
  const nodes: [string, NIRNode][] = stored.map((n) => {
    if (n.type === "NIRGraph") return [n.name!, rebuild(n, true)];
    const fields = Object.fromEntries(Object.entries(n.params ?? {}).map(([k, v]) => [k, valueToField(v)]));
    return [n.name!, PRIMITIVES[n.type as keyof typeof PRIMITIVES].fromFields(fields, { node: n.name! })];
  });
  const edges = (g.edges ?? []).slice(0, (g.edges ?? []).length - (g.auto_added_edges ?? []).length);
  return NIRGraph({ nodes, edges, typeCheck });
}

function summarize(node: NIRNode, name: string | null): NodeJson {
  if (node.type === "NIRGraph") {
    return {
      name, type: "NIRGraph", input_type: node.input_type, output_type: node.output_type,
      nodes: [...node.nodes].map(([k, n]) => summarize(n, k)), edges: node.edges,
    };
  }
  const spec = PRIMITIVES[node.type];
  const fields = spec.toFields(node as never) as Record<string, Tensor | string>;
  const params: Record<string, Value | null> = {};
  for (const [k, v] of Object.entries(fields)) params[k] = fieldToValue(v);
  if (node.type === "Flatten" && !("input_type" in params)) params.input_type = null;
  return { name, type: node.type, input_type: node.input_type, output_type: node.output_type, params };
}

function strip(g: NodeJson): NodeJson {
  const out: NodeJson = { name: g.name, type: g.type, input_type: g.input_type, output_type: g.output_type };
  if (g.type === "NIRGraph") {
    out.nodes = (g.nodes ?? []).map(strip);
    out.edges = g.edges;
  } else {
    const params: Record<string, Value | null> = {};
    for (const [k, v] of Object.entries(g.params ?? {})) params[k] = v === null ? null : { dtype: v.dtype, shape: v.shape, data: v.data.map(num) };
    out.params = params;
  }
  return out;
}

const dir = refFile("conformance");
const cases = dir ? readdirSync(dir).filter((f) => f.endsWith(".expected.json")).map((f) => f.replace(".expected.json", "")) : [];

describe.skipIf(!dir)("IR rebuild of every valid conformance case equals the reference read", () => {
  it("finds the 40 valid cases", () => expect(cases.length).toBe(40));
  for (const c of cases) {
    const expected = JSON.parse(readFileSync(`${SHARED}/conformance/${c}.expected.json`, "utf8"));
    const source: NodeJson = expected.graph_no_type_check ?? expected.graph;
    it(`${c}: type-checked build equals "graph"`, () => {
      const g = rebuild(source, true);
      expect(strip(summarize(g, null))).toEqual(strip(expected.graph));
    });
    it(`${c}: build without type check equals "graph_no_type_check"`, () => {
      const g = rebuild(source, false);
      expect(strip(summarize(g, null))).toEqual(strip(expected.graph_no_type_check ?? expected.graph));
    });
  }
});

describe.skipIf(!dir)("plainFields mirrors the reference writer's uncompressed datasets", () => {
  for (const c of cases) {
    it(`${c}: contiguous datasets are exactly the plain fields (or strings) of a freshly built graph`, () => {
      const expected = JSON.parse(readFileSync(`${SHARED}/conformance/${c}.expected.json`, "utf8"));
      // compat cases were rewritten by h5py and not by the reference writer's rules
      if (c.startsWith("compat_")) return;
      const layout = new Map<string, string>();
      for (const e of expected.hdf5) if (e.kind === "dataset") layout.set(e.path, e.layout);
      const visit = (g: NodeJson, path: string) => {
        for (const n of g.nodes ?? []) {
          const p = `${path}/nodes/${n.name}`;
          if (n.type === "NIRGraph") { visit(n, p); continue; }
          if ((g.auto_added_nodes ?? []).includes(n.name!)) continue;
          const fields = Object.fromEntries(Object.entries(n.params ?? {}).map(([k, v]) => [k, valueToField(v)]));
          const node = PRIMITIVES[n.type as keyof typeof PRIMITIVES].fromFields(fields, { node: n.name! });
          const plain = new Set(PRIMITIVES[node.type].plainFields(node as never));
          for (const [k, v] of Object.entries(PRIMITIVES[node.type].toFields(node as never))) {
            const lay = layout.get(`${p}/${k}`);
            if (lay === undefined || typeof v === "string" || !isTensor(v)) continue;
            // Only fields whose plainness does not depend on the Python object kind the test
            // cannot see (Input/Output shapes after Linear come from inference, not from params)
            if (n.type === "Input" || n.type === "Output" || (n.type === "Flatten" && k === "input_type")) continue;
            expect(`${p}/${k}:${plain.has(k) ? "contiguous" : "chunked"}`).toBe(`${p}/${k}:${lay}`);
          }
        }
      };
      visit(expected.graph, "/node");
    });
  }
});
