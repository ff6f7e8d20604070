/**
 * SpiNNaker2 conv networks as py-spinnaker2's s2_nir builds them: a neuron layer fed by a
 * Conv2d is a `lif_conv2d` population with a `Conv2DProjection` (weights swapped to
 * (C_in, C_out, kH, kW), scaled by the population's weight scale and cast to int8 by truncation;
 * params in_height/in_width, stride_x/y, pool_x/y, pad_top/bottom/left/right; a preceding sum pool
 * with kernel = stride is fused through pool_x/y); a layer fed by Affine/Linear is a
 * `lif_no_delay` population with a connection list (a preceding sum pool + Flatten is joined
 * into that list). Conv2DProjection needs conn_delay 0, so every projection of a conv network
 * delivers in the same step. Emulation in float64 with the int8 weights, IF/LIF per s2_nir.
 */
import { NirError } from "../../ir/errors.js";
import type { Tensor } from "../../ir/tensor.js";
import type { NIRGraph } from "../../ir/types.js";
import { convScatter, denseScatter, extractConvChain, foldPool, hasConv2d, type ChainLayer, type ConvGeometry } from "../conv-chain.js";
import { param } from "../dense.js";
import { requireExportBasics, tauSeconds } from "../graph.js";
import { quantError } from "../quant.js";
import type { ChipEmulateOptions, ChipExportOptions, EmulationResult, QuantError } from "../types.js";
import { emulateSpinnaker2, populationRecords } from "./emulate.js";
import { exportSpinnaker2, type S2Config, type S2Population, type S2Projection } from "./export.js";
import { S2_DEFAULT_ATOMS } from "./fit.js";

/** Conv2DProjection parameters, named as s2_nir passes them to py-spinnaker2. */
export interface S2ConvParams {
  in_height: number;
  in_width: number;
  stride_x: number;
  stride_y: number;
  pool_x: number;
  pool_y: number;
  pad_top: number;
  pad_bottom: number;
  pad_left: number;
  pad_right: number;
}

/** A `Conv2DProjection`: int8 weights (C_in, C_out, kH, kW) row-major; `connections` stays empty. */
export interface S2ConvProjection extends S2Projection {
  projection_type: "Conv2DProjection";
  weights: number[];
  weights_shape: [number, number, number, number];
  conv_params: S2ConvParams;
}

/** True for a conv projection of an exported SpiNNaker2 config. */
export function isS2ConvProjection(p: S2Projection): p is S2ConvProjection {
  return (p as Partial<S2ConvProjection>).projection_type === "Conv2DProjection";
}

/** s2_nir's IF/LIF translation for one neuron: threshold, decay and i_offset in weight-scaled units. */
function s2Neuron(layer: ChainLayer, j: number, bias: number, wScale: number, dt: number, unit: ChipExportOptions["timeUnit"], fwd: boolean): { threshold: number; alpha: number; iOffset: number; vScale: number } {
  const p = layer.population;
  const thr = param(p, "v_threshold", 1)[j], r = param(p, "r", 1)[j];
  if (p.type === "IF") {
    const s = wScale / r;
    return { threshold: thr * s, alpha: 1, iOffset: bias * wScale, vScale: s };
  }
  const tau = tauSeconds(param(p, "tau", 1)[j], unit ?? "s", dt);
  const f = fwd ? dt / tau : 1 - Math.exp(-dt / tau);
  const s = wScale / (f * r);
  return { threshold: thr * s, alpha: fwd ? 1 - dt / tau : Math.exp(-dt / tau), iOffset: f * param(p, "v_leak", 0)[j] * s + bias * wScale, vScale: s };
}

/** The SpiNNaker2 exporter for any graph: the conv path when it holds a Conv2d, else the dense one (index.ts). */
export function exportSpinnaker2Network(graph: NIRGraph, opts: ChipExportOptions): S2Config {
  return hasConv2d(graph) ? exportSpinnaker2Conv(graph, opts) : exportSpinnaker2(graph, opts);
}

