/**
 * Extracts a "dense network" view of a graph for chips that work with populations and weight
 * matrices (Xylo, Loihi 2, SpiNNaker2): neuron nodes become populations, Affine/Linear nodes
 * become projections from the Input or a population to populations (Flatten is looked
 * through). Structural problems are returned as violations; chips add their own.
 */
import { sizeOf, toFloat64, type Tensor } from "../ir/tensor.js";
import type { NIRGraph, NIRNode } from "../ir/types.js";
import { neuronCount, predecessors, successors } from "./graph.js";
import type { FitViolation } from "./types.js";

/** Neuron node types the dense view accepts as populations. */
export const DENSE_NEURON_TYPES = ["LIF", "CubaLIF", "IF", "LI", "CubaLI", "I"];

/** One population (a neuron node). */
export interface DensePopulation {
  node: string;
  type: string;
  size: number;
  /** Offset of this population in a concatenation of all populations. */
  offset: number;
  params: Record<string, Float64Array>;
  /** True when it feeds an Output node. */
  isOutput: boolean;
}

/** One projection: weight node from a source (−1 = graph input) to a population. */
export interface DenseProjection {
  node: string;
  src: number;
  dst: number;
  /** (out, in) row-major. */
  weight: Float64Array;
  nOut: number;
  nIn: number;
  bias: Float64Array | null;
}

/** The whole view. */
export interface DenseNet {
  inputNode: string | null;
  inputSize: number;
  populations: DensePopulation[];
  projections: DenseProjection[];
  /** Non-dense nodes found (Conv2d, pools…), name → type. */
  other: [string, string][];
  violations: FitViolation[];
}

function through(graph: NIRGraph, name: string, dir: "up" | "down"): string[] {
  const next = dir === "up" ? predecessors(graph, name) : successors(graph, name);
  const out: string[] = [];
  for (const n of next) {
    const node = graph.nodes.get(n);
    if (node?.type === "Flatten") out.push(...through(graph, n, dir));
    else out.push(n);
  }
  return out;
}

