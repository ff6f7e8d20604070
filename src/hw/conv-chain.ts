/**
 * The layer-chain view of a conv network, shared by the Loihi 2 and SpiNNaker2 conv exporters:
 * Input → { [SumPool2d] → Conv2d | [SumPool2d] → [Flatten] → Affine/Linear } → neurons → … → Output.
 * Each neuron layer is fed by exactly one synapse (a conv or a dense matrix). A sum pool with
 * kernel = stride and no padding is kept beside the synapse that follows it (s2_nir fuses it the
 * same way); `foldPool` rewrites it exactly into that synapse's weights, because
 * conv(sumpool_p(x)) is a conv of x with every kernel tap repeated over a p×p block, stride ×p and
 * padding ×p, and dense(flatten(sumpool_p(x))) is a dense layer whose columns repeat over each block.
 */
import { NirError } from "../ir/errors.js";
import { sizeOf, toFloat64, type Tensor } from "../ir/tensor.js";
import type { NIRGraph, NIRNode } from "../ir/types.js";
import { extractDense, type DensePopulation } from "./dense.js";
import { successors } from "./graph.js";

/** A sum pool fused into the synapse after it: window = stride = `kernel`, no padding. */
export interface FusedPool {
  node: string;
  /** [kH, kW]. */
  kernel: [number, number];
  /** (C, H, W) before pooling. */
  inShape: [number, number, number];
}

