/**
 * Loihi 2 export in the paper's fixed-point mapping (NIR paper/nir_to_lava.py) and Lava's
 * bit-accurate model: dv = int(dt/τ_mem·4095) (IF: 0), du = int(dt/τ_syn·4095) (LIF and IF:
 * 4095 — no current memory), vThMant = int(v_th·131071) >> 9, weights int(w_eff·256) with
 * w_eff = w·(w_in·dt/τ_syn)·(r·dt/τ_mem) folded per target neuron, an exponent when they exceed
 * 8 bits, and the Lava sign-mode truncation (mixed-sign weights lose their LSB). The result is
 * a lava-dl netx-shaped layer list (`layer[i]` with type/shape/inFeatures/outFeatures/weight/
 * neuron{type: CUBA, iDecay, vDecay, vThMant, refDelay, gradedSpike}).
 */
import type { NIRGraph } from "../../ir/types.js";
import { extractDense, param, populationOrder } from "../dense.js";
import { nest, requireExportBasics, tauSeconds } from "../graph.js";
import { quantError } from "../quant.js";
import type { ChipExportOptions, QuantError } from "../types.js";
import { loihiViolations } from "./fit.js";
import { assertFits } from "../fit-violation.js";

/** One synapse group feeding a layer (a Lava `Dense` process). */
export interface Loihi2Synapse {
  /** Layer index of the source (0 = input layer). */
  source: number;
  nirNode: string;
  inFeatures: number;
  outFeatures: number;
  /** Integer weights [out][in]. */
  weight: number[][];
  weightExponent: number;
  /** Lava sign mode: 1 mixed, 2 excitatory, 3 inhibitory. */
  signMode: number;
}

/** One netx-style layer (conv and flatten layers: loihi2/conv.ts). */
export interface Loihi2Layer {
  type: "input" | "dense" | "conv" | "flatten";
  /** (x, y, z) as netx stores it: (1, 1, N) for dense populations, (W, H, C) for conv layers and images. */
  shape: [number, number, number];
  nirNode: string;
  inFeatures?: number;
  outFeatures?: number;
  /** netx `weight` of the primary (feed-forward) synapse: (out, in), conv (out, in/groups, kH, kW). */
  weight?: number[][] | number[][][][];
  /** conv layers: netx conv block fields. */
  inChannels?: number;
  outChannels?: number;
  kernelSize?: [number, number];
  stride?: [number, number];
  padding?: [number, number];
  dilation?: [number, number];
  groups?: number;
  weightExponent?: number;
  /** Every synapse feeding this layer (feed-forward first, then recurrent / skip). */
  synapses?: Loihi2Synapse[];
  neuron?: {
    type: "CUBA";
    iDecay: number;
    vDecay: number;
    vThMant: number;
    refDelay: number;
    gradedSpike: boolean;
    biasMant: number[];
    biasExp: number;
  };
  output?: boolean;
}

/** The exported Loihi 2 configuration (JSON mirror of a netx network). */
export interface Loihi2Config {
  chip: "loihi2";
  format: string;
  dt: number;
  reset: "zero";
  layer: Loihi2Layer[];
  quantization: QuantError[];
  warnings: string[];
}

/** Lava weight truncation for 8 weight bits: returns weights and the sign mode. */
export function lavaTruncateWeights(w: number[]): { w: number[]; signMode: number } {
  const mixed = w.some((x) => x > 0) && w.some((x) => x < 0);
  const inhib = !mixed && w.some((x) => x < 0);
  if (mixed) return { w: w.map((x) => Math.min(255, Math.max(-256, x)) >> 1 << 1), signMode: 1 };
  if (inhib) return { w: w.map((x) => Math.max(-255, x)), signMode: 3 };
  return { w: w.map((x) => Math.min(255, x)), signMode: 2 };
}

