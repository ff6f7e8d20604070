/**
 * Xylo export: channel-wise quantisation (Rockpool `channel_quantize` idea: per target neuron,
 * scale = 127 / max |incoming weight|, thresholds scaled alike and capped at 32767 by scaling
 * down), dashes as integers, and the spec dict `config_from_specification` consumes.
 */
import type { NIRGraph } from "../../ir/types.js";
import { clampBits, nest, requireExportBasics, roundHalfEven } from "../graph.js";
import { quantError } from "../quant.js";
import type { ChipExportOptions, QuantError } from "../types.js";
import { checkFitXylo } from "./fit.js";
import { planXylo } from "./map.js";
import { assertFits } from "../fit-violation.js";

/** The Xylo Audio 2 specification (Rockpool spec-dict keys) plus nirkit's node map. */
export interface XyloConfig {
  chip: "xylo";
  device: "SYNS61201";
  format: string;
  dt: number;
  reset: "subtract";
  weights_in: number[][];
  weights_rec: number[][];
  weights_out: number[][];
  dash_mem: number[];
  dash_mem_out: number[];
  dash_syn: number[];
  dash_syn_2: number[];
  dash_syn_out: number[];
  threshold: number[];
  threshold_out: number[];
  bias: number[];
  bias_out: number[];
  has_bias: boolean;
  weight_shift_in: number;
  weight_shift_rec: number;
  weight_shift_out: number;
  aliases: number[][];
  inputNode: string;
  hiddenNodes: { node: string; offset: number; size: number }[];
  readoutNodes: { node: string; offset: number; size: number }[];
  /** Per-neuron float→integer scales (hidden, readout). */
  scales: { hidden: number[]; readout: number[] };
  quantization: QuantError[];
  warnings: string[];
}

/** Per-column scales: 127/max|w| over the given matrices, capped so round(thr·s) ≤ 32767. */
function channelScales(mats: { w: Float64Array; rows: number }[], cols: number, thr: Float64Array): number[] {
  return Array.from({ length: cols }, (_, j) => {
    let m = 0;
    for (const { w, rows } of mats) for (let i = 0; i < rows; i++) m = Math.max(m, Math.abs(w[i * cols + j]));
    let s = m > 0 ? 127 / m : thr[j] !== 0 ? 32767 / Math.abs(thr[j]) : 1;
    if (Math.abs(thr[j] * s) > 32767) s = 32767 / Math.abs(thr[j]);
    return s;
  });
}

function quantMatrix(w: Float64Array, rows: number, cols: number, s: number[]): { q: number[]; clipped: number } {
  let clipped = 0;
  const q = Array.from(w, (x, k) => {
    const v = roundHalfEven(x * s[k % cols]);
    const c = clampBits(v, 8);
    if (c !== v) clipped++;
    return c;
  });
  return { q, clipped };
}

/** Maps and quantises a graph for Xylo Audio 2; throws a NirError if it does not fit. */
export function exportXylo(graph: NIRGraph, opts: ChipExportOptions): XyloConfig {
  requireExportBasics(opts, "xylo");
  const fit = checkFitXylo(graph, { dt: opts.dt, timeUnit: opts.timeUnit, reset: opts.reset });
  assertFits("Xylo Audio 2", fit.violations);
  const p = planXylo(graph, opts.dt, opts.timeUnit ?? "s");
  const sH = channelScales([{ w: p.wIn, rows: p.nIn }, { w: p.wRec, rows: p.nHid }], p.nHid, p.threshold);
  const sO = channelScales([{ w: p.wOut, rows: p.nHid }], p.nOut, p.thresholdOut);
  const qi = quantMatrix(p.wIn, p.nIn, p.nHid, sH);
  const qr = quantMatrix(p.wRec, p.nHid, p.nHid, sH);
  const qo = quantMatrix(p.wOut, p.nHid, p.nOut, sO);
  const thr = Array.from(p.threshold, (t, j) => clampBits(roundHalfEven(t * sH[j]), 16));
  const thrOut = Array.from(p.thresholdOut, (t, j) => clampBits(roundHalfEven(t * sO[j]), 16));
  const colH = (k: number): number => k % p.nHid;
  const colO = (k: number): number => k % p.nOut;
  const quantization = [
    quantError("weights_in", "weight", p.wIn, qi.q, sH, qi.clipped, colH),
    quantError("weights_rec", "weight", p.wRec, qr.q, sH, qr.clipped, colH),
    quantError("weights_out", "weight", p.wOut, qo.q, sO, qo.clipped, colO),
    quantError("threshold", "v_threshold", p.threshold, thr, sH),
    quantError("threshold_out", "v_threshold", p.thresholdOut, thrOut, sO),
  ];
  return {
    chip: "xylo",
    device: "SYNS61201",
    format: "nirkit xylo/1 (rockpool syns61201 specification)",
    dt: opts.dt,
    reset: "subtract",
    weights_in: nest(qi.q, [p.nIn, p.nHid]) as number[][],
    weights_rec: nest(qr.q, [p.nHid, p.nHid]) as number[][],
    weights_out: nest(qo.q, [p.nHid, p.nOut]) as number[][],
    dash_mem: p.dashMem,
    dash_mem_out: p.dashMemOut,
    dash_syn: p.dashSyn,
    dash_syn_2: new Array<number>(p.nHid).fill(0),
    dash_syn_out: p.dashSynOut,
    threshold: thr,
    threshold_out: thrOut,
    bias: new Array<number>(p.nHid).fill(0),
    bias_out: new Array<number>(p.nOut).fill(0),
    has_bias: false,
    weight_shift_in: 0,
    weight_shift_rec: 0,
    weight_shift_out: 0,
    aliases: Array.from({ length: p.nHid }, () => []),
    inputNode: p.net.inputNode ?? "input",
    hiddenNodes: p.hiddenNodes,
    readoutNodes: p.readoutNodes,
    scales: { hidden: sH, readout: sO },
    quantization,
    warnings: fit.warnings,
  };
}