/** 2-D conv geometry, PyTorch semantics. */
export interface ConvGeometry {
  /** (C, H, W) the conv reads (after a fused pool). */
  inShape: [number, number, number];
  /** (C, H, W) it produces. */
  outShape: [number, number, number];
  kernel: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

/** A Conv2d synapse: weight (C_out, C_in/groups, kH, kW) row-major, bias per output channel. */
export interface ConvSynapse extends ConvGeometry {
  kind: "conv";
  node: string;
  weight: Float64Array;
  bias: Float64Array | null;
  pool: FusedPool | null;
}

/** An Affine/Linear synapse: weight (nOut, nIn) over the flattened (C, H, W) source in NIR order. */
export interface DenseSynapse {
  kind: "dense";
  node: string;
  weight: Float64Array;
  nOut: number;
  nIn: number;
  bias: Float64Array | null;
  pool: FusedPool | null;
}

/** One neuron layer and the synapse feeding it. */
export interface ChainLayer {
  synapse: ConvSynapse | DenseSynapse;
  population: DensePopulation;
  /** (C, H, W) for conv-fed layers, [N] for dense-fed ones. */
  shape: number[];
}

/** The whole chain. */
export interface ConvChain {
  inputNode: string;
  /** (C, H, W) of the input. */
  inputShape: number[];
  layers: ChainLayer[];
}

/** True when the graph holds a Conv2d (the exporters then take the conv-chain path). */
export function hasConv2d(graph: NIRGraph): boolean {
  for (const [, n] of graph.nodes) if (n.type === "Conv2d") return true;
  return false;
}

const pair = (t: Tensor): [number, number] => {
  const v = Array.from(toFloat64(t));
  return v.length === 1 || t.shape.length === 0 ? [v[0], v[0]] : [v[0], v[1]];
};

function refuse(chip: string, node: string, problem: string, hint: string): never {
  throw new NirError("hw.unsupported", `${chip} conv export: ${problem}`, { node, hint });
}

function convSynapse(chip: string, name: string, node: Extract<NIRNode, { type: "Conv2d" }>, inShape: number[], pool: FusedPool | null): ConvSynapse {
  if (inShape.length !== 3) refuse(chip, name, `Conv2d input has shape [${inShape}], expected (C, H, W)`, "put Conv2d layers before any Flatten");
  if (typeof node.padding === "string" && node.padding === "same") refuse(chip, name, 'padding "same" is not supported', "give the padding as integers");
  const padding: [number, number] = typeof node.padding === "string" ? [0, 0] : pair(node.padding);
  const [cOut, , kH, kW] = node.weight.shape;
  const stride = pair(node.stride), dilation = pair(node.dilation);
  const groups = Number(node.groups.data[0]);
  const [c, h, w] = inShape;
  if (node.weight.shape[1] * groups !== c) refuse(chip, name, `weight expects ${node.weight.shape[1] * groups} input channels, the source has ${c}`, "fix the weight shape");
  const oh = Math.floor((h + 2 * padding[0] - dilation[0] * (kH - 1) - 1) / stride[0]) + 1;
  const ow = Math.floor((w + 2 * padding[1] - dilation[1] * (kW - 1) - 1) / stride[1]) + 1;
  return {
    kind: "conv", node: name, weight: Float64Array.from(toFloat64(node.weight)), bias: Float64Array.from(toFloat64(node.bias)), pool,
    inShape: [c, h, w], outShape: [cOut, oh, ow], kernel: [kH, kW], stride, padding, dilation, groups,
  };
}

/** Builds the chain view of `graph` for `chip` (used in messages); NirError hw.unsupported naming the node when it is no such chain. */
export function extractConvChain(graph: NIRGraph, chip: string): ConvChain {
  const net = extractDense(graph);
  const popOf = new Map(net.populations.map((p) => [p.node, p]));
  const inputs = [...graph.nodes].filter(([, n]) => n.type === "Input");
  if (inputs.length !== 1) refuse(chip, "(graph)", `${inputs.length} Input nodes`, "give the graph one Input node");
  const [inputNode, input] = inputs[0] as [string, Extract<NIRNode, { type: "Input" }>];
  const inputShape = input.shape ? Array.from(toFloat64(input.shape)) : [];
  const layers: ChainLayer[] = [];
  let shape = inputShape;
  let pool: FusedPool | null = null;
  let synapse: ConvSynapse | DenseSynapse | null = null;
  let name = inputNode;
  for (;;) {
    const next = successors(graph, name);
    if (next.length !== 1) refuse(chip, name, `node feeds ${next.length} nodes; the conv exporter maps sequential chains`, "export a sequential network (one successor per node)");
    name = next[0];
    const node = graph.nodes.get(name);
    if (!node) refuse(chip, name, "edge to a missing node", "fix the edges");
    if (node.type === "Output") break;
    if (synapse && !popOf.has(name)) refuse(chip, name, `${node.type} after the weight node ${synapse.node}`, "put neurons right after every weight node");
    if (node.type === "SumPool2d") {
      const k = pair(node.kernel_size), s = pair(node.stride), p = pair(node.padding);
      if (k[0] !== s[0] || k[1] !== s[1] || p[0] !== 0 || p[1] !== 0) refuse(chip, name, `pool kernel [${k}] stride [${s}] padding [${p}]`, "use non-overlapping unpadded sum pooling (kernel = stride, padding 0)");
      if (shape.length !== 3 || shape[1] % k[0] !== 0 || shape[2] % k[1] !== 0) refuse(chip, name, `pool window [${k}] does not tile the input [${shape}]`, "use a pool size that divides the input height and width");
      if (pool) refuse(chip, name, "two pools in a row", "merge them into one pool");
      pool = { node: name, kernel: k, inShape: shape as [number, number, number] };
      shape = [shape[0], shape[1] / k[0], shape[2] / k[1]];
    } else if (node.type === "Flatten") {
      shape = [sizeOf(shape)];
    } else if (node.type === "Conv2d") {
      synapse = convSynapse(chip, name, node, shape, pool);
      shape = synapse.outShape;
      pool = null;
    } else if (node.type === "Affine" || node.type === "Linear") {
      const [nOut, nIn] = node.weight.shape;
      if (nIn !== sizeOf(shape)) refuse(chip, name, `weight has ${nIn} columns, the source has ${sizeOf(shape)} values`, "fix the weight shape");
      synapse = { kind: "dense", node: name, weight: Float64Array.from(toFloat64(node.weight)), nOut, nIn, bias: node.type === "Affine" ? Float64Array.from(toFloat64(node.bias)) : null, pool };
      shape = [nOut];
      pool = null;
    } else if (popOf.has(name)) {
      const population = popOf.get(name) as DensePopulation;
      if (!synapse) refuse(chip, name, "neurons fed directly by neurons or the input", "insert a weight node before this neuron node");
      if (population.size !== sizeOf(shape)) refuse(chip, name, `${population.size} neurons fed by ${sizeOf(shape)} values`, "give the neuron parameters the shape of the layer");
      layers.push({ synapse, population, shape });
      synapse = null;
    } else refuse(chip, name, `${node.type} is not supported in a conv chain`, "use Conv2d, SumPool2d, Flatten, Affine/Linear and IF/LIF/CubaLIF nodes");
  }
  if (synapse) refuse(chip, synapse.node, "the chain ends in a weight node", "end the network with neurons");
  return { inputNode, inputShape, layers };
}

/**
 * The synapse with its fused pool folded into the weights (exact for any input): a conv gets
 * kernel ×p (each tap repeated over a p×p block), stride ×p and padding ×p (dilation must be 1);
 * a dense layer gets one column per pre-pool value, equal to the column of its pooled position.
 */
export function foldPool<S extends ConvSynapse | DenseSynapse>(s: S): S {
  const p = s.pool;
  if (!p) return s;
  const [py, px] = p.kernel;
  const [c, h, w] = p.inShape;
  if (s.kind === "dense") {
    const d = s as DenseSynapse;
    const hp = h / py, wp = w / px, nIn = c * h * w;
    const weight = new Float64Array(d.nOut * nIn);
    for (let o = 0; o < d.nOut; o++) for (let ci = 0; ci < c; ci++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      weight[o * nIn + (ci * h + y) * w + x] = d.weight[o * d.nIn + (ci * hp + Math.floor(y / py)) * wp + Math.floor(x / px)];
    }
    return { ...d, weight, nIn, pool: null } as S;
  }
  const k = s as ConvSynapse;
  if (k.dilation[0] !== 1 || k.dilation[1] !== 1) throw new NirError("hw.unsupported", "a pool before a dilated conv cannot be folded", { node: k.node, hint: "use dilation 1" });
  const [cOut, cInG] = [k.outShape[0], k.inShape[0] / k.groups];
  const [kh, kw] = k.kernel;
  const KH = kh * py, KW = kw * px;
  const weight = new Float64Array(cOut * cInG * KH * KW);
  for (let o = 0; o < cOut; o++) for (let ci = 0; ci < cInG; ci++) for (let y = 0; y < KH; y++) for (let x = 0; x < KW; x++) {
    weight[((o * cInG + ci) * KH + y) * KW + x] = k.weight[((o * cInG + ci) * kh + Math.floor(y / py)) * kw + Math.floor(x / px)];
  }
  return {
    ...k, weight, kernel: [KH, KW], stride: [k.stride[0] * py, k.stride[1] * px], padding: [k.padding[0] * py, k.padding[1] * px],
    inShape: p.inShape, pool: null,
  } as S;
}

/**
 * Adds W ⊛ s to `out` (the conv's output, C·H·W), visiting only the non-zero inputs: each input
 * value scatters into the outputs whose window covers it. `weight` is (C_out, C_in/groups, kH, kW).
 */
export function convScatter(g: ConvGeometry, weight: ArrayLike<number>, s: ArrayLike<number>, out: Float64Array): void {
  const [c, h, w] = g.inShape;
  const [cOut, oh, ow] = g.outShape;
  const [kh, kw] = g.kernel;
  const cInG = c / g.groups, cOutG = cOut / g.groups;
  for (let ci = 0; ci < c; ci++) {
    const grp = Math.floor(ci / cInG), cl = ci - grp * cInG;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const v = s[(ci * h + y) * w + x];
      if (v === 0) continue;
      for (let ky = 0; ky < kh; ky++) {
        const ny = y + g.padding[0] - ky * g.dilation[0];
        if (ny < 0 || ny % g.stride[0] !== 0) continue;
        const oy = ny / g.stride[0];
        if (oy >= oh) continue;
        for (let kx = 0; kx < kw; kx++) {
          const nx = x + g.padding[1] - kx * g.dilation[1];
          if (nx < 0 || nx % g.stride[1] !== 0) continue;
          const ox = nx / g.stride[1];
          if (ox >= ow) continue;
          for (let o = grp * cOutG; o < (grp + 1) * cOutG; o++) out[(o * oh + oy) * ow + ox] += v * weight[((o * cInG + cl) * kh + ky) * kw + kx];
        }
      }
    }
  }
}

/** Adds W·s to `out` for a (nOut, nIn) row-major matrix, skipping zero inputs. */
export function denseScatter(weight: ArrayLike<number>, nOut: number, nIn: number, s: ArrayLike<number>, out: Float64Array): void {
  for (let i = 0; i < nIn; i++) {
    const v = s[i];
    if (v === 0) continue;
    for (let o = 0; o < nOut; o++) out[o] += v * weight[o * nIn + i];
  }
}
