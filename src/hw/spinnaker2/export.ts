/**
 * SpiNNaker2 via py-spinnaker2 `s2_nir`: populations (lif_no_delay / lif_conv2d /
 * lif_curr_exp_no_delay / spike_list) and projections per ConversionConfig (dt, conn_delay,
 * scale_weights → max |w| = 127 per target population, FORWARD or EXPONENTIAL integrator,
 * SUBTRACT or ZERO reset), with per-core neuron limits (max_atoms_per_core). Parameter
 * translation as s2_nir (hardware-and-peers.md §2.4). The fit rules are in fit.ts, the emulator in emulate.ts.
 */
import type { NIRGraph } from "../../ir/types.js";
import { extractDense, param, populationOrder } from "../dense.js";
import { assertFits } from "../fit-violation.js";
import { requireExportBasics, tauSeconds } from "../graph.js";
import { quantError } from "../quant.js";
import type { ChipExportOptions, QuantError } from "../types.js";
import { S2_DEFAULT_ATOMS, s2Violations } from "./fit.js";

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
  assertFits("nirkit's SpiNNaker2 mapping", violations);
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
