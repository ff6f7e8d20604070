/**
 * SpiNNaker2 via py-spinnaker2 `s2_nir`: populations (lif_no_delay / lif_conv2d /
 * lif_curr_exp_no_delay / spike_list) and projections per ConversionConfig (dt, conn_delay,
 * scale_weights → max |w| = 127 per target population, FORWARD or EXPONENTIAL integrator,
 * SUBTRACT or ZERO reset), with per-core neuron limits (max_atoms_per_core). Parameter
 * translation as s2_nir (hardware-and-peers.md §2.4). Emulation in float64 with int8 weights.
 */
import { NirError } from "../../ir/errors.js";
import type { Tensor } from "../../ir/tensor.js";
import type { NIRGraph } from "../../ir/types.js";
import { extractDense, graphWeightCount, maxFanOut, param, populationOrder, type DenseNet } from "../dense.js";
import { flatNumbers, parseRecordSpec, requireExportBasics, tauSeconds } from "../graph.js";
import { quantError } from "../quant.js";
import { CHIP_LABELS, type ChipEmulateOptions, type EmulationResult, type ChipExportOptions, type ChipFitOptions, type FitReport, type FitViolation, type QuantError } from "../types.js";

/** Processing elements per SpiNNaker2 chip (Höppner et al. 2021: 152 ARM Cortex-M4F PEs). */
export const S2_PES = 152;
/** Default neurons per PE when the user sets none. */
export const S2_DEFAULT_ATOMS = 250;

/** One population (py-spinnaker2 `snn.Population`). */
export interface S2Population {
  name: string;
  size: number;
  neuron_model: "spike_list" | "lif_no_delay" | "lif_conv2d" | "lif_curr_exp_no_delay";
  params: { threshold?: number[]; alpha_decay?: number[]; i_offset?: number[]; exc_decay?: number[]; inh_decay?: number[]; reset?: string; t_refrac?: number; v_reset?: number };
  record: string[];
  nir_v_scale: number[];
  nir_w_scale: number;
  max_atoms_per_core: number;
}

/** One projection: connection list [pre, post, weight, delay]. */
export interface S2Projection {
  name: string;
  pre: string;
  post: string;
  connections: [number, number, number, number][];
}

/** The exported SpiNNaker2 network. */
export interface S2Config {
  chip: "spinnaker2";
  format: string;
  dt: number;
  reset: "zero" | "subtract";
  conversion: { dt: number; output_record: string[]; conn_delay: number; scale_weights: boolean; integrator: "FORWARD" | "EXPONENTIAL"; reset: "SUBTRACT" | "ZERO" };
  populations: S2Population[];
  projections: S2Projection[];
  inputPopulation: string;
  outputPopulations: string[];
  quantization: QuantError[];
  warnings: string[];
}

function s2Violations(graph: NIRGraph, net: DenseNet, opts: { connDelay?: number }): FitViolation[] {
  const v = net.violations.filter((x) => !(x.constraint === "weights fed by Input or neurons" && /Pool2d$/.test(String(x.actual))));
  for (const [name, type] of net.other) {
    if (!["Conv2d", "SumPool2d", "AvgPool2d"].includes(type)) v.push({ node: name, constraint: "supported node types (s2_nir)", limit: "LIF, IF, CubaLIF, Affine, Linear, Conv2d, SumPool2d, AvgPool2d, Flatten", actual: type, fix: "replace this node" });
    if (type === "Conv2d" && opts.connDelay !== undefined && opts.connDelay !== 0) v.push({ node: name, constraint: "Conv2DProjection needs conn_delay 0", limit: 0, actual: opts.connDelay, fix: "use connDelay 0" });
    if (type === "SumPool2d" || type === "AvgPool2d") {
      const p = graph.nodes.get(name) as unknown as { kernel_size: Tensor; stride: Tensor; padding: Tensor };
      const k = Array.from(flatNumbers(Array.from(p.kernel_size.data as ArrayLike<number>, Number)));
      const s = Array.from(p.stride.data as ArrayLike<number>, Number);
      const pad = Array.from(p.padding.data as ArrayLike<number>, Number);
      if (k.join() !== s.join() || pad.some((x) => x !== 0)) v.push({ node: name, constraint: "pooling fused into conv: kernel = stride, no padding", limit: "kernel = stride, pad 0", actual: `k ${k} s ${s} p ${pad}`, fix: "use non-overlapping unpadded pooling" });
    }
  }
  for (const p of net.populations) {
    if (!["LIF", "IF", "CubaLIF"].includes(p.type)) v.push({ node: p.node, constraint: "neuron models lif / lif_curr_exp", limit: "LIF, IF, CubaLIF", actual: p.type, fix: "use LIF, IF or CubaLIF" });
  }
  for (const [name, type] of net.other) if (type === "Conv2d") {
    for (const e of graph.edges) if (e[0] === name && graph.nodes.get(e[1])?.type === "CubaLIF") v.push({ node: e[1], constraint: "no CubaLIF after Conv2d", limit: "LIF/IF", actual: "CubaLIF", fix: "use LIF or IF after convolutions" });
  }
  return v;
}

