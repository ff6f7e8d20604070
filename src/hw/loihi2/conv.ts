/**
 * Loihi 2 conv networks as lava-dl netx blocks: each neuron layer fed by a Conv2d becomes a netx
 * `conv` layer (inChannels, outChannels, kernelSize, stride, padding, dilation, groups, weight,
 * neuron), an Affine/Linear-fed one a `dense` layer, and a Flatten between them a `flatten` layer.
 * A sum pool is folded exactly into the synapse after it (netx `pool` blocks carry neurons of
 * their own, which would threshold the pooled sums). Neurons, weights and biases use the same
 * fixed-point mapping as the dense exporter (export.ts): weights int(w_eff·256) with an exponent,
 * Lava sign-mode truncation, CUBA decays and vThMant. Emulation is Lava's bit-accurate
 * PyLifModelBitAcc with Conv/Dense synapses that deliver one step later, layer by layer.
 */
import { NirError } from "../../ir/errors.js";
import type { Tensor } from "../../ir/tensor.js";
import type { NIRGraph } from "../../ir/types.js";
import { convScatter, denseScatter, extractConvChain, foldPool, hasConv2d, type ConvGeometry } from "../conv-chain.js";
import { extractDense, param } from "../dense.js";
import { flatNumbers, nest, requireExportBasics, tauSeconds } from "../graph.js";
import { parseRecordSpec } from "../../sim/record.js";
import { quantError } from "../quant.js";
import type { ChipEmulateOptions, ChipExportOptions, EmulationResult, QuantError } from "../types.js";
import { emulateLoihi2, lavaDecay, lavaWrapU } from "./emulate.js";
import { exportLoihi2, lavaTruncateWeights, type Loihi2Config, type Loihi2Layer } from "./export.js";
import { loihiViolations } from "./fit.js";

const MAX_UV = 2 ** 23;

/** True when a Loihi 2 config holds conv layers (then {@link emulateLoihi2Conv} runs it). */
export function isLoihi2ConvConfig(config: Loihi2Config): boolean {
  return config.layer.some((l) => l.type === "conv");
}

/** The Loihi 2 exporter for any graph: netx conv blocks when it holds a Conv2d, else the dense exporter (export.ts). */
export function exportLoihi2Network(graph: NIRGraph, opts: ChipExportOptions): Loihi2Config {
  return hasConv2d(graph) ? exportLoihi2Conv(graph, opts) : exportLoihi2(graph, opts);
}

/** The Loihi 2 emulator for any exported config: the conv path when it holds conv layers. */
export function emulateLoihi2Network(config: Loihi2Config, input: Tensor, opts: ChipEmulateOptions = {}): EmulationResult {
  return isLoihi2ConvConfig(config) ? emulateLoihi2Conv(config, input, opts) : emulateLoihi2(config, input, opts);
}

