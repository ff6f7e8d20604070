/**
 * JSON dumps of graphs in the conformance schema `nir-conformance-expected/1`
 * (see ../shared/conformance/README.md), and the way back (`graphFromDump`, used by `nir build`).
 * Floats are exact (float32 widened to double), NaN/±Infinity are the strings "NaN",
 * "Infinity", "-Infinity", and -0.0 stays -0.0 ({@link stringifyDump} prints it so).
 */
import { basename } from "node:path";
import { NirError, isNirError } from "../ir/errors.js";
import { NIRGraph, PRIMITIVES } from "../ir/index.js";
import { allocate, isTensor, type DType, type Tensor } from "../ir/tensor.js";
import { setOwn } from "../ir/own.js";
import type { Metadata, MetaValue, NIRGraph as Graph, NIRNode, TypeMap } from "../ir/types.js";
import { h5Child, h5Layout, type H5Group, type H5LayoutEntry } from "./h5.js";
import { graphFromTree, readNirTree } from "./read.js";

/** The schema tag of every dump. */
export const DUMP_SCHEMA = "nir-conformance-expected/1";

/** A parameter or metadata value: dtype ("str" for strings), numpy shape, flat C-order data. */
export interface DumpValue {
  dtype: string;
  shape: number[];
  data: (number | string | boolean)[];
}

/** Dumped metadata: values, or `{dict: …}` for nested dicts. */
export type DumpMetadata = Record<string, DumpValue | { dict: DumpMetadata }>;

/** A dumped primitive node. */
export interface DumpNode {
  name: string;
  type: string;
  input_type: TypeMap;
  output_type: TypeMap;
  params: Record<string, DumpValue | null>;
  metadata: DumpMetadata;
}

/** A dumped graph (the root has name null). */
export interface DumpGraph {
  name: string | null;
  type: "NIRGraph";
  input_type: TypeMap | null;
  output_type: TypeMap;
  metadata: DumpMetadata;
  nodes: (DumpNode | DumpGraph)[];
  edges: [string, string][];
  auto_added_nodes: string[];
  auto_added_edges: [string, string][];
}

/** A whole-file dump, as `nir dump` prints it. */
export interface DumpFile {
  schema: typeof DUMP_SCHEMA;
  case?: string;
  file: string;
  version: string | null;
  graph: DumpGraph;
  graph_no_type_check: DumpGraph | null;
  hdf5?: H5LayoutEntry[];
}

/** What a file stored for one graph: its node names and edge count (to tell auto-added ones apart). */
export interface StoredGraph {
  nodes: Set<string>;
  edgeCount: number;
  children: Map<string, StoredGraph>;
}

type Registry = Record<string, { toFields: (n: NIRNode) => Record<string, Tensor | string | null | undefined>; fields: readonly { name: string }[] } | undefined>;

/**
 * Dumps a graph in the `graph` shape of the conformance schema. `stored` (what the file held)
 * tells which nodes/edges type inference added; without it nothing counts as auto-added.
 */
export function dumpGraph(graph: Graph, stored?: StoredGraph, name: string | null = null): DumpGraph {
  const nodes: (DumpNode | DumpGraph)[] = [];
  const auto: string[] = [];
  for (const [k, node] of graph.nodes) {
    if (stored && !stored.nodes.has(k)) auto.push(k);
    nodes.push(node.type === "NIRGraph" ? dumpGraph(node, stored?.children.get(k), k) : dumpNode(k, node));
  }
  const edges = graph.edges.map(([a, b]) => [a, b] as [string, string]);
  return {
    name,
    type: "NIRGraph",
    input_type: copyTypes(graph.input_type),
    output_type: copyTypes(graph.output_type) ?? {},
    metadata: dumpMetadata(graph.metadata ?? {}),
    nodes,
    edges,
    auto_added_nodes: auto,
    auto_added_edges: stored ? edges.slice(stored.edgeCount) : [],
  };
}

function copyTypes(t: TypeMap | null | undefined): TypeMap | null {
  if (!t) return null;
  const out: TypeMap = {};
  for (const [k, v] of Object.entries(t)) setOwn(out, k, v ? Array.from(v, Number) : null);
  return out;
}

