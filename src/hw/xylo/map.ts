/**
 * Xylo Audio 2 (SYNS61201) mapping per the Rockpool mapper's design rules: the graph input
 * feeds hidden neurons through W_in, hidden neurons feed each other through W_rec and the
 * readout neurons (those feeding the Output) through W_out. Limits and rules from
 * hardware-and-peers.md §2.2.
 */
import type { NIRGraph } from "../../ir/types.js";
import { extractDense, param, type DenseNet } from "../dense.js";
import { roundHalfEven, tauSeconds } from "../graph.js";
import type { FitViolation, ChipTimeUnit } from "../types.js";

/** SNN input channels. */
export const XYLO_MAX_INPUTS = 16;
/** Hidden neurons. */
export const XYLO_MAX_HIDDEN = 1000;
/** Readout neurons. */
export const XYLO_MAX_OUTPUTS = 8;
/** Largest fan-out of an input channel or hidden neuron. */
export const XYLO_MAX_FANOUT = 64;
/** Largest dash (4-bit). */
export const XYLO_MAX_DASH = 15;
/** Input events per channel per step. */
export const XYLO_MAX_INPUT_SPIKES = 15;
/** Spikes per hidden neuron per step. */
export const XYLO_MAX_HIDDEN_SPIKES = 31;
/** Spikes per readout neuron per step. */
export const XYLO_MAX_OUTPUT_SPIKES = 1;

/** The float network laid out as Xylo matrices, before quantisation. */
export interface XyloPlan {
  net: DenseNet;
  nIn: number;
  hidden: number[];
  readout: number[];
  nHid: number;
  nOut: number;
  /** Effective float weights (w·w_in·dt/τ_syn·r·dt/τ_mem), [Nin][Nhid], [Nhid][Nhid], [Nhid][Nout] flat row-major. */
  wIn: Float64Array;
  wRec: Float64Array;
  wOut: Float64Array;
  threshold: Float64Array;
  thresholdOut: Float64Array;
  dashMem: number[];
  dashSyn: number[];
  dashMemOut: number[];
  dashSynOut: number[];
  hiddenNodes: { node: string; offset: number; size: number }[];
  readoutNodes: { node: string; offset: number; size: number }[];
  violations: FitViolation[];
  warnings: string[];
  maxFanOut: { node: string; value: number };
}

/** dash = round(log2(tau/dt)); violations when tau ≤ dt or dash > 15. */
function dashes(node: string, field: string, taus: Float64Array, dt: number, unit: ChipTimeUnit, violations: FitViolation[]): number[] {
  let bad: number | null = null;
  let badDash: number | null = null;
  const out = Array.from(taus, (t) => {
    const ts = tauSeconds(t, unit, dt);
    if (!(ts > dt) && bad === null) bad = ts;
    const d = ts > 0 ? roundHalfEven(Math.log2(ts / dt)) : 0;
    if ((d < 0 || d > XYLO_MAX_DASH) && badDash === null) badDash = d;
    return Math.max(0, Math.min(XYLO_MAX_DASH, d));
  });
  if (bad !== null) violations.push({ node, constraint: `${field} > dt`, limit: `> ${dt} s`, actual: `${bad} s`, fix: "use longer time constants or a smaller dt" });
  if (badDash !== null) violations.push({ node, constraint: `dash of ${field} in 0..15`, limit: "0..15", actual: badDash, fix: "choose dt so that round(log2(tau/dt)) lies in 0..15" });
  return out;
}

