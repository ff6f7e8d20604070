/**
 * `read(path)`: a `.nir` file → a {@link NIRGraph}, exactly as the Python reference `nir.read`
 * builds it: nodes in HDF5 iteration order, every primitive through the IR registry (which fills
 * the backward-compatible defaults v_reset, w_in, Flatten input_type), the root type-checked
 * unless `typeCheck: false`, nested graphs always type-checked.
 */
import { attachDisplay } from "../ir/display.js";
import { NirError, isNirError } from "../ir/errors.js";
import { NIRGraph, PRIMITIVES } from "../ir/index.js";
import type { Metadata, MetaValue, NIRGraph as Graph, NIRNode } from "../ir/types.js";
import { isTensor, type Tensor } from "../ir/tensor.js";
import { setOwn } from "../ir/own.js";
import { isPrimitiveType, primitiveSpec } from "../ir/registry.js";
import { h5Child, type H5Dataset, type H5Group } from "./h5.js";
import { readH5Bounded, readH5DatasetBounded } from "./read-bounded.js";

/** Options of {@link read}. */
export interface ReadOptions {
  /** Type-check (and infer types of) the root graph, as `nir.read(path, type_check=...)`. Default true. */
  typeCheck?: boolean;
  /**
   * Deadline of the HDF5 read in milliseconds (default 30 000): the read runs in a worker thread
   * that is stopped past it (io.timeout), since HDF5 loops forever on some damaged files. 0 reads
   * in-process without a deadline.
   */
  timeoutMs?: number;
}

/** A read file: its `/version` (null when absent) and its root graph group. */
export interface NirFileTree {
  version: string | null;
  root: H5Group;
}

/**
 * Reads a `.nir` file into a graph (marked displayable as kind "graph"). Every problem is a
 * NirError naming the file, node and field.
 */
export async function read(path: string, opts: ReadOptions = {}): Promise<Graph> {
  const tree = await readNirTree(path, opts);
  return graphFromTree(tree, path, opts);
}

/** Reads the `/version` string of a `.nir` file (null when the file has none); reads nothing else. */
export async function readVersion(path: string, opts: Pick<ReadOptions, "timeoutMs"> = {}): Promise<string | null> {
  let v: H5Dataset | null;
  try {
    v = await readH5DatasetBounded(path, "/version", { timeoutMs: opts.timeoutMs });
  } catch (e) {
    throw locate(e, path);
  }
  if (!v) return null;
  if (typeof v.value === "string") return v.value;
  if (Array.isArray(v.value) && v.value.length === 1) return v.value[0];
  throw new NirError("ir.invalid_value", "/version is not a string", { file: path, field: "version", hint: "the version is a scalar string such as \"1.0.7\"" });
}

/** Reads the HDF5 tree of a `.nir` file and checks its top level (`/node` present). */
export async function readNirTree(path: string, opts: Pick<ReadOptions, "timeoutMs"> = {}): Promise<NirFileTree & { file: H5Group }> {
  let file: H5Group;
  try {
    file = await readH5Bounded(path, { timeoutMs: opts.timeoutMs });
  } catch (e) {
    throw locate(e, path);
  }
  const v = h5Child(file, "version");
  let version: string | null = null;
  if (v && v.kind === "dataset" && typeof v.value === "string") version = v.value;
  else if (v && v.kind === "dataset" && Array.isArray(v.value) && v.value.length === 1) version = v.value[0];
  const root = h5Child(file, "node");
  if (!root || root.kind !== "group") {
    throw new NirError("io.missing_group", "no /node group: this HDF5 file holds no NIR graph", {
      file: path,
      hint: "a .nir file has the graph under /node; was it written by nir.write?",
    });
  }
  return { version, root, file };
}

/** Builds the graph of an already-read tree (shared by `read` and `dumpFile`). */
export function graphFromTree(tree: NirFileTree, path: string, opts: ReadOptions = {}): Graph {
  const type = typeOf(tree.root, path, "");
  if (type !== "NIRGraph") {
    throw new NirError("ir.root_not_graph", `the root /node is a ${type}, not a NIRGraph`, {
      file: path,
      hint: "a .nir file must hold a graph: wrap the node, e.g. NIRGraph.from_list(node) in Python or fromList(node) in nirkit",
    });
  }
  try {
    const g = buildGraph(tree.root, path, "", opts.typeCheck ?? true);
    return attachDisplay(g, "graph");
  } catch (e) {
    throw locate(e, path);
  }
}

