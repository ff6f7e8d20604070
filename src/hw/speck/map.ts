/**
 * Maps a NIR graph onto Speck layers: each layer is (Conv2d | Affine as full-size conv) → IF
 * → optional SumPool2d, walked as a chain from the Input. Collects every rule it breaks as a
 * violation row instead of stopping at the first one, so the fit report lists them all.
 */
import { sizeOf, toFloat64, type Tensor } from "../../ir/tensor.js";
import { convOutputSize } from "../../ir/shapes.js";
import type { NIRGraph, NIRNode } from "../../ir/types.js";
import { nodesOfType, successors, uniformValue } from "../graph.js";
import type { FitViolation } from "../types.js";
import {
  SPECK_MAX_CHANNELS, SPECK_MAX_DESTINATIONS, SPECK_MAX_INPUT_SIDE, SPECK_MAX_KERNEL, SPECK_MAX_OUTPUT_SIDE,
  SPECK_MAX_PADDING, SPECK_POOLS, SPECK_STRIDES, speckKernelMemory, speckNeuronMemory,
} from "./constraints.js";

/** One Speck layer as planned from the graph (float parameters, before quantisation). */
export interface SpeckLayerPlan {
  name: string;
  nodes: string[];
  weightNode: string;
  neuronNode: string | null;
  poolNode: string | null;
  kind: "conv" | "affine";
  cIn: number; hIn: number; wIn: number;
  cOut: number; kH: number; kW: number;
  strideY: number; strideX: number; padY: number; padX: number;
  hOut: number; wOut: number;
  pool: number;
  /** (cOut, cIn, kH, kW) row-major. */
  weight: Float64Array;
  bias: Float64Array;
  threshold: number | null;
  r: number | null;
  kernelMemory: number;
  neuronMemory: number;
  biasMemory: number;
}

/** The whole plan: layers in order, the input shape, and what broke. */
export interface SpeckPlan {
  inputNode: string | null;
  inputShape: [number, number, number];
  layers: SpeckLayerPlan[];
  violations: FitViolation[];
  warnings: string[];
  maxFanOut: number;
}

function pair(t: Tensor | string | undefined, dflt: number): [number, number] {
  if (t === undefined || typeof t === "string") return [dflt, dflt];
  const v = toFloat64(t);
  if (v.length === 0) return [dflt, dflt];
  return v.length === 1 ? [v[0], v[0]] : [v[0], v[1]];
}

