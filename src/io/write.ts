/**
 * `write(path, graph)`: a {@link NIRGraph} → a `.nir` file with the layout of the Python
 * reference writer (nir-spec §3): `/version`, the `/node` group, vlen UTF-8 `type` strings, an
 * N×2 vlen-string `edges` array (an empty list is a float64 (0,) dataset), numpy-array parameters
 * gzip level 4 + chunked as h5py chunks them, Python scalars/tuples as plain datasets, and
 * metadata groups. The write is atomic (temp file + rename).
 */
import { NirError, isNirError } from "../ir/errors.js";
import { PRIMITIVES } from "../ir/index.js";
import { isTuple } from "../ir/plain.js";
import { isTensor, type Tensor } from "../ir/tensor.js";
import type { Metadata, NIRGraph, NIRNode } from "../ir/types.js";
import { withAtomicPath } from "./atomic.js";
import { writeH5, type H5WriteDataset, type H5WriteGroup } from "./h5.js";

/**
 * The `/version` string nirkit writes: the reference format version it follows plus a PEP 440
 * local label naming nirkit, so Python's `packaging.version` still parses it ("1.0.7" ordering).
 */
export const NIR_FILE_VERSION = "1.0.7+nirkit.0.1.0";

/** Options of {@link write}. */
export interface WriteOptions {
  /** gzip level for array parameters (reference default 4); null writes them contiguous, uncompressed. */
  compression?: number | null;
  /** Groups remember creation order, so nodes read back in graph order (h5py `track_order`). Default false. */
  trackOrder?: boolean;
  /** The `/version` string (default {@link NIR_FILE_VERSION}). */
  version?: string;
  /** Replace a read-only file at `path` (default false: refused). */
  force?: boolean;
}

/**
 * Writes `graph` to `path` atomically. Refuses (NirError) what the Python reference could not
 * read back: a non-graph root, a Conv without `input_shape`, a Flatten without `input_type`,
 * null parameters, names that are not HDF5 link names.
 */
export async function write(path: string, graph: NIRGraph, opts: WriteOptions = {}): Promise<void> {
  const tree = nirTree(graph, opts, path);
  await withAtomicPath(path, (tmp) => writeH5(tmp, tree), { force: opts.force }).catch((e: unknown) => {
    if (isNirError(e)) throw new NirError(e.code, e.problem, { file: path, node: e.node, field: e.field, hint: e.hint, cause: e.cause });
    throw new NirError("io.write_failed", `could not write: ${(e as Error)?.message ?? String(e)}`, { file: path, cause: e, hint: "check that the folder exists and is writable" });
  });
}

/** The HDF5 tree {@link write} writes (exposed for tests and tools). */
export function nirTree(graph: NIRGraph, opts: WriteOptions = {}, file?: string): H5WriteGroup {
  if (!graph || (graph as NIRNode).type !== "NIRGraph") {
    const t = (graph as { type?: string } | null)?.type ?? typeof graph;
    throw new NirError("ir.root_not_graph", `can only write a NIRGraph, got ${t}`, {
      file,
      hint: "wrap the node in a graph, e.g. fromList(node); the Python reference cannot read a non-graph root",
    });
  }
  const gz = opts.compression === undefined ? 4 : opts.compression;
  const trackOrder = !!opts.trackOrder;
  return {
    kind: "group",
    trackOrder,
    children: [
      ["version", { kind: "dataset", value: opts.version ?? NIR_FILE_VERSION }],
      ["node", graphGroup(graph, gz, trackOrder, "", file)],
    ],
  };
}

function graphGroup(g: NIRGraph, gz: number | null, trackOrder: boolean, prefix: string, file?: string): H5WriteGroup {
  const nodes: [string, H5WriteGroup][] = [];
  for (const [name, node] of g.nodes) {
    const full = prefix ? `${prefix}/${name}` : name;
    nodes.push([name, node.type === "NIRGraph" ? graphGroup(node, gz, trackOrder, full, file) : nodeGroup(node, gz, trackOrder, full, file)]);
  }
  for (const [a, b] of g.edges) {
    if (typeof a !== "string" || typeof b !== "string") {
      throw new NirError("ir.invalid_value", `edge (${String(a)}, ${String(b)}) is not a pair of node names`, { file, node: prefix || undefined, field: "edges" });
    }
  }
  const edges: H5WriteDataset =
    g.edges.length === 0
      ? { kind: "dataset", value: { dtype: "float64", shape: [0], data: new Float64Array(0) } }
      : { kind: "dataset", value: g.edges.flatMap(([a, b]) => [a, b]), shape: [g.edges.length, 2] };
  const children: [string, H5WriteGroup | H5WriteDataset][] = [
    ["nodes", { kind: "group", trackOrder, children: nodes }],
    ["edges", edges],
  ];
  if (g.metadata && Object.keys(g.metadata).length) children.push(["metadata", metadataGroup(g.metadata, gz, trackOrder, prefix, file)]);
  children.push(["type", { kind: "dataset", value: "NIRGraph" }]);
  return { kind: "group", trackOrder, children };
}

