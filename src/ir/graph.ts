/**
 * NIRGraph construction (reference `NIRGraph(...)` and `NIRGraph.from_list`): stores nodes in
 * order, runs type inference and checking unless told not to, and computes the graph's own
 * input/output types. Graph records are displayable in notebooks (kind "graph").
 */
import { attachDisplay } from "./display.js";
import { NirError, type NirErrorWhere } from "./errors.js";
import { checkTypes, inferTypes, updateGraphTypes } from "./inference.js";
import { Input, Output, setIOShape } from "./primitives/io.js";
import type { InferenceMode } from "./shapes.js";
import type { Metadata, NIRGraph as Graph, NIRNode, TypeMap } from "./types.js";

/** The NIRGraph record (re-exported under the constructor's name). */
export type NIRGraph = Graph;

/** Nodes as a Map, a plain object or a list of [name, node] pairs (order is kept). */
export type NodesLike = Map<string, NIRNode> | Record<string, NIRNode> | readonly (readonly [string, NIRNode])[];

/** Options of {@link NIRGraph}. */
export interface NIRGraphOptions {
  nodes: NodesLike;
  edges?: readonly (readonly [string, string])[];
  metadata?: Metadata;
  /** Run inferTypes + checkTypes (default true, as the reference's `type_check`). Subgraphs given as nodes were checked when they were built. */
  typeCheck?: boolean;
  /** Conv shape formula during inference (default "reference"). */
  inference?: InferenceMode;
}

const isNodeRecord = (x: unknown): x is NIRNode => typeof x === "object" && x !== null && typeof (x as NIRNode).type === "string";

function toNodeMap(nodes: NodesLike, where: NirErrorWhere): Map<string, NIRNode> {
  const entries: [string, unknown][] =
    nodes instanceof Map ? [...nodes.entries()] : Array.isArray(nodes) ? (nodes as [string, NIRNode][]).map(([k, v]) => [k, v]) : Object.entries(nodes);
  const map = new Map<string, NIRNode>();
  for (const [name, node] of entries) {
    if (typeof name !== "string") throw new NirError("ir.invalid_value", `node names must be strings, got ${String(name)}`, where);
    if (!isNodeRecord(node)) {
      throw new NirError("ir.invalid_value", `node '${name}' is not a NIR node record`, {
        ...where,
        node: name,
        hint: "build nodes with the constructors (LIF({...}), Affine({...}), …)",
      });
    }
    map.set(name, node);
  }
  return map;
}

/**
 * Builds a graph record (reference `NIRGraph(nodes, edges, metadata, type_check)`). With
 * typeCheck (default) it runs {@link inferTypes} then {@link checkTypes}, which may add
 * `input_<k>`/`output_<k>` nodes; then it sets the graph's input_type/output_type.
 */
export function NIRGraph(opts: NIRGraphOptions, where: NirErrorWhere = {}): Graph {
  const edges: [string, string][] = [];
  for (const e of opts.edges ?? []) {
    if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== "string" || typeof e[1] !== "string") {
      throw new NirError("ir.invalid_value", `an edge must be a [source, target] pair of node names, got ${JSON.stringify(e)}`, { ...where, field: "edges" });
    }
    edges.push([e[0], e[1]]);
  }
  const metadata = opts.metadata && typeof opts.metadata === "object" && !Array.isArray(opts.metadata) ? opts.metadata : {};
  const graph: Graph = { type: "NIRGraph", nodes: toNodeMap(opts.nodes, where), edges, input_type: null, output_type: {}, metadata };
  if (opts.typeCheck ?? true) {
    inferTypes(graph, { inference: opts.inference }, where);
    checkTypes(graph, where);
  }
  updateGraphTypes(graph);
  return attachDisplay(graph, "graph");
}

/** Options of {@link fromList} (given as the last argument). */
export interface FromListOptions {
  typeCheck?: boolean;
  inference?: InferenceMode;
}

function inputFromType(m: TypeMap | null): NIRNode {
  const node = Input({ shape: null });
  const v = m === null ? null : "input" in m ? m.input : (Object.values(m)[0] ?? null);
  setIOShape(node, v);
  return node;
}

function outputFromType(m: TypeMap): NIRNode {
  const node = Output({ shape: null });
  const v = "output" in m ? m.output : (Object.values(m)[0] ?? null);
  setIOShape(node, v);
  return node;
}

/**
 * A sequential graph from a list of nodes (reference `NIRGraph.from_list`): nodes are named by
 * their lower-case type with a counter (`linear`, `linear_1`, …), an `input` node is prepended
 * unless the first node is an Input, an `output` appended unless the last is an Output, and
 * edges chain them in order. Accepts varargs or one array, optionally followed by options.
 */
export function fromList(...args: (NIRNode | readonly NIRNode[] | FromListOptions)[]): Graph {
  let opts: FromListOptions = {};
  if (args.length && !Array.isArray(args[args.length - 1]) && !isNodeRecord(args[args.length - 1])) {
    opts = args.pop() as FromListOptions;
  }
  const nodes: NIRNode[] = args.length === 1 && Array.isArray(args[0]) ? [...(args[0] as NIRNode[])] : (args as NIRNode[]);
  if (nodes.length === 0) throw new NirError("ir.invalid_value", "fromList needs at least one node");
  nodes.forEach((n, i) => {
    if (!isNodeRecord(n)) throw new NirError("ir.invalid_value", `fromList argument ${i} is not a NIR node record`);
  });
  const map = new Map<string, NIRNode>();
  if (nodes[0].type !== "Input") map.set("input", inputFromType(nodes[0].input_type));
  const counts = new Map<string, number>();
  for (const node of nodes) {
    const base = node.type.toLowerCase();
    const id = counts.get(base) ?? 0;
    counts.set(base, id + 1);
    map.set(id > 0 ? `${base}_${id}` : base, node);
  }
  const last = nodes[nodes.length - 1];
  if (last.type !== "Output") map.set("output", outputFromType(last.output_type));
  const names = [...map.keys()];
  const edges = names.slice(1).map((n, i) => [names[i], n] as [string, string]);
  return NIRGraph({ nodes: map, edges, typeCheck: opts.typeCheck, inference: opts.inference });
}

/** The graph's Input nodes by name (reference `graph.inputs`). */
export function graphInputs(graph: Graph): Map<string, NIRNode> {
  return new Map([...graph.nodes].filter(([, n]) => n.type === "Input"));
}

/** The graph's Output nodes by name (reference `graph.outputs`). */
export function graphOutputs(graph: Graph): Map<string, NIRNode> {
  return new Map([...graph.nodes].filter(([, n]) => n.type === "Output"));
}

/** True when a node is a graph. */
export function isNIRGraph(node: unknown): node is Graph {
  return isNodeRecord(node) && node.type === "NIRGraph";
}