/** Walks the graph and plans the Speck layers. */
export function planSpeck(graph: NIRGraph): SpeckPlan {
  const violations: FitViolation[] = [];
  const warnings: string[] = [];
  const layers: SpeckLayerPlan[] = [];
  const inputs = nodesOfType(graph, "Input");
  let maxFanOut = 0;
  for (const [name] of graph.nodes) maxFanOut = Math.max(maxFanOut, successors(graph, name).length);
  if (inputs.length !== 1) {
    violations.push({ node: inputs.join(",") || "(graph)", constraint: "exactly one Input", limit: 1, actual: inputs.length, fix: "give the graph a single Input node" });
    return { inputNode: inputs[0] ?? null, inputShape: [0, 0, 0], layers, violations, warnings, maxFanOut };
  }
  const inputNode = inputs[0];
  const inShapeVals = Array.from(toFloat64((graph.nodes.get(inputNode) as { shape: Tensor }).shape));
  let shape: [number, number, number] =
    inShapeVals.length === 3 ? [inShapeVals[0], inShapeVals[1], inShapeVals[2]] : [sizeOf(inShapeVals), 1, 1];
  const inputShape: [number, number, number] = [...shape];
  if (shape[1] > SPECK_MAX_INPUT_SIDE || shape[2] > SPECK_MAX_INPUT_SIDE) {
    violations.push({ node: inputNode, constraint: "input map ≤ 128×128", limit: "128×128", actual: `${shape[1]}×${shape[2]}`, fix: "downsample the input (e.g. a 2×2 sum pool in the DVS layer)" });
  }
  let cur: SpeckLayerPlan | null = null;
  let avgRescale = 1;
  let name = inputNode;
  const seen = new Set<string>([name]);
  for (;;) {
    const succ = successors(graph, name);
    if (succ.length === 0) {
      violations.push({ node: name, constraint: "chain ends in Output", limit: "Output", actual: "dangling node", fix: "connect the last layer to an Output node" });
      break;
    }
    if (succ.length > 1) {
      violations.push({
        node: name,
        constraint: succ.length > SPECK_MAX_DESTINATIONS ? "fan-out ≤ 2 destinations per core" : "single chain (nirkit maps chains only)",
        limit: succ.length > SPECK_MAX_DESTINATIONS ? SPECK_MAX_DESTINATIONS : 1,
        actual: succ.length,
        fix: succ.length > SPECK_MAX_DESTINATIONS ? "restructure so each layer feeds at most two layers" : "map branches by hand with sinabs; nirkit emits sequential networks",
      });
      break;
    }
    name = succ[0];
    if (seen.has(name)) {
      violations.push({ node: name, constraint: "feed-forward (no recurrence)", limit: "no cycles", actual: "cycle", fix: "Speck runs feed-forward CNNs only" });
      break;
    }
    seen.add(name);
    const node = graph.nodes.get(name) as NIRNode;
    if (node.type === "Output") break;
    if (node.type === "Conv2d" || node.type === "Affine" || node.type === "Linear") {
      if (cur && !cur.neuronNode) {
        violations.push({ node: name, constraint: "Conv → IF → [SumPool] per layer", limit: "neurons between weight layers", actual: `${cur.weightNode} → ${name}`, fix: "insert an IF layer or merge the two weight layers" });
      }
      cur = planWeightLayer(name, node, shape, layers.length, violations, warnings);
      if (avgRescale !== 1) {
        for (let i = 0; i < cur.weight.length; i++) cur.weight[i] *= avgRescale;
        avgRescale = 1;
      }
      layers.push(cur);
      shape = [cur.cOut, cur.hOut, cur.wOut];
      continue;
    }
    if (node.type === "Flatten") continue;
    if (node.type === "IF" || node.type === "LIF" || node.type === "CubaLIF" || node.type === "LI" || node.type === "CubaLI" || node.type === "I") {
      if (node.type !== "IF") {
        violations.push({ node: name, constraint: "neuron model IAF only", limit: "IF", actual: node.type, fix: "use IF neurons (leak only as a negative bias per slow-clock tick)" });
      }
      if (!cur || cur.neuronNode) {
        violations.push({ node: name, constraint: "Conv → IF → [SumPool] per layer", limit: "weights before neurons", actual: "neuron without weight layer", fix: "put a Conv2d or Affine before each IF" });
        continue;
      }
      cur.neuronNode = name;
      cur.nodes.push(name);
      const n = node as unknown as { v_threshold?: Tensor; r?: Tensor; v_reset?: Tensor };
      if (n.v_threshold) {
        const th = uniformValue(n.v_threshold);
        if (th === null) violations.push({ node: name, constraint: "one threshold per layer", limit: "uniform v_threshold", actual: "per-neuron values", fix: "use one v_threshold for the whole layer" });
        cur.threshold = th ?? Math.max(...toFloat64(n.v_threshold));
      }
      if (n.r) {
        const r = uniformValue(n.r);
        if (r === null) violations.push({ node: name, constraint: "one r per layer (folded into weights)", limit: "uniform r", actual: "per-neuron values", fix: "use one r for the whole layer" });
        cur.r = r ?? 1;
      }
      if (n.v_reset && toFloat64(n.v_reset).some((x) => x !== 0)) warnings.push(`${name}: v_reset ≠ 0 is not supported; Speck resets to 0 or subtracts`);
      continue;
    }
    if (node.type === "SumPool2d" || node.type === "AvgPool2d") {
      if (!cur || !cur.neuronNode || cur.poolNode) {
        violations.push({ node: name, constraint: "Conv → IF → [SumPool] per layer", limit: "one pool after IF", actual: cur?.poolNode ? "second pool" : "pool before neurons", fix: "pool only the spikes of an IF layer, once" });
        continue;
      }
      const p = node as unknown as { kernel_size: Tensor; stride: Tensor; padding: Tensor };
      const [ky, kx] = pair(p.kernel_size, 1);
      const [sy, sx] = pair(p.stride, ky);
      const [py, px] = pair(p.padding, 0);
      if (ky !== kx || !SPECK_POOLS.includes(ky)) violations.push({ node: name, constraint: "sum pooling 1×1, 2×2 or 4×4", limit: "1, 2, 4 (square)", actual: `${ky}×${kx}`, fix: "use a square pool of size 1, 2 or 4" });
      if (sy !== ky || sx !== kx) violations.push({ node: name, constraint: "pool stride = pool size", limit: `${ky}`, actual: `${sy}×${sx}`, fix: "set stride equal to kernel_size" });
      if (py !== 0 || px !== 0) violations.push({ node: name, constraint: "no pool padding", limit: 0, actual: `${py}×${px}`, fix: "remove pooling padding" });
      if (node.type === "AvgPool2d") {
        warnings.push(`${name}: AvgPool2d becomes a SumPool with the next layer's weights scaled by 1/${ky * kx}`);
        avgRescale = 1 / (ky * kx);
      }
      cur.poolNode = name;
      cur.nodes.push(name);
      cur.pool = ky;
      shape = [shape[0], Math.floor(shape[1] / ky), Math.floor(shape[2] / kx)];
      continue;
    }
    violations.push({ node: name, constraint: "supported node types", limit: "Conv2d, Affine, Linear, IF, SumPool2d, Flatten", actual: node.type, fix: "remove or replace this node" });
  }
  for (const l of layers) {
    if (!l.neuronNode) violations.push({ node: l.weightNode, constraint: "Conv → IF → [SumPool] per layer", limit: "IF after weights", actual: "no neurons", fix: "add an IF layer after this weight layer" });
  }
  return { inputNode, inputShape, layers, violations, warnings, maxFanOut };
}

