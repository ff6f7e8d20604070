/**
 * When a chain layer may add its inputs straight into v: bounds under which every partial sum is
 * exact in float64, so the direct and the ordered sums give the same v.
 */
import { ruled, type ChainLayer } from "./chain-wat.js";

/**
 * When a conv→IF layer may add its inputs straight into v ("direct") instead of summing each
 * step into y and then adding y: exactly when every sum either way is exact in float64, for then
 * both give the same v. The terms x·w are multiples of q = 2^(e + ex) (e the lowest set bit over
 * the weights; x a multiple of 2^ex), and so are v_reset and v (it starts at 0); no partial sum
 * exceeds vmax + S·colSum, with S the sum over the steps so far of the largest input value
 * (steps·xmax for an IF's spikes, xmax = 1, or a power-of-two-scaled pool of them, xmax =
 * fan-in·scale; for the chain's first layer the caller sums its integer input's maxima). Direct is
 * allowed while that bound is ≤ limit = 2^52·q (a factor of 2 inside float64's exact range).
 */
export interface DirectBound {
  layer: number;
  /** max(|θ|, |v_reset|): the largest |v| before a step's inputs. */
  vmax: number;
  /** Largest Σ|w| over one output channel's weights. */
  colSum: number;
  /** Largest input value per step (layers after the first). */
  xmax: number;
  limit: number;
}

/** Exponent of the lowest set bit of a finite non-zero number (|w| = odd·2^e). */
export function lowBit(w: number): number {
  let m = Math.abs(w), e = 0;
  if (Number.isInteger(m)) {
    for (; m % 2 === 0; e++) m /= 2;
  } else {
    for (; !Number.isInteger(m); e--) m *= 2;
  }
  return e;
}

/**
 * The quantum q of chain layer k's sums (every term x·w, v_reset and so every v is a multiple of
 * 2^q, see `DirectBound`) and its largest input value per step, or null when there is none (a
 * weight not finite, a pool of pools, a pool scale not a power of two). Inputs after the first
 * layer are an IF's spikes (1) or a pool of them; the first layer's are checked at run time.
 */
export function sumQuantum(layers: ChainLayer[], k: number): { q: number; xmax: number } | null {
  const l = layers[k];
  if (l.kind === "pool") return null;
  let xmax = 1, ex = 0;
  if (k > 0) {
    const prev = layers[k - 1];
    if (prev.kind === "pool") {
      const src = k >= 2 ? layers[k - 2] : null;
      const e2 = prev.scale > 0 ? Math.log2(prev.scale) : NaN;
      if (!src || src.kind === "pool" || !Number.isInteger(e2)) return null;
      const fanIn = new Int32Array(prev.osz);
      let most = 0;
      for (const q of prev.rowOut) most = Math.max(most, ++fanIn[q]);
      xmax = most * prev.scale;
      ex = e2;
    }
  }
  const wc = l.kind === "convIF" ? l.rows.wc : l.p.wt;
  let e = Infinity;
  for (let i = 0; i < wc.length; i++) {
    const w = wc[i];
    if (!Number.isFinite(w)) return null;
    if (w !== 0) e = Math.min(e, lowBit(w));
  }
  let q = e + ex;
  if (l.vr0 !== 0) q = Math.min(q, lowBit(l.vr0));
  return Number.isFinite(q) ? { q, xmax } : null;
}

/** The direct bound of chain layer k (a conv→IF), or null when it never runs direct. */
export function directBound(layers: ChainLayer[], k: number): DirectBound | null {
  const l = layers[k];
  // a non-lazy rule may emit several spikes per step or change an untouched v: no bound
  if (l.kind !== "convIF" || l.g0 !== 1 || k > 30 || layers.some(ruled)) return null;
  const sq = sumQuantum(layers, k);
  if (!sq) return null;
  const coutG = l.g.cout / l.g.groups, wc = l.rows.wc;
  const col = new Float64Array(coutG);
  for (let i = 0; i < wc.length; i++) col[i % coutG] += Math.abs(wc[i]);
  let colSum = 0;
  for (const c of col) colSum = Math.max(colSum, c);
  return { layer: k, vmax: Math.max(Math.abs(l.th0), Math.abs(l.vr0)), colSum, xmax: sq.xmax, limit: 2 ** (52 + sq.q) };
}