/** Adds the file to a NirError and turns an HDF5 path in `field` into node + field. */
function locate(e: unknown, path: string): unknown {
  if (!isNirError(e)) return e;
  let node = e.node;
  let field = e.field;
  if (field && field.startsWith("/node")) {
    const m = nodeAndField(field);
    node = node ?? m.node;
    field = m.field;
  }
  if (e.file && node === e.node && field === e.field) return e;
  return new NirError(e.code, e.problem, { file: e.file ?? path, node, field, hint: e.hint, cause: e.cause });
}

/** "/node/nodes/sub/nodes/lif/tau" → node "sub/lif", field "tau". */
function nodeAndField(h5path: string): { node?: string; field?: string } {
  const parts = h5path.split("/").slice(2); // drop "" and "node"
  const nodes: string[] = [];
  let i = 0;
  while (parts[i] === "nodes" && i + 1 < parts.length) {
    nodes.push(parts[i + 1]);
    i += 2;
  }
  const rest = parts.slice(i).join("/");
  return { node: nodes.length ? nodes.join("/") : undefined, field: rest || undefined };
}

function typeOf(g: H5Group, file: string, node: string): string {
  const t = h5Child(g, "type");
  const where = { file, node: node || undefined, field: "type" };
  if (!t || t.kind !== "dataset") {
    throw new NirError("ir.missing_field", `group ${g.path} has no "type" dataset`, { ...where, hint: "every node group stores its class name in a string dataset named type" });
  }
  if (typeof t.value === "string") return t.value;
  if (Array.isArray(t.value) && t.value.length === 1) return t.value[0];
  throw new NirError("ir.invalid_value", `"type" of ${g.path} is not a string`, { ...where, hint: "type must be a scalar string such as \"LIF\"" });
}

function buildGraph(g: H5Group, file: string, prefix: string, typeCheck: boolean): Graph {
  const nodesGroup = h5Child(g, "nodes");
  const nodes = new Map<string, NIRNode>();
  if (nodesGroup && nodesGroup.kind === "group") {
    for (const child of nodesGroup.children) {
      const name = child.name;
      const full = prefix ? `${prefix}/${name}` : name;
      if (child.kind !== "group") {
        throw new NirError("io.corrupt", `${child.path} is a dataset, expected a node group`, { file, node: full, hint: "every entry of nodes/ must be a group" });
      }
      nodes.set(name, buildNode(child, file, full));
    }
  } else if (nodesGroup) {
    throw new NirError("io.corrupt", `${nodesGroup.path} is not a group`, { file, node: prefix || undefined, field: "nodes" });
  } else {
    throw new NirError("ir.missing_field", `graph group ${g.path} has no nodes/ group`, { file, node: prefix || undefined, field: "nodes" });
  }
  const edges = readEdges(h5Child(g, "edges"), file, prefix);
  for (const c of g.children) {
    if (!["nodes", "edges", "metadata", "type"].includes(c.name)) {
      throw new NirError("ir.unknown_field", `NIRGraph has an unexpected entry "${c.name}"`, {
        file,
        node: prefix || undefined,
        field: c.name,
        hint: "a graph group holds only type, nodes/, edges and metadata/",
      });
    }
  }
  const metadata = readMetadata(h5Child(g, "metadata"), file, prefix);
  const where = { file, node: prefix || undefined };
  return withWhere(() => NIRGraph({ nodes, edges, metadata, typeCheck }, { file }), where);
}

function withWhere<T>(fn: () => T, where: { file: string; node?: string }): T {
  try {
    return fn();
  } catch (e) {
    if (isNirError(e)) {
      if (where.node && e.node !== undefined && !e.node.startsWith(where.node + "/") && e.node !== where.node) {
        throw new NirError(e.code, e.problem, { file: e.file ?? where.file, node: `${where.node}/${e.node}`, field: e.field, hint: e.hint, cause: e.cause });
      }
      if (!e.file) throw new NirError(e.code, e.problem, { file: where.file, node: e.node ?? where.node, field: e.field, hint: e.hint, cause: e.cause });
      throw e;
    }
    throw new NirError("io.corrupt", `could not build the graph: ${(e as Error)?.message ?? String(e)}`, { ...where, cause: e });
  }
}

function readEdges(d: H5Group | H5Dataset | undefined, file: string, node: string): [string, string][] {
  const where = { file, node: node || undefined, field: "edges" };
  if (!d) throw new NirError("ir.missing_field", "graph has no edges dataset", { ...where, hint: "write an empty float64 (0,) dataset for a graph without edges" });
  if (d.kind !== "dataset") throw new NirError("io.corrupt", "edges is a group, expected a dataset", where);
  const v = d.value;
  if (isTensor(v)) {
    if (v.data.length === 0) return [];
    throw new NirError("ir.invalid_value", `edges is a numeric ${v.dtype} array of shape (${v.shape.join(", ")}); expected (N, 2) strings`, where);
  }
  const flat = typeof v === "string" ? [v] : v;
  if (flat.length === 0) return [];
  if (d.shape.length !== 2 || d.shape[1] !== 2) {
    throw new NirError("ir.invalid_value", `edges has shape (${d.shape.join(", ")}); expected (N, 2) node names`, { ...where, hint: "edges is an N×2 array of [source, target] names" });
  }
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i], flat[i + 1]]);
  return out;
}

