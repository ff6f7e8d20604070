/**
 * Graph preparation for the simulator: flattens nested subgraphs into one level of named
 * primitives, propagates per-sample shapes along the edges with ir's per-node rules
 * (`outputShapeFor`: PyTorch's true conv output sizes, not the reference's square-kernel quirk),
 * and schedules one time step: a topological order in
 * which every cycle is broken by reading the previous step's output (zeros at step 0), as
 * NIRTorch does (nir-spec §6.3). Cycles through stateless nodes only are algebraic loops.
 */
import { NirError } from "../ir/errors.js";
import { outputShapeFor, parameterShape } from "../ir/inference.js";
import { convGroups } from "../ir/primitives/conv.js";
import { sizeOf, toNumbers, type Tensor } from "../ir/tensor.js";
import { NEURON_TYPES, type NIRGraph, type NIRNode, type NIRPrimitive } from "../ir/types.js";

/** A primitive after flattening: dotted name for nested nodes (`outer.inner`). */
export interface FlatNode {
  name: string;
  node: NIRPrimitive;
  /** Sources feeding this node (fan-in is summed), in edge order. */
  sources: string[];
  /** Per-sample input and output shapes (filled by {@link inferSimShapes}). */
  inShape: number[];
  outShape: number[];
}

/** A flattened graph: nodes in file order and the graph-level Input/Output names. */
export interface FlatGraph {
  nodes: Map<string, FlatNode>;
  inputs: string[];
  outputs: string[];
  /** Neuron → the node whose port carries its spikes as consumers and records see them (late-output.ts). */
  late?: Map<string, string>;
}

/** Node types that carry state from step to step: the neurons. */
const STATEFUL: ReadonlySet<string> = new Set(NEURON_TYPES);

/** Flattens nested NIRGraph nodes; inner Input/Output become pass-through nodes. */
export function flattenGraph(graph: NIRGraph): FlatGraph {
  const nodes = new Map<string, FlatNode>();
  const edges: [string, string][] = [];
  // entry/exit node of each (possibly nested) node name
  const resolveIn = new Map<string, string>();
  const resolveOut = new Map<string, string>();

  function visit(g: NIRGraph, prefix: string): { inputs: string[]; outputs: string[] } {
    const inputs: string[] = [];
    const outputs: string[] = [];
    const localIn = new Map<string, string>();
    const localOut = new Map<string, string>();
    for (const [key, node] of g.nodes) {
      const name = prefix + key;
      if (node.type === "NIRGraph") {
        const inner = visit(node, name + ".");
        if (inner.inputs.length !== 1 || inner.outputs.length !== 1) {
          throw new NirError("sim.unsupported", `subgraph has ${inner.inputs.length} Input and ${inner.outputs.length} Output nodes; the simulator needs exactly one of each`, { node: name });
        }
        localIn.set(key, inner.inputs[0]);
        localOut.set(key, inner.outputs[0]);
      } else {
        nodes.set(name, { name, node, sources: [], inShape: [], outShape: [] });
        localIn.set(key, name);
        localOut.set(key, name);
        if (node.type === "Input") inputs.push(name);
        if (node.type === "Output") outputs.push(name);
      }
    }
    const neurons = [...g.nodes.keys()].filter((k) => STATEFUL.has(g.nodes.get(k)!.type));
    const lookup = (key: string, table: Map<string, string>, role: string): string => {
      const hit = table.get(key);
      if (hit !== undefined) return hit;
      // tolerate the paper's subgraph edge quirk ("lif" naming the only neuron node "lif1")
      if (prefix && neurons.length === 1) return table.get(neurons[0])!;
      throw new NirError("ir.missing_node", `edge ${role} "${key}" names no node of this graph`, { node: prefix ? prefix.slice(0, -1) : undefined, hint: `known nodes: ${[...g.nodes.keys()].join(", ")}` });
    };
    for (const [src, dst] of g.edges) edges.push([lookup(src, localOut, "source"), lookup(dst, localIn, "target")]);
    for (const [k, v] of localIn) resolveIn.set(prefix + k, v);
    for (const [k, v] of localOut) resolveOut.set(prefix + k, v);
    return { inputs, outputs };
  }

  const top = visit(graph, "");
  for (const [src, dst] of edges) nodes.get(dst)!.sources.push(src);
  return { nodes, inputs: top.inputs, outputs: top.outputs };
}