/** Maps a sequential conv network to netx conv/flatten/dense layers; NirError naming the node when it cannot. */
export function exportLoihi2Conv(graph: NIRGraph, opts: ChipExportOptions): Loihi2Config {
  requireExportBasics(opts, "loihi2");
  const { dt } = opts;
  const unit = opts.timeUnit ?? "s";
  const violations = loihiViolations(extractDense(graph), dt, unit);
  if (violations.length) {
    const v = violations[0];
    throw new NirError("hw.unsupported", `graph does not fit nirkit's Loihi 2 mapping: ${v.constraint} (limit ${v.limit}, actual ${v.actual})`, { node: v.node, hint: v.fix });
  }
  const chain = extractConvChain(graph, "loihi2");
  const warnings: string[] = [];
  if (opts.reset === "subtract") warnings.push("Lava's LIF resets v to 0; exported with reset to zero");
  const quantization: QuantError[] = [];
  const [c0, h0, w0] = chain.inputShape;
  const layers: Loihi2Layer[] = [{ type: "input", shape: chain.inputShape.length === 3 ? [w0, h0, c0] : [1, 1, c0], nirNode: chain.inputNode }];
  let flat = chain.inputShape.length !== 3;
  for (const layer of chain.layers) {
    const p = layer.population;
    const syn = foldPool(layer.synapse);
    const tm = tauSeconds((p.type === "LIF" ? param(p, "tau", 1) : param(p, "tau_mem", 1))[0], unit, dt);
    const ts = tauSeconds(param(p, "tau_syn", 1)[0], unit, dt);
    const r = param(p, "r", 1)[0], wIn = param(p, "w_in", 1)[0];
    const gain = p.type === "IF" ? r : p.type === "LIF" ? (r * dt) / tm : ((wIn * dt) / ts) * ((r * dt) / tm);
    const weff = Array.from(syn.weight, (w) => w * gain);
    const maxAbs = weff.reduce((a, w) => Math.max(a, Math.abs(w * 256)), 0);
    let exp = 0;
    while (maxAbs / 2 ** exp > 255 && exp < 7) exp++;
    const raw = weff.map((w) => Math.trunc((w * 256) / 2 ** exp));
    const { w: qw } = lavaTruncateWeights(raw);
    quantization.push(quantError(syn.node, "weight", weff, qw, 256 / 2 ** exp, raw.filter((x, k) => Math.abs(x - qw[k]) > 1).length));
    const per = syn.kind === "conv" ? syn.outShape[1] * syn.outShape[2] : 1;
    const bGain = p.type === "IF" ? r : p.type === "LIF" ? (r * dt) / tm : (wIn * r * dt) / tm;
    const bias = Array.from({ length: p.size }, (_, j) => (syn.bias ? syn.bias[Math.floor(j / per)] * bGain : 0));
    const bScaled = bias.map((b) => b * 256 * 64);
    const maxB = bScaled.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
    let biasExp = 0;
    while (maxB / 2 ** biasExp > 4095 && biasExp < 7) biasExp++;
    const biasMant = bScaled.map((b) => Math.max(-4096, Math.min(4095, Math.trunc(b / 2 ** biasExp))));
    if (maxB > 0) quantization.push(quantError(p.node, "bias", bias, biasMant, (256 * 64) / 2 ** biasExp));
    const neuron: Loihi2Layer["neuron"] = {
      type: "CUBA", iDecay: p.type === "CubaLIF" ? Math.trunc((dt / ts) * 4095) : 4095, vDecay: p.type === "IF" ? 0 : Math.trunc((dt / tm) * 4095),
      vThMant: Math.trunc(param(p, "v_threshold", 1)[0] * 131071) >> 9, refDelay: 1, gradedSpike: false, biasMant, biasExp,
    };
    if (syn.kind === "conv") {
      const [cOut, oh, ow] = syn.outShape;
      layers.push({
        type: "conv", shape: [ow, oh, cOut], nirNode: p.node, inChannels: syn.inShape[0], outChannels: cOut,
        kernelSize: syn.kernel, stride: syn.stride, padding: syn.padding, dilation: syn.dilation, groups: syn.groups,
        weight: nest(qw, [cOut, syn.inShape[0] / syn.groups, ...syn.kernel]) as number[][][][], weightExponent: exp, neuron, output: p.isOutput,
      });
    } else {
      if (!flat) layers.push({ type: "flatten", shape: [1, 1, syn.nIn], nirNode: syn.pool?.node ?? syn.node });
      flat = true;
      layers.push({
        type: "dense", shape: [1, 1, syn.nOut], nirNode: p.node, inFeatures: syn.nIn, outFeatures: syn.nOut,
        weight: nest(qw, [syn.nOut, syn.nIn]) as number[][], weightExponent: exp, neuron, output: p.isOutput,
      });
    }
  }
  if (!layers.some((l) => l.output)) layers[layers.length - 1].output = true;
  return { chip: "loihi2", format: "nirkit loihi2/1 (lava-dl netx layer description; conv weight (out, in/groups, kH, kW), C·H·W flatten order)", dt, reset: "zero", layer: layers, quantization, warnings };
}

/** One neuron layer of a conv config as the emulator runs it. */
interface RunLayer {
  li: number;
  size: number;
  add: (s: Float64Array, out: Float64Array) => void;
  exp: number;
}

/**
 * Runs a conv Loihi 2 config bit-accurately (see emulate.ts for the neuron step): input
 * (T, ...inputShape); each Conv/Dense synapse accumulates this step's source spikes, shifts by
 * its weight exponent and delivers the result one step later.
 */