function buildNode(g: H5Group, file: string, full: string): NIRNode {
  const type = typeOf(g, file, full);
  if (type === "NIRGraph") return buildGraph(g, file, full, true);
  if (!isPrimitiveType(type)) {
    throw new NirError("ir.unknown_type", `unknown node type "${type}"`, {
      file,
      node: full,
      field: "type",
      hint: `known types: NIRGraph, ${Object.keys(PRIMITIVES).join(", ")}`,
    });
  }
  const fields: Record<string, Tensor | string | null> = {};
  let metadata: Metadata = {};
  for (const c of g.children) {
    if (c.name === "type") continue;
    if (c.name === "metadata" && c.kind === "group") {
      metadata = readMetadata(c, file, full);
      continue;
    }
    if (c.kind === "group") {
      throw new NirError("ir.unknown_field", `${type} has an unexpected group "${c.name}"`, { file, node: full, field: c.name, hint: `${type} stores only datasets (and an optional metadata/ group)` });
    }
    const v = c.value;
    if (Array.isArray(v)) {
      throw new NirError("ir.invalid_value", `${type} field ${c.name} is a string array`, { file, node: full, field: c.name, hint: "parameters are numeric arrays (padding may be a single string)" });
    }
    setOwn(fields, c.name, v);
  }
  const node = primitiveSpec(type).fromFields(fields, { file, node: full }) as NIRNode;
  node.metadata = metadata;
  return node;
}

/** Reads a metadata group: strings, string lists, int64 scalars → bigint, float64 scalars → number, bool scalars → boolean, arrays → Tensor, groups → nested dicts. */
export function readMetadata(d: H5Group | H5Dataset | undefined, file: string, node: string): Metadata {
  if (!d) return {};
  if (d.kind !== "group") throw new NirError("io.corrupt", "metadata is a dataset, expected a group", { file, node: node || undefined, field: "metadata" });
  const out: Metadata = {};
  for (const c of d.children) {
    setOwn(out, c.name, c.kind === "group" ? readMetadata(c, file, node) : metaValue(c));
  }
  return out;
}

function metaValue(d: H5Dataset): MetaValue {
  const v = d.value;
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v;
  if (v.shape.length === 0) {
    if (v.dtype === "int64") return (v.data as BigInt64Array)[0];
    if (v.dtype === "float64") return (v.data as Float64Array)[0];
    if (v.dtype === "bool") return (v.data as Uint8Array)[0] !== 0;
  }
  return v;
}

/**
 * Every problem of a `.nir` file (and the graph when there is none), not just the first: HDF5-level errors (the file cannot be
 * walked) stop at one; otherwise each node is built on its own so all bad nodes are reported,
 * then (if they are all fine) the graph is built and type-checked as {@link read} does.
 */
export async function validateFile(path: string, opts: ReadOptions = {}): Promise<{ problems: NirError[]; graph: Graph | null }> {
  let tree: NirFileTree;
  try {
    tree = await readNirTree(path, opts);
  } catch (e) {
    if (isNirError(e)) return { problems: [e as NirError], graph: null };
    throw e;
  }
  const problems: NirError[] = [];
  const visit = (g: H5Group, prefix: string) => {
    const nodes = h5Child(g, "nodes");
    if (!nodes || nodes.kind !== "group") return;
    for (const child of nodes.children) {
      const full = prefix ? `${prefix}/${child.name}` : child.name;
      if (child.kind !== "group") continue;
      try {
        if (typeOf(child, path, full) === "NIRGraph") visit(child, full);
        else buildNode(child, path, full);
      } catch (e) {
        if (!isNirError(e)) throw e;
        problems.push(locate(e, path) as NirError);
      }
    }
  };
  try {
    if (typeOf(tree.root, path, "") === "NIRGraph") visit(tree.root, "");
  } catch (e) {
    if (!isNirError(e)) throw e;
    problems.push(locate(e, path) as NirError);
  }
  if (problems.length) return { problems, graph: null };
  try {
    return { problems, graph: graphFromTree(tree, path, opts) };
  } catch (e) {
    if (!isNirError(e)) throw e;
    return { problems: [e as NirError], graph: null };
  }
}