/** Lays a graph out on Xylo Audio 2 and collects violated rules. */
export function planXylo(graph: NIRGraph, dt: number, unit: ChipTimeUnit): XyloPlan {
  const net = extractDense(graph);
  const violations: FitViolation[] = [];
  const warnings: string[] = [];
  for (const [name, type] of net.other) violations.push({ node: name, constraint: "Xylo layers: Linear/Affine weights and LIF neurons", limit: "Affine, Linear, CubaLIF", actual: type, fix: "Xylo has no convolutions or pooling; flatten them into Linear weights" });
  violations.push(...net.violations);
  const readout = net.populations.map((_, i) => i).filter((i) => net.populations[i].isOutput);
  const hidden = net.populations.map((_, i) => i).filter((i) => !net.populations[i].isOutput);
  for (const p of net.populations) {
    if (p.type !== "CubaLIF") {
      violations.push({ node: p.node, constraint: "neuron model: LIF with exponential synapse", limit: "CubaLIF", actual: p.type, fix: "use CubaLIF neurons (Xylo neurons always have synaptic currents)" });
    }
    const vl = param(p, "v_leak", 0);
    if (vl.some((x) => x !== 0)) warnings.push(`${p.node}: v_leak ≠ 0 is not transferred (Xylo has no leak target)`);
  }
  if (hidden.length === 0 || readout.length === 0) {
    violations.push({ node: net.populations[0]?.node ?? "(graph)", constraint: "at least two neuron layers (hidden + readout)", limit: "hidden and readout", actual: `${hidden.length} hidden, ${readout.length} readout populations`, fix: "add a hidden layer between input and readout neurons" });
  }
  let nHid = 0;
  const hiddenNodes = hidden.map((i) => {
    const r = { node: net.populations[i].node, offset: nHid, size: net.populations[i].size };
    nHid += r.size;
    return r;
  });
  let nOut = 0;
  const readoutNodes = readout.map((i) => {
    const r = { node: net.populations[i].node, offset: nOut, size: net.populations[i].size };
    nOut += r.size;
    return r;
  });
  const hidOff = new Map(hidden.map((i, k) => [i, hiddenNodes[k].offset]));
  const outOff = new Map(readout.map((i, k) => [i, readoutNodes[k].offset]));
  const nIn = net.inputSize;
  if (nIn > XYLO_MAX_INPUTS) violations.push({ node: net.inputNode ?? "input", constraint: "input channels ≤ 16", limit: XYLO_MAX_INPUTS, actual: nIn, fix: "reduce the input channels (e.g. a filter bank with ≤16 bands)" });
  if (nHid > XYLO_MAX_HIDDEN) violations.push({ node: hiddenNodes.map((h) => h.node).join(","), constraint: "hidden neurons ≤ 1000", limit: XYLO_MAX_HIDDEN, actual: nHid, fix: "use at most 1000 hidden neurons" });
  if (nOut > XYLO_MAX_OUTPUTS) violations.push({ node: readoutNodes.map((h) => h.node).join(","), constraint: "readout neurons ≤ 8", limit: XYLO_MAX_OUTPUTS, actual: nOut, fix: "use at most 8 output classes" });
  // gains per target neuron: w_in·dt/τ_syn (synapse) · r·dt/τ_mem (membrane), forward Euler
  const gain = net.populations.map((p) => {
    const tm = param(p, p.type === "LIF" ? "tau" : "tau_mem", 1);
    const ts = param(p, "tau_syn", dt);
    const r = param(p, "r", 1);
    const wi = param(p, "w_in", 1);
    return Float64Array.from(tm, (t, j) => {
      const gm = p.type === "IF" ? r[j] : (r[j] * dt) / tauSeconds(t, unit, dt);
      const gs = p.type === "CubaLIF" ? (wi[j] * dt) / tauSeconds(ts[j], unit, dt) : 1;
      return gm * gs;
    });
  });
  // Far beyond the chip (e.g. a CNN's 9k neurons): report sizes, skip the dense matrices.
  const layOut = nHid * nHid <= 16_000_000 && nIn * nHid <= 16_000_000;
  const wIn = new Float64Array(layOut ? nIn * nHid : 0);
  const wRec = new Float64Array(layOut ? nHid * nHid : 0);
  const wOut = new Float64Array(layOut ? nHid * Math.max(nOut, 0) : 0);
  for (const pr of layOut ? net.projections : []) {
    if (pr.bias && pr.bias.some((b) => b !== 0)) warnings.push(`${pr.node}: biases are not transferred to Xylo (the mapper drops biases of weight layers)`);
    const dstIsOut = outOff.has(pr.dst);
    const g = gain[pr.dst];
    if (pr.src >= 0 && outOff.has(pr.src)) {
      violations.push({ node: pr.node, constraint: "readout neurons may not project (no recurrent outputs)", limit: "none", actual: `${net.populations[pr.src].node} → ${net.populations[pr.dst].node}`, fix: "take outputs from a non-recurrent readout layer" });
      continue;
    }
    if (pr.src === -1 && dstIsOut) {
      violations.push({ node: pr.node, constraint: "input projects to hidden neurons only", limit: "Input → hidden", actual: "Input → readout", fix: "add a hidden layer" });
      continue;
    }
    for (let o = 0; o < pr.nOut; o++) for (let i = 0; i < pr.nIn; i++) {
      const w = pr.weight[o * pr.nIn + i] * g[o];
      if (pr.src === -1) wIn[i * nHid + (hidOff.get(pr.dst) as number) + o] += w;
      else if (dstIsOut) wOut[((hidOff.get(pr.src) as number) + i) * nOut + (outOff.get(pr.dst) as number) + o] += w;
      else wRec[((hidOff.get(pr.src) as number) + i) * nHid + (hidOff.get(pr.dst) as number) + o] += w;
    }
  }
  // fan-out
  let maxFanOut = { node: "", value: 0 };
  for (let i = 0; i < (layOut ? nIn : 0); i++) {
    let c = 0;
    for (let j = 0; j < nHid; j++) if (wIn[i * nHid + j] !== 0) c++;
    if (c > maxFanOut.value) maxFanOut = { node: net.inputNode ?? "input", value: c };
  }
  for (let i = 0; i < (layOut ? nHid : 0); i++) {
    let c = 0;
    for (let j = 0; j < nHid; j++) if (wRec[i * nHid + j] !== 0) c++;
    for (let j = 0; j < nOut; j++) if (wOut[i * nOut + j] !== 0) c++;
    if (c > maxFanOut.value) maxFanOut = { node: hiddenNodes.find((h) => i >= h.offset && i < h.offset + h.size)?.node ?? "", value: c };
  }
  if (maxFanOut.value > XYLO_MAX_FANOUT) violations.push({ node: maxFanOut.node, constraint: "fan-out ≤ 64", limit: XYLO_MAX_FANOUT, actual: maxFanOut.value, fix: "prune connections so each input/neuron targets at most 64 neurons" });
  const threshold = new Float64Array(nHid);
  const thresholdOut = new Float64Array(nOut);
  const dashMem: number[] = [], dashSyn: number[] = [], dashMemOut: number[] = [], dashSynOut: number[] = [];
  const fill = (i: number, thr: Float64Array, off: number, dm: number[], ds: number[]): void => {
    const p = net.populations[i];
    param(p, "v_threshold", 1).forEach((v, j) => (thr[off + j] = v));
    const tm = param(p, p.type === "LIF" ? "tau" : "tau_mem", Infinity);
    dm.push(...(p.type === "IF" ? new Array<number>(p.size).fill(XYLO_MAX_DASH) : dashes(p.node, "tau_mem", tm, dt, unit, violations)));
    ds.push(...(p.type === "CubaLIF" ? dashes(p.node, "tau_syn", param(p, "tau_syn", 0), dt, unit, violations) : new Array<number>(p.size).fill(0)));
  };
  hidden.forEach((i, k) => fill(i, threshold, hiddenNodes[k].offset, dashMem, dashSyn));
  readout.forEach((i, k) => fill(i, thresholdOut, readoutNodes[k].offset, dashMemOut, dashSynOut));
  return { net, nIn, hidden, readout, nHid, nOut, wIn, wRec, wOut, threshold, thresholdOut, dashMem, dashSyn, dashMemOut, dashSynOut, hiddenNodes, readoutNodes, violations, warnings, maxFanOut };
}