function dumpNode(name: string, node: Exclude<NIRNode, Graph>): DumpNode {
  const entry = Object.hasOwn(PRIMITIVES, node.type) ? (PRIMITIVES as unknown as Registry)[node.type] : undefined;
  let fields: Record<string, Tensor | string | null | undefined> = {};
  try {
    fields = entry ? entry.toFields(node) : {};
  } catch {
    // a field the writer cannot write (unknown shape, None in Python): dump the record as is
    for (const f of entry?.fields ?? []) fields[f.name] = (node as unknown as Record<string, Tensor | string | null>)[f.name] ?? null;
  }
  const params: Record<string, DumpValue | null> = {};
  for (const f of entry?.fields ?? []) if (!(f.name in fields)) fields[f.name] = null;
  for (const [k, v] of Object.entries(fields)) setOwn(params, k, v === null || v === undefined ? null : dumpValue(v));
  return {
    name,
    type: node.type,
    input_type: copyTypes(node.input_type) ?? {},
    output_type: copyTypes(node.output_type) ?? {},
    params,
    metadata: dumpMetadata(node.metadata ?? {}),
  };
}

function jsonNumber(x: number): number | string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return x;
}

/** Dumps a tensor or string value. */
export function dumpValue(v: Tensor | string | string[]): DumpValue {
  if (typeof v === "string") return { dtype: "str", shape: [], data: [v] };
  if (Array.isArray(v)) return { dtype: "str", shape: [v.length], data: [...v] };
  const data: (number | string | boolean)[] = new Array(v.data.length);
  if (v.dtype === "bool") for (let i = 0; i < data.length; i++) data[i] = (v.data as Uint8Array)[i] !== 0;
  else if (v.data instanceof BigInt64Array) for (let i = 0; i < data.length; i++) data[i] = Number(v.data[i]);
  else for (let i = 0; i < data.length; i++) data[i] = jsonNumber((v.data as Float64Array)[i]);
  return { dtype: v.dtype, shape: [...v.shape], data };
}

/** Dumps metadata (JS numbers are float64 scalars, bigints int64, booleans bool). */
export function dumpMetadata(m: Metadata): DumpMetadata {
  const out: DumpMetadata = {};
  for (const [k, v] of Object.entries(m)) setOwn(out, k, dumpMetaValue(v));
  return out;
}

function dumpMetaValue(v: MetaValue): DumpValue | { dict: DumpMetadata } {
  if (typeof v === "string" || Array.isArray(v)) return dumpValue(v);
  if (typeof v === "bigint") return { dtype: "int64", shape: [], data: [Number(v)] };
  if (typeof v === "number") return { dtype: "float64", shape: [], data: [jsonNumber(v)] };
  if (typeof v === "boolean") return { dtype: "bool", shape: [], data: [v] };
  if (isTensor(v)) return dumpValue(v);
  return { dict: dumpMetadata(v as Metadata) };
}

/** What the file stored, per graph group (node names and edge count). */
export function storedGraph(g: H5Group): StoredGraph {
  const nodes = new Set<string>();
  const children = new Map<string, StoredGraph>();
  const ng = h5Child(g, "nodes");
  if (ng && ng.kind === "group") {
    for (const c of ng.children) {
      nodes.add(c.name);
      const t = c.kind === "group" ? h5Child(c, "type") : undefined;
      if (c.kind === "group" && t && t.kind === "dataset" && (t.value === "NIRGraph" || (Array.isArray(t.value) && t.value[0] === "NIRGraph"))) {
        children.set(c.name, storedGraph(c));
      }
    }
  }
  const e = h5Child(g, "edges");
  const edgeCount = e && e.kind === "dataset" && e.shape.length === 2 ? e.shape[0] : 0;
  return { nodes, edgeCount, children };
}

/** Options of {@link dumpFile}. */
export interface DumpFileOptions {
  /** Include the `hdf5` layout list (default true). */
  hdf5?: boolean;
  /** Value of the `case` key (default: the file name without `.nir`). */
  caseName?: string;
  /** Build `graph` without type checking (for files only nir.read(type_check=False) accepts); graph_no_type_check is then null. */
  typeCheck?: boolean;
}

/**
 * Dumps a `.nir` file like the conformance `CASE.expected.json`: version, the graph read with
 * type checking, the graph read without it (null when identical) and the HDF5 layout list.
 * Throws the reader's NirError for files the reference refuses.
 */
export async function dumpFile(path: string, opts: DumpFileOptions = {}): Promise<DumpFile> {
  const tree = await readNirTree(path);
  const stored = storedGraph(tree.root);
  const graph = dumpGraph(graphFromTree(tree, path, { typeCheck: opts.typeCheck ?? true }), stored);
  const noCheck = dumpGraph(graphFromTree(tree, path, { typeCheck: false }), stored);
  const same = stringifyDump(noCheck) === stringifyDump(graph);
  const out: DumpFile = {
    schema: DUMP_SCHEMA,
    case: opts.caseName ?? basename(path).replace(/\.nir$/, ""),
    file: basename(path),
    version: tree.version,
    graph,
    graph_no_type_check: same ? null : noCheck,
  };
  if (opts.hdf5 ?? true) out.hdf5 = h5Layout(tree.file);
  return out;
}