/** The SpiNNaker2 emulator for any exported config: the conv path when it holds a Conv2DProjection. */
export function emulateSpinnaker2Network(config: S2Config, input: Tensor, opts: ChipEmulateOptions = {}): EmulationResult {
  return config.projections.some(isS2ConvProjection) ? emulateSpinnaker2Conv(config, input, opts) : emulateSpinnaker2(config, input, opts);
}

/** Converts a sequential conv network per s2_nir (conn_delay 0); NirError naming the node when it cannot. */
export function exportSpinnaker2Conv(graph: NIRGraph, opts: ChipExportOptions): S2Config {
  requireExportBasics(opts, "spinnaker2");
  const { dt } = opts;
  if (opts.connDelay !== undefined && opts.connDelay !== 0) {
    throw new NirError("hw.unsupported", `Conv2DProjection needs conn_delay 0, got ${opts.connDelay}`, { field: "connDelay", hint: "drop --conn-delay (conv networks use 0)" });
  }
  const integrator = opts.integrator ?? "FORWARD";
  const scaleWeights = opts.scaleWeights ?? true;
  const atoms = opts.maxAtomsPerCore ?? S2_DEFAULT_ATOMS;
  const chain = extractConvChain(graph, "spinnaker2");
  const inputSize = chain.inputShape.reduce((a, b) => a * b, 1);
  const populations: S2Population[] = [{ name: chain.inputNode, size: inputSize, neuron_model: "spike_list", params: {}, record: [], nir_v_scale: [], nir_w_scale: 1, max_atoms_per_core: atoms }];
  const projections: S2Projection[] = [];
  const quantization: QuantError[] = [];
  let pre = chain.inputNode;
  for (const layer of chain.layers) {
    const { population: p, synapse: syn } = layer;
    if (p.type !== "IF" && p.type !== "LIF") throw new NirError("hw.unsupported", `s2_nir conv networks take IF or LIF neurons, not ${p.type}`, { node: p.node, hint: "use IF or LIF after conv and dense layers" });
    if (syn.kind === "conv" && (syn.groups !== 1 || syn.dilation[0] !== 1 || syn.dilation[1] !== 1)) throw new NirError("hw.unsupported", "Conv2DProjection has no groups or dilation", { node: syn.node, hint: "use groups 1 and dilation 1" });
    const maxW = syn.weight.reduce((a, w) => Math.max(a, Math.abs(w)), 0);
    const wScale = opts.weightScale ?? (scaleWeights && maxW > 0 ? 127 / maxW : 1);
    let clipped = 0;
    const int8 = (w: number): number => {
      const q = Math.trunc(w * wScale); // astype(int8) after scaling, as s2_nir
      if (q > 127 || q < -127) clipped++;
      return Math.max(-127, Math.min(127, q));
    };
    const per = syn.kind === "conv" ? syn.outShape[1] * syn.outShape[2] : 1;
    const params = { threshold: [] as number[], alpha_decay: [] as number[], i_offset: [] as number[] };
    const vScale: number[] = [];
    for (let j = 0; j < p.size; j++) {
      const b = syn.bias ? syn.bias[Math.floor(j / per)] : 0;
      const n = s2Neuron(layer, j, b, wScale, dt, opts.timeUnit, integrator === "FORWARD");
      params.threshold.push(n.threshold); params.alpha_decay.push(n.alpha); params.i_offset.push(n.iOffset); vScale.push(n.vScale);
    }
    populations.push({
      name: p.node, size: p.size, neuron_model: syn.kind === "conv" ? "lif_conv2d" : "lif_no_delay",
      params: { ...params, reset: opts.reset === "zero" ? "reset_to_v_reset" : "reset_by_subtraction" },
      record: p.isOutput ? ["spikes", "v"] : [], nir_v_scale: vScale, nir_w_scale: wScale, max_atoms_per_core: atoms,
    });
    if (syn.kind === "conv") {
      const [cOut, cIn] = [syn.outShape[0], syn.inShape[0]];
      const [kh, kw] = syn.kernel;
      const weights = new Array<number>(syn.weight.length);
      for (let o = 0; o < cOut; o++) for (let c = 0; c < cIn; c++) for (let k = 0; k < kh * kw; k++) weights[(c * cOut + o) * kh * kw + k] = int8(syn.weight[(o * cIn + c) * kh * kw + k]);
      quantization.push(quantError(syn.node, "weight", syn.weight, Array.from(syn.weight, (w) => Math.max(-127, Math.min(127, Math.trunc(w * wScale)))), wScale, clipped));
      const src = syn.pool ? syn.pool.inShape : syn.inShape;
      projections.push({
        name: syn.node, pre, post: p.node, connections: [], projection_type: "Conv2DProjection", weights, weights_shape: [cIn, cOut, kh, kw],
        conv_params: {
          in_height: src[1], in_width: src[2], stride_x: syn.stride[0], stride_y: syn.stride[1], pool_x: syn.pool?.kernel[0] ?? 1, pool_y: syn.pool?.kernel[1] ?? 1,
          pad_top: syn.padding[0], pad_bottom: syn.padding[0], pad_left: syn.padding[1], pad_right: syn.padding[1],
        },
      } as S2ConvProjection);
    } else {
      const d = foldPool(syn);
      const conns: [number, number, number, number][] = [];
      const fw: number[] = [], qw: number[] = [];
      for (let o = 0; o < d.nOut; o++) for (let i = 0; i < d.nIn; i++) {
        const w = d.weight[o * d.nIn + i];
        if (w === 0) continue;
        const q = int8(w);
        fw.push(w); qw.push(q);
        conns.push([i, o, q, 0]);
      }
      quantization.push(quantError(syn.node, "weight", fw, qw, wScale, clipped));
      projections.push({ name: syn.node, pre, post: p.node, connections: conns });
    }
    pre = p.node;
  }
  const outputs = chain.layers.filter((l) => l.population.isOutput).map((l) => l.population.node);
  return {
    chip: "spinnaker2", format: "nirkit spinnaker2/1 (py-spinnaker2 s2_nir populations + projections, Conv2DProjection)", dt, reset: opts.reset,
    conversion: { dt, output_record: ["spikes", "v"], conn_delay: 0, scale_weights: scaleWeights, integrator, reset: opts.reset === "zero" ? "ZERO" : "SUBTRACT" },
    populations, projections, inputPopulation: chain.inputNode, outputPopulations: outputs.length ? outputs : [chain.layers[chain.layers.length - 1].population.node],
    quantization, warnings: [],
  };
}