/** Checks a graph against SpiNNaker2 (s2_nir rules, PEs needed at max_atoms_per_core). */
export function checkFitSpinnaker2(graph: NIRGraph, opts: ChipFitOptions = {}): FitReport {
  const net = extractDense(graph);
  const violations = s2Violations(graph, net, opts);
  const atoms = opts.maxAtomsPerCore ?? S2_DEFAULT_ATOMS;
  const pes = net.populations.reduce((a, p) => a + Math.ceil(p.size / atoms), 0) + Math.ceil(net.inputSize / atoms);
  if (pes > S2_PES) violations.push({ node: "(graph)", constraint: "processing elements ≤ 152", limit: S2_PES, actual: pes, fix: "raise max_atoms_per_core or use a multi-chip board" });
  const neurons = net.populations.reduce((a, p) => a + p.size, 0);
  const synapses = graphWeightCount(graph);
  const fan = maxFanOut(net);
  return {
    chip: "spinnaker2",
    chipLabel: CHIP_LABELS.spinnaker2,
    fits: violations.length === 0,
    violations,
    warnings: [],
    resources: [
      { resource: `PEs (${atoms} neurons each)`, used: pes, capacity: S2_PES },
      { resource: "neurons", used: neurons, capacity: S2_PES * atoms },
    ],
    neurons,
    synapses,
    fanOut: { used: fan, capacity: Infinity },
    layers: net.populations.map((p) => ({ name: p.node, nodes: [p.node], neurons: p.size, synapses: 0 })),
  };
}