const NEG_ZERO = "\u0000-0.0\u0000";

/** JSON text of a dump, keeping -0.0 as `-0.0` (JSON.stringify would print 0). */
export function stringifyDump(x: unknown, indent?: number): string {
  const s = JSON.stringify(x, (_k, v) => (typeof v === "number" && Object.is(v, -0) ? NEG_ZERO : typeof v === "bigint" ? Number(v) : v), indent);
  return s.split(JSON.stringify(NEG_ZERO)).join("-0.0");
}

// ---------------------------------------------------------------------------------------------
// Dump → graph

const DTYPES = new Set<DType>(["float32", "float64", "int64", "int32", "int16", "int8", "uint8", "bool"]);

function fromJsonNumber(x: unknown, where: string): number {
  if (typeof x === "number") return x;
  if (x === "NaN") return NaN;
  if (x === "Infinity") return Infinity;
  if (x === "-Infinity") return -Infinity;
  if (typeof x === "boolean") return x ? 1 : 0;
  throw new NirError("ir.invalid_value", `${where}: ${JSON.stringify(x)} is not a number`, { hint: 'numbers, or the strings "NaN", "Infinity", "-Infinity"' });
}

/** Turns a dumped value back into a Tensor, a string or a string list. */
export function valueFromDump(v: DumpValue, where = "value"): Tensor | string | string[] {
  if (!v || typeof v !== "object" || !Array.isArray(v.shape) || !Array.isArray(v.data)) {
    throw new NirError("ir.invalid_value", `${where} is not a {dtype, shape, data} value`, { hint: "see the nir-conformance-expected/1 schema" });
  }
  const n = v.shape.reduce((a, b) => a * b, 1);
  if (v.data.length !== n) {
    throw new NirError("ir.shape_mismatch", `${where} has ${v.data.length} values but shape (${v.shape.join(", ")}) needs ${n}`, { hint: "data is the flat C-order list of values" });
  }
  if (v.dtype === "str") {
    const strs = v.data.map(String);
    return v.shape.length === 0 ? strs[0] : strs;
  }
  if (!DTYPES.has(v.dtype as DType)) {
    throw new NirError("ir.invalid_value", `${where} has unsupported dtype ${v.dtype}`, { hint: `use one of ${[...DTYPES].join(", ")} or str` });
  }
  const dtype = v.dtype as DType;
  const data = allocate(dtype, n);
  if (data instanceof BigInt64Array) for (let i = 0; i < n; i++) data[i] = BigInt(Math.trunc(fromJsonNumber(v.data[i], where)));
  else for (let i = 0; i < n; i++) (data as Float64Array)[i] = fromJsonNumber(v.data[i], where);
  return { dtype, shape: [...v.shape], data };
}

function metadataFromDump(m: DumpMetadata | undefined, where: string): Metadata {
  const out: Metadata = {};
  for (const [k, v] of Object.entries(m ?? {})) {
    if (v && typeof v === "object" && "dict" in v) {
      setOwn(out, k, metadataFromDump(v.dict, `${where}.${k}`));
      continue;
    }
    const x = valueFromDump(v as DumpValue, `${where}.${k}`);
    if (typeof x === "string" || Array.isArray(x)) setOwn(out, k, x);
    else if (x.shape.length === 0 && x.dtype === "int64") setOwn(out, k, (x.data as BigInt64Array)[0]);
    else if (x.shape.length === 0 && x.dtype === "float64") setOwn(out, k, (x.data as Float64Array)[0]);
    else if (x.shape.length === 0 && x.dtype === "bool") setOwn(out, k, (x.data as Uint8Array)[0] !== 0);
    else setOwn(out, k, x);
  }
  return out;
}

type FromFields = Record<string, { fromFields: (f: Record<string, Tensor | string | null>, w: { file?: string; node?: string }) => NIRNode } | undefined>;

/**
 * Builds the graph a dump describes, as it was stored: nodes and edges listed in
 * `auto_added_nodes`/`auto_added_edges` are left out (reading the written file adds them again),
 * and graphs are built without type checking (the stored fields already hold every shape).
 * Accepts a whole-file dump (uses its `graph`) or a bare graph dump.
 */