/** The conv geometry of a Conv2DProjection with its weights back in (C_out, C_in, kH, kW) order and its pool folded in. */
function projectionConv(p: S2ConvProjection): { g: ConvGeometry; w: Float64Array } {
  const [cIn, cOut, kh, kw] = p.weights_shape;
  const c = p.conv_params;
  const weight = new Float64Array(p.weights.length);
  for (let o = 0; o < cOut; o++) for (let i = 0; i < cIn; i++) for (let k = 0; k < kh * kw; k++) weight[(o * cIn + i) * kh * kw + k] = p.weights[(i * cOut + o) * kh * kw + k];
  const pool = c.pool_x > 1 || c.pool_y > 1 ? { node: p.name, kernel: [c.pool_x, c.pool_y] as [number, number], inShape: [cIn, c.in_height, c.in_width] as [number, number, number] } : null;
  const h = c.in_height / c.pool_x, w = c.in_width / c.pool_y;
  const oh = Math.floor((h + c.pad_top + c.pad_bottom - kh) / c.stride_x) + 1;
  const ow = Math.floor((w + c.pad_left + c.pad_right - kw) / c.stride_y) + 1;
  const folded = foldPool({
    kind: "conv", node: p.name, weight, bias: null, pool, inShape: [cIn, h, w], outShape: [cOut, oh, ow], kernel: [kh, kw],
    stride: [c.stride_x, c.stride_y], padding: [c.pad_top, c.pad_left], dilation: [1, 1], groups: 1,
  });
  return { g: folded, w: folded.weight };
}