/** Converts a dense graph per s2_nir; throws a NirError if it does not fit. */
export function exportSpinnaker2(graph: NIRGraph, opts: ChipExportOptions): S2Config {
  requireExportBasics(opts, "spinnaker2");
  const dt = opts.dt;
  const unit = opts.timeUnit ?? "s";
  const connDelay = opts.connDelay ?? 1;
  const integrator = opts.integrator ?? "FORWARD";
  const scaleWeights = opts.scaleWeights ?? true;
  const atoms = opts.maxAtomsPerCore ?? S2_DEFAULT_ATOMS;
  const net = extractDense(graph);
  const violations = s2Violations(graph, net, { connDelay });
  if (net.other.length) violations.push({ node: net.other[0][0], constraint: "dense projections (nirkit SpiNNaker2 exporter)", limit: "Affine/Linear", actual: net.other[0][1], fix: "convert conv networks with py-spinnaker2 directly" });
  if (violations.length) {
    const v = violations[0];
    throw new NirError("hw.unsupported", `graph does not fit nirkit's SpiNNaker2 mapping: ${v.constraint} (limit ${v.limit}, actual ${v.actual})`, { node: v.node, hint: v.fix });
  }
  const resetName = opts.reset === "zero" ? "reset_to_v_reset" : "reset_by_subtraction";
  const populations: S2Population[] = [{ name: net.inputNode ?? "input", size: net.inputSize, neuron_model: "spike_list", params: {}, record: [], nir_v_scale: [], nir_w_scale: 1, max_atoms_per_core: atoms }];
  const projections: S2Projection[] = [];
  const quantization: QuantError[] = [];
  const fwd = integrator === "FORWARD";
  for (const pi of populationOrder(net)) {
    const p = net.populations[pi];
    const incoming = net.projections.filter((q) => q.dst === pi);
    const maxW = incoming.reduce((a, q) => q.weight.reduce((b, w) => Math.max(b, Math.abs(w)), a), 0);
    const wScale = opts.weightScale ?? (scaleWeights && maxW > 0 ? 127 / maxW : 1);
    const bias = new Float64Array(p.size);
    for (const q of incoming) if (q.bias) q.bias.forEach((b, j) => (bias[j] += b));
    const thr = param(p, "v_threshold", 1);
    const r = param(p, "r", 1);
    const vLeak = param(p, "v_leak", 0);
    const threshold: number[] = [], alpha: number[] = [], iOff: number[] = [], vScale: number[] = [], synDecay: number[] = [];
    for (let j = 0; j < p.size; j++) {
      if (p.type === "IF") {
        const s = (1 / r[j]) * wScale;
        threshold.push(thr[j] * s); alpha.push(1); iOff.push(bias[j] * wScale); vScale.push(s);
      } else if (p.type === "LIF") {
        const tau = tauSeconds(param(p, "tau", 1)[j], unit, dt);
        const f = fwd ? dt / tau : 1 - Math.exp(-dt / tau);
        const s = (1 / (f * r[j])) * wScale;
        threshold.push(thr[j] * s); alpha.push(fwd ? 1 - dt / tau : Math.exp(-dt / tau)); iOff.push(f * vLeak[j] * s + bias[j] * wScale); vScale.push(s);
      } else {
        const tm = tauSeconds(param(p, "tau_mem", 1)[j], unit, dt);
        const ts = tauSeconds(param(p, "tau_syn", 1)[j], unit, dt);
        const wIn = param(p, "w_in", 1)[j];
        const fm = fwd ? dt / tm : 1 - Math.exp(-dt / tm);
        const fs = fwd ? dt / ts : 1 - Math.exp(-dt / ts);
        const iScale = 1 / (fs * wIn);
        const s = (1 / (fm * r[j])) * iScale * wScale;
        threshold.push(thr[j] * s); alpha.push(fwd ? 1 - dt / tm : Math.exp(-dt / tm)); synDecay.push(fwd ? 1 - dt / ts : Math.exp(-dt / ts));
        iOff.push(fm * vLeak[j] * s + bias[j] * wIn * iScale * wScale); vScale.push(s);
      }
    }
    const isCuba = p.type === "CubaLIF";
    populations.push({
      name: p.node, size: p.size,
      neuron_model: isCuba ? "lif_curr_exp_no_delay" : "lif_no_delay",
      params: isCuba
        ? { threshold, alpha_decay: alpha, exc_decay: synDecay, inh_decay: synDecay, i_offset: iOff, reset: resetName, t_refrac: 0, v_reset: 0 }
        : { threshold, alpha_decay: alpha, i_offset: iOff, reset: resetName },
      record: p.isOutput ? ["spikes", "v"] : [],
      nir_v_scale: vScale, nir_w_scale: wScale, max_atoms_per_core: atoms,
    });
    for (const q of incoming) {
      const conns: [number, number, number, number][] = [];
      const fw: number[] = [], qw: number[] = [];
      let clipped = 0;
      for (let o = 0; o < q.nOut; o++) for (let i = 0; i < q.nIn; i++) {
        const w = q.weight[o * q.nIn + i];
        if (w === 0) continue;
        let wi = Math.trunc(w * wScale); // int8 cast, no rounding (as s2_nir)
        if (wi > 127 || wi < -127) { wi = Math.max(-127, Math.min(127, wi)); clipped++; }
        fw.push(w); qw.push(wi);
        conns.push([i, o, wi, connDelay]);
      }
      quantization.push(quantError(q.node, "weight", fw, qw, wScale, clipped));
      projections.push({ name: q.node, pre: q.src === -1 ? (net.inputNode ?? "input") : net.populations[q.src].node, post: p.node, connections: conns });
    }
  }
  return {
    chip: "spinnaker2", format: "nirkit spinnaker2/1 (py-spinnaker2 s2_nir populations + projections)", dt, reset: opts.reset,
    conversion: { dt, output_record: ["spikes", "v"], conn_delay: connDelay, scale_weights: scaleWeights, integrator, reset: opts.reset === "zero" ? "ZERO" : "SUBTRACT" },
    populations, projections, inputPopulation: net.inputNode ?? "input", outputPopulations: net.populations.filter((p) => p.isOutput).map((p) => p.node),
    quantization, warnings: [],
  };
}

/**
 * Emulates an exported SpiNNaker2 network in float64 with its int8 weights: per step, input
 * arrives after conn_delay steps (self-connections at least one step); lif_no_delay: v ← alpha·v + i_offset + Σw·s;
 * lif_curr_exp: I ← exc_decay·I + Σw·s, v ← alpha·v + I + i_offset; spike when v > threshold;
 * reset to 0 or subtract the threshold. Voltages are in population units (÷ nir_v_scale for NIR units).
 */