export function graphFromDump(json: unknown, file?: string): Graph {
  const obj = json as Partial<DumpFile> & Partial<DumpGraph>;
  const g = obj && typeof obj === "object" && obj.graph ? obj.graph : (obj as DumpGraph);
  if (!g || typeof g !== "object" || g.type !== "NIRGraph" || !Array.isArray(g.nodes)) {
    throw new NirError("ir.root_not_graph", "the JSON is not a nir-conformance-expected/1 dump of a graph", {
      file,
      hint: "pass the output of `nir dump FILE.nir` (or its `graph` object)",
    });
  }
  try {
    return buildFromDump(g, "", file);
  } catch (e) {
    if (isNirError(e) && !e.file) throw new NirError(e.code, e.problem, { file, node: e.node, field: e.field, hint: e.hint, cause: e.cause });
    throw e;
  }
}

function buildFromDump(g: DumpGraph, prefix: string, file?: string): Graph {
  const auto = new Set(g.auto_added_nodes ?? []);
  const nodes = new Map<string, NIRNode>();
  for (const n of g.nodes) {
    if (!n || typeof n.name !== "string") throw new NirError("ir.invalid_value", "a node without a name", { node: prefix || undefined, hint: "every node has a string name" });
    if (auto.has(n.name)) continue;
    const full = prefix ? `${prefix}/${n.name}` : n.name;
    if (n.type === "NIRGraph") {
      nodes.set(n.name, buildFromDump(n as DumpGraph, full, file));
      continue;
    }
    const entry = typeof n.type === "string" && Object.hasOwn(PRIMITIVES, n.type) ? (PRIMITIVES as unknown as FromFields)[n.type] : undefined;
    if (!entry) throw new NirError("ir.unknown_type", `unknown node type "${n.type}"`, { file, node: full, field: "type" });
    const fields: Record<string, Tensor | string | null> = {};
    for (const [k, v] of Object.entries((n as DumpNode).params ?? {})) {
      if (v === null) setOwn(fields, k, null);
      else {
        const x = valueFromDump(v, `node "${full}" field ${k}`);
        if (Array.isArray(x)) throw new NirError("ir.invalid_value", `field ${k} is a string array`, { file, node: full, field: k });
        setOwn(fields, k, x);
      }
    }
    const node = entry.fromFields(fields, { file, node: full });
    node.metadata = metadataFromDump((n as DumpNode).metadata, `node "${full}" metadata`);
    nodes.set(n.name, node);
  }
  const autoEdges = (g.auto_added_edges ?? []).length;
  const edges = (g.edges ?? []).slice(0, (g.edges ?? []).length - autoEdges).map((e) => {
    if (!Array.isArray(e) || e.length !== 2) throw new NirError("ir.invalid_value", `edge ${JSON.stringify(e)} is not a [source, target] pair`, { file, node: prefix || undefined, field: "edges" });
    return [String(e[0]), String(e[1])] as [string, string];
  });
  return NIRGraph({ nodes, edges, metadata: metadataFromDump(g.metadata, "graph metadata"), typeCheck: false });
}

function byteSorted(names: string[]): boolean {
  for (let i = 1; i < names.length; i++) if (Buffer.compare(Buffer.from(names[i - 1]), Buffer.from(names[i])) > 0) return false;
  return true;
}

/**
 * True when a dump lists stored nodes or metadata keys out of byte-wise name order, i.e. it came
 * from a track_order file: writing it back then needs creation-order groups to keep that order.
 */
export function needsTrackOrder(json: unknown): boolean {
  const obj = json as Partial<DumpFile> & Partial<DumpGraph>;
  const g = obj && typeof obj === "object" && obj.graph ? obj.graph : (obj as DumpGraph);
  const visitMeta = (m: DumpMetadata | undefined): boolean => {
    if (!m) return false;
    if (!byteSorted(Object.keys(m))) return true;
    return Object.values(m).some((v) => v && typeof v === "object" && "dict" in v && visitMeta(v.dict));
  };
  const visit = (x: DumpGraph): boolean => {
    if (!x || !Array.isArray(x.nodes)) return false;
    const auto = new Set(x.auto_added_nodes ?? []);
    const stored = x.nodes.filter((n) => !auto.has(String(n.name)));
    if (!byteSorted(stored.map((n) => String(n.name)))) return true;
    if (visitMeta(x.metadata)) return true;
    return stored.some((n) => (n.type === "NIRGraph" ? visit(n as DumpGraph) : visitMeta((n as DumpNode).metadata)));
  };
  return visit(g);
}