/**
 * Runs a conv SpiNNaker2 config: populations in chain order, each step (conn_delay 0) a layer
 * sees this step's spikes of its source; v ← alpha·v + i_offset + Σ w·s (int8 w), spike when
 * v > threshold, then reset to 0 or subtract the threshold. Input (T, ...inputShape), graded allowed.
 */
export function emulateSpinnaker2Conv(config: S2Config, input: Tensor, opts: ChipEmulateOptions = {}): EmulationResult {
  const pops = config.populations;
  const idx = new Map(pops.map((p, i) => [p.name, i]));
  const inp = idx.get(config.inputPopulation) ?? 0;
  const nIn = pops[inp].size;
  const T = input.shape[0];
  if (input.data.length !== T * nIn) throw new NirError("sim.input_shape", `input has shape [${input.shape.join(",")}], expected (T, …) with ${nIn} values per step`, { field: "input" });
  const x = Float64Array.from(input.data as ArrayLike<number>, Number);
  const spikes = pops.map((p) => new Float64Array(p.size));
  const v = pops.map((p) => new Float64Array(p.size));
  const acc = pops.map((p) => new Float64Array(p.size));
  const steps = config.projections.map((pr) => {
    const post = idx.get(pr.post) as number, pre = idx.get(pr.pre) as number;
    if (isS2ConvProjection(pr)) {
      const { g, w } = projectionConv(pr);
      return { pre, post, add: (s: Float64Array, out: Float64Array) => convScatter(g, w, s, out) };
    }
    const nPre = pops[pre].size, nPost = pops[post].size;
    const w = new Float64Array(nPost * nPre);
    for (const [i, o, wt] of pr.connections) w[o * nPre + i] += wt;
    return { pre, post, add: (s: Float64Array, out: Float64Array) => denseScatter(w, nPost, nPre, s, out) };
  });
  const { records, recs } = populationRecords(config, idx, T, opts.record);
  const outIdx = config.outputPopulations.map((n) => idx.get(n) as number);
  const nOut = outIdx.reduce((a, i) => a + pops[i].size, 0);
  const output = new Float32Array(T * nOut);
  for (let t = 0; t < T; t++) {
    spikes[inp].set(x.subarray(t * nIn, (t + 1) * nIn));
    for (const st of steps) {
      const a = acc[st.post];
      a.fill(0);
      st.add(spikes[st.pre], a);
      const pr = pops[st.post].params;
      const th = pr.threshold as number[], alpha = pr.alpha_decay as number[], off = pr.i_offset as number[];
      const sub = pr.reset === "reset_by_subtraction";
      const vs = v[st.post], s = spikes[st.post];
      for (let j = 0; j < vs.length; j++) {
        let vj = alpha[j] * vs[j] + off[j] + a[j];
        if (vj > th[j]) {
          s[j] = 1;
          vj = sub ? vj - th[j] : 0;
        } else s[j] = 0;
        vs[j] = vj;
      }
    }
    let o = 0;
    for (const pi of outIdx) {
      output.set(spikes[pi], t * nOut + o);
      o += pops[pi].size;
    }
    for (const r of recs) (r.t.data as Float64Array).set(r.what === "v" ? v[r.pi] : r.what === "i" ? acc[r.pi] : spikes[r.pi], t * pops[r.pi].size);
  }
  return { chip: "spinnaker2", dt: config.dt, profile: "chip:spinnaker2", steps: T, batch: 1, output: { dtype: "float32", shape: [T, nOut], data: output }, records };
}