export function emulateSpinnaker2(config: S2Config, input: Tensor, opts: ChipEmulateOptions = {}): EmulationResult {
  const pops = config.populations;
  const idx = new Map(pops.map((p, i) => [p.name, i]));
  const inp = idx.get(config.inputPopulation) ?? 0;
  const nIn = pops[inp].size;
  const T = input.shape[0];
  if (input.data.length !== T * nIn) throw new NirError("sim.input_shape", `input has shape [${input.shape.join(",")}], expected (T, ${nIn})`, { field: "input" });
  const x = Float64Array.from(input.data as ArrayLike<number>, Number);
  const maxDelay = config.projections.reduce((a, p) => p.connections.reduce((b, c) => Math.max(b, c[3]), a), 0);
  const H = Math.max(maxDelay, 1) + 1;
  const hist = pops.map((p) => Array.from({ length: H }, () => new Float64Array(p.size)));
  const v = pops.map((p) => new Float64Array(p.size));
  const cur = pops.map((p) => new Float64Array(p.size));
  const inc = pops.map((p) => new Float64Array(p.size));
  const records: Record<string, Tensor> = {};
  const recs = (opts.record ?? []).map((r) => {
    const { node, what } = parseRecordSpec(r);
    const pi = idx.get(node);
    if (pi === undefined || pi === inp) throw new NirError("hw.config", `cannot record "${node}": not a neuron population of this SpiNNaker2 config`, { node, hint: `record one of ${pops.filter((_, i) => i !== inp).map((p) => p.name).join(", ")}` });
    const t: Tensor = { dtype: "float64", shape: [T, pops[pi].size], data: new Float64Array(T * pops[pi].size) };
    records[`${node}.${what}`] = t;
    return { pi, what, t };
  });
  const outIdx = config.outputPopulations.map((n) => idx.get(n) as number);
  const nOut = outIdx.reduce((a, i) => a + pops[i].size, 0);
  const output = new Float32Array(T * nOut);
  const projs = config.projections.map((p) => ({ pre: idx.get(p.pre) as number, post: idx.get(p.post) as number, c: p.connections }));
  const order = pops.map((_, i) => i).filter((i) => i !== inp);
  for (let t = 0; t < T; t++) {
    const slot = t % H;
    hist[inp][slot].set(x.subarray(t * nIn, (t + 1) * nIn));
    for (const pi of order) {
      const p = pops[pi];
      const acc = inc[pi];
      acc.fill(0);
      for (const pr of projs) {
        if (pr.post !== pi) continue;
        for (const [pre, post, w, d0] of pr.c) {
          // a population cannot see its own spikes of this step: self-connections act one step later
          const d = d0 === 0 && pr.pre === pi ? 1 : d0;
          if (t - d < 0) continue;
          const s = hist[pr.pre][(t - d) % H][pre];
          if (s !== 0) acc[post] += w * s;
        }
      }
      const pr = p.params;
      const sub = pr.reset === "reset_by_subtraction";
      const spikes = hist[pi][slot];
      for (let j = 0; j < p.size; j++) {
        let vj: number;
        if (p.neuron_model === "lif_curr_exp_no_delay") {
          cur[pi][j] = (pr.exc_decay as number[])[j] * cur[pi][j] + acc[j];
          vj = (pr.alpha_decay as number[])[j] * v[pi][j] + cur[pi][j] + (pr.i_offset as number[])[j];
        } else vj = (pr.alpha_decay as number[])[j] * v[pi][j] + (pr.i_offset as number[])[j] + acc[j];
        const th = (pr.threshold as number[])[j];
        if (vj > th) {
          spikes[j] = 1;
          vj = sub ? vj - th : (pr.v_reset ?? 0);
        } else spikes[j] = 0;
        v[pi][j] = vj;
      }
    }
    let off = 0;
    for (const pi of outIdx) {
      output.set(hist[pi][slot], t * nOut + off);
      off += pops[pi].size;
    }
    for (const r of recs) {
      const src = r.what === "v" ? v[r.pi] : r.what === "i" ? cur[r.pi] : hist[r.pi][slot];
      (r.t.data as Float64Array).set(src, t * pops[r.pi].size);
    }
  }
  return { chip: "spinnaker2", dt: config.dt, profile: "chip:spinnaker2", steps: T, batch: 1, output: { dtype: "float32", shape: [T, nOut], data: output }, records };
}