/** Number(s) of a scalar-or-vector tensor field, broadcast to `n` entries. */
export function pairOf(t: Tensor | number | null | undefined, n: number, fallback: number): number[] {
  if (t === undefined || t === null) return new Array(n).fill(fallback);
  const v = typeof t === "number" ? [t] : toNumbers(t);
  if (v.length === 0) return new Array(n).fill(fallback);
  return v.length === 1 ? new Array(n).fill(v[0]) : v.slice(0, n);
}

/** Geometry of a 2-D convolution (Conv1d is a 1 × L convolution). */
export interface ConvGeometry {
  cin: number; h: number; w: number;
  cout: number; oh: number; ow: number;
  kh: number; kw: number;
  sh: number; sw: number;
  ph: number; pw: number;
  dh: number; dw: number;
  groups: number;
}

/**
 * PyTorch geometry of a Conv1d/Conv2d node for the given per-sample input shape; the output
 * size is ir's conv rule (`outputShapeFor`), which also refuses a wrong input.
 */
export function convGeometry(fn: FlatNode, inShape: number[]): ConvGeometry {
  const node = fn.node as Extract<NIRPrimitive, { type: "Conv1d" | "Conv2d" }>;
  const w = node.weight.shape;
  const is1d = node.type === "Conv1d";
  const out = outputShapeFor(node, inShape, { node: fn.name });
  const [cin, h, wid] = is1d ? [inShape[0], 1, inShape[1]] : inShape;
  const [oh, ow] = is1d ? [1, out[1]] : [out[1], out[2]];
  const [kh, kw] = is1d ? [1, w[2]] : [w[2], w[3]];
  const [sh, sw] = is1d ? [1, pairOf(node.stride, 1, 1)[0]] : pairOf(node.stride, 2, 1);
  const [dh, dw] = is1d ? [1, pairOf(node.dilation, 1, 1)[0]] : pairOf(node.dilation, 2, 1);
  let ph: number, pw: number;
  if (node.padding === "valid") [ph, pw] = [0, 0];
  else if (node.padding === "same") {
    if (sh !== 1 || sw !== 1) throw new NirError("sim.unsupported", `padding "same" needs stride 1 (PyTorch rule)`, { node: fn.name, field: "padding" });
    // symmetric share of the total padding; an odd remainder goes right/bottom
    [ph, pw] = [Math.floor((dh * (kh - 1)) / 2), Math.floor((dw * (kw - 1)) / 2)];
  } else [ph, pw] = is1d ? [0, pairOf(node.padding, 1, 0)[0]] : pairOf(node.padding, 2, 0);
  return { cin, h, w: wid, cout: out[0], oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, groups: convGroups(node) };
}

/** Geometry of a SumPool2d/AvgPool2d node (zero padding; output size from ir's pool rule). */
export function poolGeometry(fn: FlatNode, inShape: number[]): ConvGeometry {
  const node = fn.node as Extract<NIRPrimitive, { type: "SumPool2d" | "AvgPool2d" }>;
  const [c, oh, ow] = outputShapeFor(node, inShape, { node: fn.name });
  const [kh, kw] = pairOf(node.kernel_size, 2, 1);
  const [sh, sw] = pairOf(node.stride, 2, kh);
  const [ph, pw] = pairOf(node.padding, 2, 0);
  return { cin: c, h: inShape[1], w: inShape[2], cout: c, oh, ow, kh, kw, sh, sw, ph, pw, dh: 1, dw: 1, groups: c };
}

/** Per-sample shape an Input node declares. */
export function inputShapeOf(node: NIRPrimitive): number[] {
  if (node.type === "Input" || node.type === "Output") {
    if (node.shape) return toNumbers(node.shape);
    const t = node.type === "Input" ? node.output_type?.output : node.input_type?.input;
    if (t) return [...t];
  }
  return [];
}

/**
 * Fills `inShape`/`outShape` of every node, starting from the Input shapes and following the
 * schedule order; back-edge sources are resolved in later passes (their shapes come from params).
 */
