/**
 * Comparison metrics of the NIR paper (§4): cosine similarity of flattened arrays, and the
 * activity similarity = cosine of the per-neuron mean over the time axis. Plus spike counts.
 */
import { NirError } from "../ir/errors.js";
import { sizeOf, toFloat64, type Tensor } from "../ir/tensor.js";

type Values = Tensor | ArrayLike<number>;

function values(x: Values): ArrayLike<number> {
  return typeof x === "object" && x !== null && "dtype" in x ? toFloat64(x as Tensor) : (x as ArrayLike<number>);
}

/** Cosine similarity of two equally long vectors (0 when either is all zero). */
export function cosineSimilarity(a: Values, b: Values): number {
  const x = values(a), y = values(b);
  if (x.length !== y.length) throw new NirError("sim.input_shape", `cosineSimilarity: lengths differ (${x.length} vs ${y.length})`);
  let dot = 0, nx = 0, ny = 0;
  for (let i = 0; i < x.length; i++) {
    dot += x[i] * y[i];
    nx += x[i] * x[i];
    ny += y[i] * y[i];
  }
  // torch.CosineSimilarity clamps each norm at eps = 1e-8
  return dot / (Math.max(Math.sqrt(nx), 1e-8) * Math.max(Math.sqrt(ny), 1e-8));
}

/** Mean over axis 0 (time), flattened: the per-neuron rate vector of an activity array. */
export function meanOverTime(a: Tensor): Float64Array {
  const T = a.shape[0];
  const rest = sizeOf(a.shape.slice(1));
  const x = toFloat64(a);
  const out = new Float64Array(rest);
  for (let t = 0; t < T; t++) for (let k = 0; k < rest; k++) out[k] += x[t * rest + k];
  for (let k = 0; k < rest; k++) out[k] /= T;
  return out;
}

/**
 * Activity similarity of the paper: mean over the time axis of each array, flattened, then
 * cosine similarity. Time lengths may differ (e.g. Speck's single bin vs 300 steps).
 */
export function activitySimilarity(a: Tensor, b: Tensor): number {
  return cosineSimilarity(meanOverTime(a), meanOverTime(b));
}

/** Total of all entries (e.g. all spikes of a record). */
export function spikeTotal(a: Values): number {
  const x = values(a);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

/**
 * Spike counts summed over time (axis 0) and every axis after `keepAxes` leading axes of
 * the remainder: spikeCounts(rec) → per-neuron counts; spikeCounts(rec, 1) on (T, B, ...)
 * → per-item totals.
 */
export function spikeCounts(a: Tensor, keepAxes?: number): Float64Array {
  const rest = a.shape.slice(1);
  const keep = keepAxes === undefined ? rest.length : keepAxes;
  const outer = sizeOf(rest.slice(0, keep));
  const inner = sizeOf(rest.slice(keep));
  const x = toFloat64(a);
  const T = a.shape[0];
  const out = new Float64Array(outer);
  for (let t = 0; t < T; t++) {
    const base = t * outer * inner;
    for (let o = 0; o < outer; o++) {
      let s = 0;
      for (let k = 0; k < inner; k++) s += x[base + o * inner + k];
      out[o] += s;
    }
  }
  return out;
}

/** Index of the largest entry (first on ties), e.g. the predicted class from output counts. */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** Spike steps (indices along axis 0) where a 1-D or (T, 1…) record is non-zero. */
export function spikeSteps(a: Tensor): number[] {
  const x = toFloat64(a);
  const per = sizeOf(a.shape.slice(1));
  const steps: number[] = [];
  for (let t = 0; t < a.shape[0]; t++) {
    for (let k = 0; k < per; k++) if (x[t * per + k] !== 0) { steps.push(t); break; }
  }
  return steps;
}