function planWeightLayer(name: string, node: NIRNode, shape: [number, number, number], index: number, violations: FitViolation[], warnings: string[]): SpeckLayerPlan {
  const [cIn, hIn, wIn] = shape;
  let cOut: number, kH: number, kW: number, sy = 1, sx = 1, py = 0, px = 0, dy = 1, dx = 1, groups = 1;
  let weight: Float64Array;
  let bias: Float64Array;
  let kind: "conv" | "affine";
  if (node.type === "Conv2d") {
    kind = "conv";
    [cOut, , kH, kW] = node.weight.shape;
    weight = Float64Array.from(toFloat64(node.weight));
    bias = node.bias ? Float64Array.from(toFloat64(node.bias)) : new Float64Array(cOut);
    if (bias.length === 1 && cOut > 1) bias = new Float64Array(cOut).fill(bias[0]);
    [sy, sx] = pair(node.stride, 1);
    [dy, dx] = pair(node.dilation, 1);
    groups = node.groups ? toFloat64(node.groups)[0] ?? 1 : 1;
    if (typeof node.padding === "string") {
      if (node.padding === "same") {
        if (kH % 2 === 0 || kW % 2 === 0) violations.push({ node: name, constraint: "padding 'same' with odd kernel", limit: "odd kernel", actual: `${kH}×${kW}`, fix: "give explicit padding" });
        py = (kH - 1) / 2;
        px = (kW - 1) / 2;
      }
    } else [py, px] = pair(node.padding, 0);
    const wc = node.weight.shape[1];
    if (groups !== 1 || wc !== cIn) violations.push({ node: name, constraint: "dense convolution (groups 1)", limit: `groups 1, ${cIn} in-channels`, actual: `groups ${groups}, ${wc} in-channels`, fix: "use groups=1 convolutions matching the input channels" });
  } else {
    kind = "affine";
    const w = (node as { weight: Tensor }).weight;
    cOut = w.shape[0];
    const nIn = w.shape[1];
    weight = Float64Array.from(toFloat64(w));
    bias = node.type === "Affine" ? Float64Array.from(toFloat64(node.bias)) : new Float64Array(cOut);
    kH = hIn;
    kW = wIn;
    if (nIn !== cIn * hIn * wIn) {
      violations.push({ node: name, constraint: "Affine input = flattened previous map", limit: cIn * hIn * wIn, actual: nIn, fix: "check the Flatten before this Affine" });
    }
  }
  const [hOut, wOut] = convOutputSize([hIn, wIn], [py, px], [dy, dx], [kH, kW], [sy, sx], "correct");
  if (kH !== kW) violations.push({ node: name, constraint: "square kernel", limit: "kH = kW", actual: `${kH}×${kW}`, fix: "use square kernels" });
  if (kH > SPECK_MAX_KERNEL || kW > SPECK_MAX_KERNEL) violations.push({ node: name, constraint: "kernel ≤ 16×16", limit: "16×16", actual: `${kH}×${kW}`, fix: kind === "affine" ? "pool the map down before this Affine (full-size kernel)" : "use kernels of at most 16×16" });
  if (!SPECK_STRIDES.includes(sy) || !SPECK_STRIDES.includes(sx)) violations.push({ node: name, constraint: "stride 1, 2, 4 or 8", limit: "1|2|4|8", actual: `${sy}×${sx}`, fix: "use a stride of 1, 2, 4 or 8" });
  if (py < 0 || px < 0 || py > SPECK_MAX_PADDING || px > SPECK_MAX_PADDING) violations.push({ node: name, constraint: "padding 0..7", limit: "0..7", actual: `${py}×${px}`, fix: "use padding of at most 7" });
  if (dy !== 1 || dx !== 1) violations.push({ node: name, constraint: "no dilation", limit: 1, actual: `${dy}×${dx}`, fix: "use dilation 1" });
  if (cOut > SPECK_MAX_CHANNELS || cIn > SPECK_MAX_CHANNELS) violations.push({ node: name, constraint: "channels ≤ 1024", limit: SPECK_MAX_CHANNELS, actual: Math.max(cOut, cIn), fix: "use fewer channels" });
  if (hOut > SPECK_MAX_OUTPUT_SIDE || wOut > SPECK_MAX_OUTPUT_SIDE) violations.push({ node: name, constraint: "output map ≤ 64×64", limit: "64×64", actual: `${hOut}×${wOut}`, fix: "use a larger stride or pool before this layer" });
  if (bias.some((b) => b !== 0)) warnings.push(`${name}: non-zero bias is applied per step (slow-clock leak) — the chip adds it per slow-clock tick`);
  return {
    name: `layer${index}`, nodes: [name], weightNode: name, neuronNode: null, poolNode: null, kind,
    cIn, hIn, wIn, cOut, kH, kW, strideY: sy, strideX: sx, padY: py, padX: px, hOut, wOut, pool: 1,
    weight, bias, threshold: null, r: null,
    kernelMemory: speckKernelMemory(cIn, kH, kW, cOut),
    neuronMemory: speckNeuronMemory(cOut, hOut, wOut),
    biasMemory: cOut,
  };
}