type Registry = Record<string, { toFields: (n: NIRNode) => Record<string, Tensor | string | null | undefined>; plainFields: (n: NIRNode) => string[] } | undefined>;

function nodeGroup(node: NIRNode, gz: number | null, trackOrder: boolean, full: string, file?: string): H5WriteGroup {
  const entry = Object.hasOwn(PRIMITIVES, node.type) ? (PRIMITIVES as unknown as Registry)[node.type] : undefined;
  if (!entry) throw new NirError("ir.unknown_type", `unknown node type "${node.type}"`, { file, node: full, field: "type" });
  let fields: Record<string, Tensor | string | null | undefined>;
  let plain: Set<string>;
  try {
    fields = entry.toFields(node);
    plain = new Set(entry.plainFields(node));
  } catch (e) {
    if (isNirError(e)) {
      const code = e.code === "ir.missing_field" ? "io.write_failed" : e.code;
      throw new NirError(code, e.problem, { file, node: e.node ?? full, field: e.field, hint: e.hint, cause: e.cause });
    }
    throw e;
  }
  const children: [string, H5WriteGroup | H5WriteDataset][] = [];
  for (const [name, v] of Object.entries(fields)) {
    if (v === null || v === undefined) throw refuseNull(node.type, name, full, file);
    if (typeof v === "string") children.push([name, { kind: "dataset", value: v }]);
    else children.push([name, tensorDataset(v, gz, plain.has(name) || plainValue(v))]);
  }
  const typeDs: [string, H5WriteDataset] = ["type", { kind: "dataset", value: node.type }];
  if (node.type === "Input" || node.type === "Output") children.unshift(typeDs);
  else children.push(typeDs);
  if (node.metadata && Object.keys(node.metadata).length) children.push(["metadata", metadataGroup(node.metadata, gz, trackOrder, full, file)]);
  return { kind: "group", trackOrder, children };
}

function refuseNull(type: string, field: string, node: string, file?: string): NirError {
  const why =
    field === "input_shape"
      ? "its input shape was never inferred (graph built without type checking)"
      : field === "input_type"
        ? "its input type was never inferred (graph built without type checking)"
        : "the value is missing";
  return new NirError("io.write_failed", `${type} field ${field} is null: ${why}; the Python reference cannot write or read such a file`, {
    file,
    node,
    field,
    hint: field === "input_shape" || field === "input_type" ? "build the graph with type checking (or pass the shape) so it gets inferred" : `set ${field}`,
  });
}

/**
 * True when the reference would hold this value as a plain Python value (scalar, tuple) rather
 * than a numpy array: the writer then stores it uncompressed (HDF5 cannot chunk a scalar).
 */
function plainValue(t: Tensor): boolean {
  return t.shape.length === 0 || isTuple(t);
}

function tensorDataset(t: Tensor, gz: number | null, plain: boolean): H5WriteDataset {
  return { kind: "dataset", value: t, gzip: plain || gz === null ? null : gz };
}

function metadataGroup(m: Metadata, gz: number | null, trackOrder: boolean, node: string, file?: string): H5WriteGroup {
  const children: [string, H5WriteGroup | H5WriteDataset][] = [];
  for (const [k, v] of Object.entries(m)) {
    const where = { file, node: node || undefined, field: `metadata/${k}` };
    if (typeof v === "string") children.push([k, { kind: "dataset", value: v }]);
    else if (typeof v === "bigint") children.push([k, { kind: "dataset", value: { dtype: "int64", shape: [], data: new BigInt64Array([v]) } }]);
    else if (typeof v === "number") children.push([k, { kind: "dataset", value: { dtype: "float64", shape: [], data: new Float64Array([v]) } }]);
    else if (typeof v === "boolean") children.push([k, { kind: "dataset", value: { dtype: "bool", shape: [], data: new Uint8Array([v ? 1 : 0]) } }]);
    else if (Array.isArray(v)) {
      if (!v.every((s) => typeof s === "string")) {
        throw new NirError("ir.invalid_value", "metadata lists must hold strings only", { ...where, hint: "use a Tensor for numeric lists" });
      }
      children.push([k, { kind: "dataset", value: v, shape: [v.length] }]);
    } else if (isTensor(v)) children.push([k, tensorDataset(v, gz, plainValue(v))]);
    else if (v && typeof v === "object") children.push([k, metadataGroup(v as Metadata, gz, trackOrder, node, file)]);
    else throw new NirError("ir.invalid_value", `metadata value of type ${v === null ? "null" : typeof v} cannot be stored`, { ...where, hint: "metadata values are strings, numbers, booleans, bigints, string lists, Tensors or nested objects" });
  }
  return { kind: "group", trackOrder, children };
}