export function inferSimShapes(flat: FlatGraph, order: string[]): void {
  const known = new Set<string>();
  for (let pass = 0; pass < 3; pass++) {
    for (const name of order) {
      const fn = flat.nodes.get(name)!;
      if (known.has(name)) continue;
      let inShape: number[] | null = null;
      if (fn.node.type === "Input") inShape = inputShapeOf(fn.node);
      else {
        for (const s of fn.sources) {
          if (!known.has(s)) continue;
          const sh = flat.nodes.get(s)!.outShape;
          if (inShape && sizeOf(inShape) !== sizeOf(sh)) {
            throw new NirError("ir.shape_mismatch", `incoming edges disagree: "${s}" sends [${sh.join(",")}] but another source sends [${inShape.join(",")}] (fan-in is summed, shapes must match)`, { node: name });
          }
          inShape ??= sh;
        }
        if (!inShape && fn.sources.length === 0) {
          throw new NirError("ir.missing_node", `node has no incoming edge, so nothing drives it`, { node: name, hint: "connect it, or remove it from the graph" });
        }
        if (!inShape && pass > 0) {
          // a back-edge target not fed yet: a node whose parameters fix its shape starts from it
          const p = parameterShape(fn.node);
          if (p?.length) inShape = p;
        }
      }
      if (!inShape) continue;
      fn.inShape = inShape;
      fn.outShape = outputShapeFor(fn.node, inShape, { node: name });
      known.add(name);
    }
  }
  for (const [name] of flat.nodes) {
    if (!known.has(name)) throw new NirError("ir.type_mismatch", `cannot infer the shape of this node (unreachable from the Input?)`, { node: name });
  }
}

/** One scheduled step: node order, which edges are read from the previous step. */
export interface Schedule {
  order: string[];
  /** `${src}->${dst}` keys of edges that read the previous step's output. */
  backEdges: Set<string>;
}

/** True when a node with `delaySteps` keeps state (Delay of ≥ 1 step counts as stateful). */
function isStateful(fn: FlatNode, dt: number): boolean {
  if (STATEFUL.has(fn.node.type)) return true;
  if (fn.node.type === "Delay") {
    const d = toNumbers(fn.node.delay);
    return d.some((x) => Math.round(x / dt) >= 1);
  }
  return false;
}

/**
 * Orders the nodes for one step. Ready nodes (all sources done) run in file order; when only
 * cycles remain, the first pending node with a computed source (preferring fan-in nodes, as
 * NIRTorch does) runs and reads its pending sources from the previous step.
 */
export function scheduleGraph(flat: FlatGraph, dt: number): Schedule {
  const names = [...flat.nodes.keys()];
  const done = new Set<string>();
  const order: string[] = [];
  const backEdges = new Set<string>();
  checkAlgebraicLoops(flat, dt);
  while (order.length < names.length) {
    let progressed = false;
    for (const n of names) {
      if (done.has(n)) continue;
      const fn = flat.nodes.get(n)!;
      if (fn.sources.every((s) => done.has(s))) {
        order.push(n);
        done.add(n);
        progressed = true;
      }
    }
    if (progressed) continue;
    const pending = names.filter((n) => !done.has(n));
    const score = (n: string): number => {
      const fn = flat.nodes.get(n)!;
      const fed = fn.sources.some((s) => done.has(s)) ? 2 : 0;
      return fed + (fn.sources.length > 1 ? 1 : 0);
    };
    let pick = pending[0];
    for (const n of pending) if (score(n) > score(pick)) pick = n;
    const fn = flat.nodes.get(pick)!;
    for (const s of fn.sources) if (!done.has(s)) backEdges.add(`${s}->${pick}`);
    order.push(pick);
    done.add(pick);
  }
  return { order, backEdges };
}

/** Throws sim.algebraic_loop when a cycle contains no stateful node (Tarjan SCCs). */
function checkAlgebraicLoops(flat: FlatGraph, dt: number): void {
  const succ = new Map<string, string[]>();
  for (const [n] of flat.nodes) succ.set(n, []);
  for (const [n, fn] of flat.nodes) for (const s of fn.sources) succ.get(s)!.push(n);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of succ.get(v)!) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      const cyclic = comp.length > 1 || succ.get(v)!.includes(v);
      if (cyclic && !comp.some((n) => isStateful(flat.nodes.get(n)!, dt))) {
        throw new NirError("sim.algebraic_loop", `cycle ${comp.reverse().join(" → ")} contains only stateless nodes (an algebraic loop: its value at a step depends on itself)`, {
          node: comp[0],
          hint: "put a neuron or a Delay of at least one step on the cycle",
        });
      }
    }
  };
  for (const [n] of flat.nodes) if (!idx.has(n)) strong(n);
}

/** Re-exported for kernels: a node record of any primitive type. */
export type { NIRNode };