/**
 * When an affine→IF layer (after the chain's first) may add its inputs straight into v: gain 1,
 * no bias, and v ≤ θ whenever no input arrives (0 ≤ θ, v_reset ≤ θ, v_reset not −0), so a neuron
 * that gets no input neither spikes nor changes, as in the ordered update. Then a step runs direct
 * when every sum either way is exact: with the quantum q of `sumQuantum`, max|v| before the step
 * plus Σ over its inputs of |x|·max|W[row]| at most 2^(52+q). The layer keeps max|v| itself (a
 * bound from above: it is recomputed at every step with inputs and only shrinks on a reset), so
 * the test is per step, not cumulative as for a conv. Returns 2^(52+q), or 0 (never direct).
 */
export function affineLimit(layers: ChainLayer[], k: number): number {
  const l = layers[k];
  if (l.kind !== "affineIF" || k === 0 || l.g0 !== 1 || layers.some(ruled) || l.p.bias || !(l.th0 >= 0 && l.vr0 <= l.th0) || Object.is(l.vr0, -0)) return 0;
  const sq = sumQuantum(layers, k);
  return sq ? 2 ** (52 + sq.q) : 0;
}

/**
 * The direct bound of a ruled conv→IF layer (chain-conv-rule.ts), or null when it never runs
 * direct. Only a rule whose update is v + y (a = 1, g = 1, c = +0, the spike decided on the new v,
 * no input delay) can: then v after a step is v + y, or that minus count·θ (θ > 0: it ends in
 * [0, v)), or v_reset, or clamped up to v_min, so |v| ≤ vmax + S·colSum holds with vmax =
 * max(|θ|, |v_reset|, |v_min|) and S the sum of each step's largest input value, which the layer
 * adds up itself (an input from a multi-spike layer is a count, not 1). Every term, θ, v_reset
 * and v_min are multiples of 2^q and the inputs multiples of 2^ex (checked per step), so while the
 * bound is ≤ limit = 2^(52+q) every sum is exact either way, as for the lazy layers.
 */
export interface RuledDirectBound {
  vmax: number;
  colSum: number;
  limit: number;
  /** The inputs' quantum exponent: each input value is a multiple of 2^ex. */
  ex: number;
}

/** The ruled direct bound of chain layer k, or null (see `RuledDirectBound`). */
export function ruledDirectBound(layers: ChainLayer[], k: number): RuledDirectBound | null {
  const l = layers[k];
  if (l.kind !== "convIF" || !l.rule || l.rule.kind !== "linear") return null;
  const r = l.rule;
  if (r.a !== 1 || r.g !== 1 || !Object.is(r.c, 0) || r.timing !== "same" || r.delay || r.dense || Object.is(r.vr, -0)) return null;
  if (r.subtract && !(r.th > 0)) return null;
  if (r.vmin !== null && (Object.is(r.vmin, -0) || !Number.isFinite(r.vmin))) return null;
  const sq = sumQuantum(layers, k);
  if (!sq) return null;
  const prev = k > 0 ? layers[k - 1] : null;
  const ex = prev && prev.kind === "pool" ? Math.log2(prev.scale) : 0;
  let q = sq.q;
  for (const c of [r.th, r.vr, r.vmin ?? 0]) if (c !== 0) q = Math.min(q, lowBit(c));
  const col = new Float64Array(l.g.cout / l.g.groups), wc = l.rows.wc;
  for (let i = 0; i < wc.length; i++) col[i % col.length] += Math.abs(wc[i]);
  return { vmax: Math.max(Math.abs(r.th), Math.abs(r.vr), Math.abs(r.vmin ?? 0)), colSum: Math.max(...col), limit: 2 ** (52 + q), ex };
}