export function emulateLoihi2Conv(config: Loihi2Config, input: Tensor, opts: ChipEmulateOptions = {}): EmulationResult {
  const layers = config.layer;
  const nIn = layers[0].shape.reduce((a, b) => a * b, 1);
  const T = input.shape[0];
  if (input.data.length !== T * nIn) throw new NirError("sim.input_shape", `input has shape [${input.shape.join(",")}], expected (T, …) with ${nIn} values per step`, { field: "input" });
  const x = Float64Array.from(input.data as ArrayLike<number>, Number);
  let inShape = [layers[0].shape[2], layers[0].shape[1], layers[0].shape[0]];
  const run: RunLayer[] = [];
  layers.forEach((l, li) => {
    if (!l.neuron) return;
    const w = flatNumbers(l.weight);
    const size = l.shape.reduce((a, b) => a * b, 1);
    if (l.type === "conv") {
      const g: ConvGeometry = {
        inShape: inShape as [number, number, number], outShape: [l.shape[2], l.shape[1], l.shape[0]], kernel: l.kernelSize as [number, number],
        stride: l.stride as [number, number], padding: l.padding as [number, number], dilation: l.dilation as [number, number], groups: l.groups ?? 1,
      };
      run.push({ li, size, add: (s, out) => convScatter(g, w, s, out), exp: l.weightExponent ?? 0 });
      inShape = g.outShape;
    } else {
      const nI = l.inFeatures as number;
      run.push({ li, size, add: (s, out) => denseScatter(w, size, nI, s, out), exp: l.weightExponent ?? 0 });
      inShape = [size];
    }
  });
  const u = run.map((r) => new Float64Array(r.size)), v = run.map((r) => new Float64Array(r.size));
  const s = run.map((r) => new Float64Array(r.size)), buf = run.map((r) => new Float64Array(r.size));
  const records: Record<string, Tensor> = {};
  const recs = (opts.record ?? []).map((spec) => {
    const { node, what, key } = parseRecordSpec(spec);
    const k = run.findIndex((r) => layers[r.li].nirNode === node);
    if (k < 0) throw new NirError("hw.config", `cannot record "${node}": not a neuron layer of this Loihi 2 config`, { node });
    const t: Tensor = { dtype: "float64", shape: [T, run[k].size], data: new Float64Array(T * run[k].size) };
    records[key] = t;
    return { k, what, t };
  });
  const outs = run.map((r, k) => (layers[r.li].output ? k : -1)).filter((k) => k >= 0);
  const nOut = outs.reduce((a, k) => a + run[k].size, 0);
  const output = new Float32Array(T * nOut);
  const src = new Float64Array(nIn);
  for (let t = 0; t < T; t++) {
    for (let k = 0; k < run.length; k++) {
      const n = layers[run[k].li].neuron!;
      const vth = n.vThMant * 64, bias = n.biasMant, bexp = 2 ** (n.biasExp ?? 0);
      const uk = u[k], vk = v[k], sk = s[k], a = buf[k];
      for (let j = 0; j < uk.length; j++) {
        const uj = lavaWrapU(lavaDecay(uk[j], n.iDecay + 1) + a[j] * 64);
        uk[j] = uj;
        let vj = lavaDecay(vk[j], n.vDecay) + uj + (bias[j] ?? 0) * bexp;
        if (vj > MAX_UV - 1) vj = MAX_UV - 1;
        else if (vj < -MAX_UV + 1) vj = -MAX_UV + 1;
        sk[j] = vj > vth ? 1 : 0;
        vk[j] = vj > vth ? 0 : vj;
      }
    }
    src.set(x.subarray(t * nIn, (t + 1) * nIn));
    for (let k = 0; k < run.length; k++) {
      const a = buf[k];
      a.fill(0);
      run[k].add(k === 0 ? src : s[k - 1], a);
      const e = run[k].exp;
      for (let j = 0; j < a.length; j++) a[j] = e >= 0 ? a[j] * 2 ** e : Math.floor(a[j] / 2 ** -e);
    }
    let o = 0;
    for (const k of outs) {
      output.set(s[k], t * nOut + o);
      o += run[k].size;
    }
    for (const r of recs) (r.t.data as Float64Array).set(r.what === "v" ? v[r.k] : r.what === "i" ? u[r.k] : s[r.k], t * run[r.k].size);
  }
  return { chip: "loihi2", dt: config.dt, profile: "chip:loihi2", steps: T, batch: 1, output: { dtype: "float32", shape: [T, nOut], data: output }, records };
}
