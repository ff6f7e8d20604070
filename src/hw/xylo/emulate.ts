/**
 * Bit-exact Xylo Audio 2 emulator, following xylosim v2 (XyloLayer.cpp, XyloIAFNeuron.cpp):
 * per step (1) input events, capped at 15 per channel, each add `w << weight_shift_in` to the
 * target synaptic current with 16-bit saturation; (2) the previous step's hidden spikes
 * (capped at 31) are delivered the same way to hidden (W_rec) and readout (W_out) neurons;
 * (3) every neuron: each Isyn −= decay(Isyn, dash_syn); dv = −decay(Vmem, dash_mem) + ΣIsyn
 * (saturated), + bias if enabled (saturated); Vmem += dv (saturated); while Vmem ≥ threshold
 * and the spike budget (31 hidden, 1 readout) is not used up: spike and Vmem −= threshold.
 * decay(v, dash) = v >> dash (arithmetic), but ±1 toward zero when that is 0 and v ≠ 0.
 * Aliases are not emulated (the exporter emits none).
 */
import { NirError } from "../../ir/errors.js";
import type { Tensor } from "../../ir/tensor.js";
import { parseRecordSpec } from "../../sim/record.js";
import { flatNumbers } from "../graph.js";
import type { ChipEmulateOptions, EmulationResult } from "../types.js";
import { XYLO_MAX_HIDDEN_SPIKES, XYLO_MAX_INPUT_SPIKES, XYLO_MAX_OUTPUT_SPIKES } from "./map.js";

/** The fields the emulator reads (an exported {@link XyloConfig} or a hand-written spec). */
export interface XyloSpec {
  chip?: "xylo";
  dt?: number;
  weights_in: unknown;
  weights_rec: unknown;
  weights_out: unknown;
  dash_mem: number[];
  dash_mem_out: number[];
  dash_syn: number[];
  dash_syn_2?: number[];
  dash_syn_out: number[];
  threshold: number[];
  threshold_out: number[];
  bias?: number[];
  bias_out?: number[];
  has_bias?: boolean;
  weight_shift_in?: number;
  weight_shift_rec?: number;
  weight_shift_out?: number;
  hiddenNodes?: { node: string; offset: number; size: number }[];
  readoutNodes?: { node: string; offset: number; size: number }[];
}

/** Saturating 16-bit add (xylosim `safe_add` with 16 bits). */
export function xyloSatAdd(x: number, y: number): number {
  const s = x + y;
  return s > 32767 ? 32767 : s < -32768 ? -32768 : s;
}

/** xylosim bit-shift decay amount: v >> dash, at least ±1 toward zero for v ≠ 0. */
export function xyloDecay(v: number, dash: number): number {
  const d = v >> dash;
  if (d === 0) return v > 0 ? 1 : v < 0 ? -1 : 0;
  return d;
}

const wrap16 = (x: number): number => (x << 16) >> 16;

interface Group {
  n: number;
  nSyn: number;
  isyn: Int32Array[];
  v: Int32Array;
  dashMem: Int32Array;
  dashSyn: Int32Array[];
  thr: Int32Array;
  bias: Int32Array;
  maxSpikes: number;
  spikes: Int32Array;
}

function group(n: number, nSyn: number, dashMem: number[], dashSyn: number[][], thr: number[], bias: number[] | undefined, maxSpikes: number): Group {
  return {
    n, nSyn,
    isyn: Array.from({ length: nSyn }, () => new Int32Array(n)),
    v: new Int32Array(n),
    dashMem: Int32Array.from(dashMem),
    dashSyn: dashSyn.map((d) => Int32Array.from(d.length ? d : new Array<number>(n).fill(0))),
    thr: Int32Array.from(thr),
    bias: Int32Array.from(bias ?? new Array<number>(n).fill(0)),
    maxSpikes,
    spikes: new Int32Array(n),
  };
}

/** Delivers `counts` (capped at `cap`) through `w` [pre][post][syn] to `g`. */
function deliver(counts: ArrayLike<number>, cap: number, w: Float64Array, nPre: number, g: Group, nSynW: number, shift: number): void {
  for (let i = 0; i < nPre; i++) {
    let n = counts[i];
    if (n > cap) n = cap;
    if (n <= 0) continue;
    for (let j = 0; j < g.n; j++) for (let s = 0; s < nSynW; s++) {
      const wv = w[(i * g.n + j) * nSynW + s];
      if (wv === 0) continue;
      const add = wrap16(wv << shift);
      const cur = g.isyn[s];
      for (let k = 0; k < n; k++) cur[j] = xyloSatAdd(cur[j], add);
    }
  }
}

function evolve(g: Group, hasBias: boolean): void {
  for (let j = 0; j < g.n; j++) {
    let sum = 0;
    for (let s = 0; s < g.nSyn; s++) {
      const cur = g.isyn[s];
      cur[j] -= xyloDecay(cur[j], g.dashSyn[s][j]);
      sum += cur[j];
    }
    let dv = wrap16(-xyloDecay(g.v[j], g.dashMem[j]));
    dv = xyloSatAdd(dv, sum);
    if (hasBias) dv = xyloSatAdd(dv, g.bias[j]);
    let v = xyloSatAdd(g.v[j], dv);
    let n = 0;
    const th = g.thr[j];
    while (v >= th) {
      if (n < g.maxSpikes) {
        n++;
        v = wrap16(v - th);
      } else break;
    }
    g.v[j] = v;
    g.spikes[j] = n;
  }
}