/** Builds the dense view of `graph`. */
export function extractDense(graph: NIRGraph): DenseNet {
  const violations: FitViolation[] = [];
  const populations: DensePopulation[] = [];
  const projections: DenseProjection[] = [];
  const other: [string, string][] = [];
  const inputs = [...graph.nodes].filter(([, n]) => n.type === "Input").map(([k]) => k);
  if (inputs.length !== 1) violations.push({ node: inputs.join(",") || "(graph)", constraint: "exactly one Input", limit: 1, actual: inputs.length, fix: "give the graph a single Input node" });
  const inputNode = inputs[0] ?? null;
  const inputSize = inputNode ? sizeOf(Array.from(toFloat64((graph.nodes.get(inputNode) as { shape: Tensor }).shape))) : 0;
  const popIndex = new Map<string, number>();
  let offset = 0;
  for (const [name, node] of graph.nodes) {
    if (!DENSE_NEURON_TYPES.includes(node.type)) continue;
    const params: Record<string, Float64Array> = {};
    for (const [k, v] of Object.entries(node as unknown as Record<string, unknown>)) {
      if (v && typeof v === "object" && ArrayBuffer.isView((v as Tensor).data)) params[k] = Float64Array.from(toFloat64(v as Tensor));
    }
    const size = neuronCount(node);
    const isOutput = through(graph, name, "down").some((s) => graph.nodes.get(s)?.type === "Output");
    popIndex.set(name, populations.length);
    populations.push({ node: name, type: node.type, size, offset, params, isOutput });
    offset += size;
  }
  for (const [name, node] of graph.nodes) {
    if (node.type === "NIRGraph") {
      violations.push({ node: name, constraint: "flat graph", limit: "no subgraphs", actual: "nested NIRGraph", fix: "flatten the subgraph (use the flat .nir export)" });
      continue;
    }
    if (node.type === "Affine" || node.type === "Linear") {
      const w = (node as { weight: Tensor }).weight;
      const [nOut, nIn] = w.shape.length === 2 ? w.shape : [w.shape[0], 1];
      const srcs = through(graph, name, "up");
      const dsts = through(graph, name, "down");
      let src = -2;
      if (srcs.length !== 1) {
        violations.push({ node: name, constraint: "one source per weight node", limit: 1, actual: srcs.length, fix: "give each weight node exactly one input" });
      } else {
        const s = graph.nodes.get(srcs[0]) as NIRNode;
        if (s.type === "Input") src = -1;
        else if (popIndex.has(srcs[0])) src = popIndex.get(srcs[0]) as number;
        else if (s.type === "Affine" || s.type === "Linear" || s.type === "Conv2d") {
          violations.push({ node: name, constraint: "no weight → weight chains", limit: "neurons between weights", actual: `${srcs[0]} → ${name}`, fix: "multiply the two matrices into one, or insert neurons" });
        } else violations.push({ node: name, constraint: "weights fed by Input or neurons", limit: "Input | neuron", actual: s.type, fix: "connect weights to the Input or to neurons" });
      }
      for (const d of dsts) {
        const dn = graph.nodes.get(d) as NIRNode;
        if (!popIndex.has(d)) {
          if (dn.type === "Affine" || dn.type === "Linear" || dn.type === "Conv2d") continue; // reported from the other side
          violations.push({ node: name, constraint: "weights feed neurons", limit: "neuron node", actual: dn.type, fix: "outputs must come from neurons: add a neuron layer after this weight" });
          continue;
        }
        const dst = popIndex.get(d) as number;
        if (populations[dst].size !== nOut) violations.push({ node: name, constraint: "weight rows = target neurons", limit: populations[dst].size, actual: nOut, fix: "fix the weight shape" });
        if (src >= -1) {
          const srcSize = src === -1 ? inputSize : populations[src].size;
          if (srcSize !== nIn) violations.push({ node: name, constraint: "weight columns = source size", limit: srcSize, actual: nIn, fix: "fix the weight shape" });
          projections.push({
            node: name, src, dst, weight: Float64Array.from(toFloat64(w)), nOut, nIn,
            bias: node.type === "Affine" ? Float64Array.from(toFloat64(node.bias)) : null,
          });
        }
      }
      continue;
    }
    if (DENSE_NEURON_TYPES.includes(node.type) || node.type === "Input" || node.type === "Output" || node.type === "Flatten") continue;
    other.push([name, node.type]);
  }
  // neurons fed directly by the input (no weights)
  for (const p of populations) {
    for (const s of through(graph, p.node, "up")) {
      const sn = graph.nodes.get(s);
      if (sn?.type === "Input" || (sn && DENSE_NEURON_TYPES.includes(sn.type))) {
        violations.push({ node: p.node, constraint: "neurons receive input only through weights", limit: "weight node before neurons", actual: `${s} → ${p.node}`, fix: "insert an identity Linear before this neuron node" });
      }
    }
  }
  return { inputNode, inputSize, populations, projections, other, violations };
}

/** Reads a per-neuron parameter (broadcasting a scalar) or a default. */
export function param(p: DensePopulation, name: string, dflt: number): Float64Array {
  const v = p.params[name];
  if (!v) return new Float64Array(p.size).fill(dflt);
  if (v.length === p.size) return v;
  return new Float64Array(p.size).fill(v[0] ?? dflt);
}

/** Topological order of populations along feed-forward projections (recurrent edges ignored). */
export function populationOrder(net: DenseNet): number[] {
  const n = net.populations.length;
  const indeg = new Array<number>(n).fill(0);
  const edges = net.projections.filter((p) => p.src >= 0 && p.src !== p.dst);
  for (const e of edges) indeg[e.dst]++;
  const order: number[] = [];
  const queue = indeg.map((d, i) => (d === 0 ? i : -1)).filter((i) => i >= 0);
  while (queue.length) {
    const i = queue.shift() as number;
    order.push(i);
    for (const e of edges) if (e.src === i && --indeg[e.dst] === 0) queue.push(e.dst);
  }
  for (let i = 0; i < n; i++) if (!order.includes(i)) order.push(i);
  return order;
}

/** Total weight entries of every Affine/Linear/Conv node of the graph (synapses before pruning). */
export function graphWeightCount(graph: NIRGraph): number {
  let n = 0;
  for (const [, node] of graph.nodes) {
    if (node.type === "Affine" || node.type === "Linear" || node.type === "Conv2d" || node.type === "Conv1d") n += sizeOf(node.weight.shape);
  }
  return n;
}

/** The largest number of non-zero outgoing weights of any input of any projection (fan-out). */
export function maxFanOut(net: DenseNet): number {
  let fan = 0;
  for (const pr of net.projections) {
    for (let i = 0; i < pr.nIn; i++) {
      let c = 0;
      for (let o = 0; o < pr.nOut; o++) if (pr.weight[o * pr.nIn + i] !== 0) c++;
      fan = Math.max(fan, c);
    }
  }
  return fan;
}
