/**
 * Graph ⇄ plain dictionary, as the reference's `to_dict`/`from_dict`: a node becomes
 * `{type, ...its datasets, metadata?}` (exactly what the writer stores), a graph
 * `{type: "NIRGraph", nodes: {name: dict}, edges, metadata}`. The reader builds a dict from the
 * HDF5 groups and calls {@link nodeFromDict}; dict → graph → dict round-trips.
 */
import { NirError, type NirErrorWhere } from "./errors.js";
import { NIRGraph } from "./graph.js";
import { nodeToFields, primitiveSpec, type FieldValue } from "./registry.js";
import { setOwn } from "./own.js";
import type { InferenceMode } from "./shapes.js";
import type { Metadata, NIRGraph as Graph, NIRNode } from "./types.js";

/** A node as a dictionary: `type`, its fields, and optionally metadata (graphs: nodes + edges). */
export interface NodeDict {
  type: string;
  metadata?: Metadata;
  nodes?: Record<string, NodeDict> | Map<string, NodeDict>;
  edges?: [string, string][];
  [field: string]: unknown;
}

/** Options of {@link nodeFromDict}. */
export interface FromDictOptions {
  /** Type-check the ROOT graph (default true). Nested graphs are always checked, as in the reference. */
  typeCheck?: boolean;
  inference?: InferenceMode;
}

/** The reference's `to_dict`: datasets (via the registry), metadata, and for graphs nodes + edges. */
export function nodeToDict(node: NIRNode): NodeDict {
  if (node.type === "NIRGraph") {
    const nodes: Record<string, NodeDict> = {};
    for (const [k, n] of node.nodes) setOwn(nodes, k, nodeToDict(n));
    return { type: "NIRGraph", nodes, edges: node.edges.map(([a, b]) => [a, b]), metadata: node.metadata };
  }
  return { type: node.type, ...nodeToFields(node), metadata: node.metadata };
}

/**
 * The reference's `from_dict` / `dict2NIRNode`: builds any node from its dictionary. Unknown
 * type → ir.unknown_type; a graph dict without `nodes`/`edges` → ir.missing_field.
 */
export function nodeFromDict(d: NodeDict, where: NirErrorWhere = {}, opts: FromDictOptions = {}): NIRNode {
  if (typeof d !== "object" || d === null || typeof d.type !== "string") {
    throw new NirError("ir.missing_field", "node has no type (reference: KeyError: 'type')", { ...where, field: "type", hint: "every node group needs a `type` dataset" });
  }
  const metadata = d.metadata && typeof d.metadata === "object" ? (d.metadata as Metadata) : {};
  if (d.type === "NIRGraph") {
    for (const key of ["nodes", "edges"] as const) {
      if (d[key] === undefined) {
        throw new NirError("ir.missing_field", `a NIRGraph needs '${key}' (reference: AssertionError: The incoming dictionary must hade a '${key}' entry)`, { ...where, field: key });
      }
    }
    const children = d.nodes instanceof Map ? [...d.nodes] : Object.entries(d.nodes as Record<string, NodeDict>);
    const prefix = where.node === undefined ? "" : `${where.node}/`;
    const nodes: [string, NIRNode][] = children.map(([k, child]) => [
      k,
      nodeFromDict(child, { file: where.file, node: prefix + k }, { inference: opts.inference }),
    ]);
    return NIRGraph({ nodes, edges: d.edges as [string, string][], metadata, typeCheck: opts.typeCheck ?? true, inference: opts.inference }, where);
  }
  const spec = primitiveSpec(d.type, where);
  const fields: Record<string, FieldValue | undefined> = {};
  for (const [k, v] of Object.entries(d)) if (k !== "type" && k !== "metadata") setOwn(fields, k, v as FieldValue);
  const node = spec.fromFields(fields, where, { inference: opts.inference });
  node.metadata = metadata;
  return node;
}

/** Graph → dict → graph (the reference test's `from_dict(to_dict())`). */
export function graphFromDict(d: NodeDict, where: NirErrorWhere = {}, opts: FromDictOptions = {}): Graph {
  if (d.type !== "NIRGraph") {
    if (d.nodes === undefined) {
      throw new NirError("ir.missing_field", "a NIRGraph needs 'nodes' (reference: AssertionError: The incoming dictionary must hade a 'nodes' entry)", { ...where, field: "nodes" });
    }
    throw new NirError("ir.root_not_graph", `the root is a ${d.type}, not a NIRGraph (reference: TypeError: ${d.type}.__init__() got an unexpected keyword argument 'type_check')`, {
      ...where,
      hint: "wrap the node in a NIRGraph (fromList(node)) before writing",
    });
  }
  return nodeFromDict(d, where, opts) as Graph;
}