function dims(x: unknown): number[] {
  const d: number[] = [];
  let cur = x;
  while (Array.isArray(cur)) {
    d.push(cur.length);
    cur = cur[0];
  }
  return d;
}

/** Runs a Xylo spec on input event counts (T, Nin). Records: "<hidden or readout node>:spikes|v|i". */
export function emulateXylo(spec: XyloSpec, input: Tensor, opts: ChipEmulateOptions = {}): EmulationResult {
  const nHid = spec.dash_mem.length;
  const nOut = spec.dash_mem_out.length;
  const dIn = dims(spec.weights_in);
  const nIn = dIn[0] ?? 0;
  const nSynIn = dIn.length === 3 ? dIn[2] : 1;
  const nSynRec = dims(spec.weights_rec).length === 3 ? dims(spec.weights_rec)[2] : 1;
  const nSyn = Math.max(nSynIn, nSynRec);
  const wIn = flatNumbers(spec.weights_in);
  const wRec = flatNumbers(spec.weights_rec);
  const wOut = flatNumbers(spec.weights_out);
  if (wIn.length !== nIn * nHid * nSynIn || wRec.length !== nHid * nHid * nSynRec || wOut.length !== nHid * nOut) {
    throw new NirError("hw.config", `Xylo spec matrices do not match ${nIn} inputs, ${nHid} hidden, ${nOut} readout neurons`, { field: "weights_in/weights_rec/weights_out", hint: "shapes must be [Nin][Nhid](,2), [Nhid][Nhid](,2), [Nhid][Nout]" });
  }
  const T = input.shape[0];
  if (input.data.length !== T * nIn) throw new NirError("sim.input_shape", `input has shape [${input.shape.join(",")}], expected (T, ${nIn})`, { field: "input" });
  const x = Float64Array.from(input.data as ArrayLike<number>, Number);
  const dashSyn = [spec.dash_syn, ...(nSyn > 1 ? [spec.dash_syn_2 ?? []] : [])];
  const hid = group(nHid, nSyn, spec.dash_mem, dashSyn, spec.threshold, spec.bias, XYLO_MAX_HIDDEN_SPIKES);
  const out = group(nOut, 1, spec.dash_mem_out, [spec.dash_syn_out], spec.threshold_out, spec.bias_out, XYLO_MAX_OUTPUT_SPIKES);
  const hasBias = spec.has_bias ?? false;
  const hiddenNodes = spec.hiddenNodes ?? [{ node: "hidden", offset: 0, size: nHid }];
  const readoutNodes = spec.readoutNodes ?? [{ node: "readout", offset: 0, size: nOut }];
  const records: Record<string, Tensor> = {};
  const recs = (opts.record ?? []).map((r) => {
    const { node, what, key } = parseRecordSpec(r);
    const h = hiddenNodes.find((n) => n.node === node);
    const o = readoutNodes.find((n) => n.node === node);
    const loc = h ?? o;
    if (!loc) throw new NirError("hw.config", `cannot record "${node}": not a hidden or readout node of this Xylo config`, { node, hint: `record one of ${[...hiddenNodes, ...readoutNodes].map((n) => n.node).join(", ")}` });
    const t: Tensor = { dtype: "float32", shape: [T, loc.size], data: new Float32Array(T * loc.size) };
    records[key] = t;
    return { g: h ? hid : out, loc, what, t };
  });
  const output = new Float32Array(T * nOut);
  const prevHid = new Int32Array(nHid);
  const step = new Float64Array(nIn);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < nIn; i++) step[i] = Math.max(0, Math.floor(x[t * nIn + i]));
    deliver(step, XYLO_MAX_INPUT_SPIKES, wIn, nIn, hid, nSynIn, spec.weight_shift_in ?? 0);
    deliver(prevHid, XYLO_MAX_HIDDEN_SPIKES, wRec, nHid, hid, nSynRec, spec.weight_shift_rec ?? 0);
    deliver(prevHid, XYLO_MAX_HIDDEN_SPIKES, wOut, nHid, out, 1, spec.weight_shift_out ?? 0);
    evolve(hid, hasBias);
    evolve(out, hasBias);
    prevHid.set(hid.spikes);
    for (let j = 0; j < nOut; j++) output[t * nOut + j] = out.spikes[j];
    for (const r of recs) {
      const src = r.what === "v" ? r.g.v : r.what === "i" ? r.g.isyn[0] : r.g.spikes;
      const d = r.t.data as Float32Array;
      for (let k = 0; k < r.loc.size; k++) d[t * r.loc.size + k] = src[r.loc.offset + k];
    }
  }
  return { chip: "xylo", dt: spec.dt ?? 0, profile: "chip:xylo", steps: T, batch: 1, output: { dtype: "float32", shape: [T, nOut], data: output }, records };
}