/** Maps a dense graph to the Lava fixed-point model; throws a NirError if it does not fit. */
export function exportLoihi2(graph: NIRGraph, opts: ChipExportOptions): Loihi2Config {
  requireExportBasics(opts, "loihi2");
  const { dt } = opts;
  const unit = opts.timeUnit ?? "s";
  const net = extractDense(graph);
  const violations = loihiViolations(net, dt, unit);
  if (net.other.length) violations.push({ node: net.other[0][0], constraint: "dense layers (nirkit Loihi 2 exporter)", limit: "Affine/Linear", actual: net.other[0][1], fix: "export conv networks with lava-dl netx directly" });
  assertFits("nirkit's Loihi 2 mapping", violations);
  const warnings: string[] = [];
  if (opts.reset === "subtract") warnings.push("Lava's LIF resets v to 0; exported with reset to zero");
  const order = populationOrder(net);
  const layerOf = new Map<number, number>(order.map((p, k) => [p, k + 1]));
  const quantization: QuantError[] = [];
  const layers: Loihi2Layer[] = [{ type: "input", shape: [1, 1, net.inputSize], nirNode: net.inputNode ?? "input" }];
  for (const pi of order) {
    const p = net.populations[pi];
    const tm = tauSeconds((p.type === "LIF" ? param(p, "tau", 1) : param(p, "tau_mem", 1))[0], unit, dt);
    const ts = tauSeconds(param(p, "tau_syn", 1)[0], unit, dt);
    const r = param(p, "r", 1)[0];
    const wIn = param(p, "w_in", 1)[0];
    const vDecay = p.type === "IF" ? 0 : Math.trunc((dt / tm) * 4095);
    const iDecay = p.type === "CubaLIF" ? Math.trunc((dt / ts) * 4095) : 4095;
    const gain = p.type === "IF" ? r : p.type === "LIF" ? (r * dt) / tm : ((wIn * dt) / ts) * ((r * dt) / tm);
    const vThMant = Math.trunc(param(p, "v_threshold", 1)[0] * 131071) >> 9;
    const synapses: Loihi2Synapse[] = [];
    const bias = new Float64Array(p.size);
    for (const pr of net.projections.filter((q) => q.dst === pi)) {
      const weff = Array.from(pr.weight, (w) => w * gain);
      const maxAbs = weff.reduce((a, w) => Math.max(a, Math.abs(w * 256)), 0);
      let exp = 0;
      while (maxAbs / 2 ** exp > 255 && exp < 7) exp++;
      const raw = weff.map((w) => Math.trunc((w * 256) / 2 ** exp));
      const { w: qw, signMode } = lavaTruncateWeights(raw);
      const clipped = raw.filter((x, k) => x !== qw[k] && Math.abs(x - qw[k]) > 1).length;
      quantization.push(quantError(pr.node, "weight", weff, qw, 256 / 2 ** exp, clipped));
      synapses.push({ source: pr.src === -1 ? 0 : (layerOf.get(pr.src) as number), nirNode: pr.node, inFeatures: pr.nIn, outFeatures: pr.nOut, weight: nest(qw, [pr.nOut, pr.nIn]) as number[][], weightExponent: exp, signMode });
      if (pr.bias) {
        // steady-state bias per step on v (exact for LIF/IF; CubaLIF: w_in·r·dt/τ_mem per unit bias)
        const bGain = p.type === "IF" ? r : p.type === "LIF" ? (r * dt) / tm : (wIn * r * dt) / tm;
        pr.bias.forEach((b, j) => (bias[j] += b * bGain));
        if (p.type === "CubaLIF" && pr.bias.some((b) => b !== 0)) warnings.push(`${pr.node}: bias mapped to a membrane bias (steady-state equivalent; the synaptic filter is skipped)`);
      }
    }
    const own = layerOf.get(pi) as number;
    synapses.sort((a, b) => (a.source === own ? 1 : 0) - (b.source === own ? 1 : 0) || a.source - b.source);
    let biasExp = 0;
    const bScaled = Array.from(bias, (b) => b * 256 * 64);
    const maxB = bScaled.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
    while (maxB / 2 ** biasExp > 4095 && biasExp < 7) biasExp++;
    const biasMant = bScaled.map((b) => Math.max(-4096, Math.min(4095, Math.trunc(b / 2 ** biasExp))));
    if (maxB > 0) quantization.push(quantError(`${p.node}`, "bias", bias, biasMant, (256 * 64) / 2 ** biasExp));
    const first = synapses[0];
    layers.push({
      type: "dense",
      shape: [1, 1, p.size],
      nirNode: p.node,
      inFeatures: first?.inFeatures,
      outFeatures: p.size,
      weight: first?.weight,
      weightExponent: first?.weightExponent,
      synapses,
      neuron: { type: "CUBA", iDecay, vDecay, vThMant, refDelay: 1, gradedSpike: false, biasMant, biasExp },
      output: p.isOutput,
    });
  }
  return { chip: "loihi2", format: "nirkit loihi2/1 (lava-dl netx layer description)", dt, reset: "zero", layer: layers, quantization, warnings };
}
