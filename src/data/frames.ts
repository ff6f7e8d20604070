/**
 * Event streams to frames: event counts per (time bin, polarity, y, x), with tonic's `ToFrame`
 * slicing rules (tonic/slicers.py, read for the semantics):
 *
 * - `timeWindow` w (µs): windows `[t0 + k·s, t0 + k·s + w)` with stride `s = w − overlap`,
 *   `t0` = first event time. Number of windows `floor((tLast − t0 − w)/s) + 1` (at least 1), or
 *   `ceil(…) + 1` with `includeIncomplete`. So by default the last, incomplete window is dropped:
 *   a recording from 654 to 311175 µs gives 310 one-ms frames and events at t ≥ 310654 are not
 *   counted.
 * - `nTimeBins` n: window `w = floor((tLast − t0)/n)·(1 + overlap)`, stride `w·(1 − overlap)`,
 *   exactly n windows, half-open as above (so the event at `t0 + n·w` and later are not counted).
 * - `eventCount` c: slices of c consecutive events, `floor((N − c)/c') + 1` of them with stride
 *   `c' = c − overlap` (or `ceil` with `includeIncomplete`).
 *
 * A sensor with one polarity (P = 1) counts every event in channel 0, as tonic does.
 */
import { attachDisplay } from "../ir/display.js";
import { NirError } from "../ir/errors.js";
import { allocate, type DType, type Tensor } from "../ir/tensor.js";
import { isTimeSorted, type EventStream } from "./events.js";

/** Options of {@link toFrame}: exactly one of `timeWindow`, `nTimeBins`, `eventCount`. */
export interface ToFrameOptions {
  /** Window length in µs (tonic `time_window`). */
  timeWindow?: number;
  /** Fixed number of frames over the recording's span (tonic `n_time_bins`). */
  nTimeBins?: number;
  /** Events per frame (tonic `event_count`). */
  eventCount?: number;
  /** Overlap: µs for timeWindow, events for eventCount, fraction of a bin (< 1) for nTimeBins. */
  overlap?: number;
  /** Keep the last, shorter slice (timeWindow / eventCount only). Default false, as tonic. */
  includeIncomplete?: boolean;
  /** Element type of the frames (default float32: counts, exact up to 2^24). */
  dtype?: Exclude<DType, "int64" | "bool">;
  /** Keep at most this many frames (the first ones). */
  maxFrames?: number;
}

/** One slice of a stream: event indices `[start, end)`. */
export interface EventSlice {
  start: number;
  end: number;
}

/** First index with `t[i] >= value` (numpy `searchsorted(t, value, "left")`). */
function searchLeft(t: Float64Array, value: number, from = 0): number {
  let lo = from, hi = t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (t[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function positive(v: number | undefined, name: string, integer: boolean): number {
  if (v === undefined) return 0;
  if (!(Number.isFinite(v) && v > 0 && (!integer || Number.isInteger(v)))) {
    throw new NirError("data.invalid", `${name} must be a positive ${integer ? "integer" : "number"}, got ${v}`, { field: name, hint: "e.g. toFrame(ev, { timeWindow: 1000 }) for 1 ms frames" });
  }
  return v;
}

/**
 * Computes the slices (event index ranges) that {@link toFrame} turns into frames, following
 * tonic's slicers. The stream must be sorted by time.
 */
export function frameSlices(ev: EventStream, opts: ToFrameOptions): EventSlice[] {
  const chosen = (["timeWindow", "nTimeBins", "eventCount"] as const).filter((k) => opts[k] !== undefined);
  if (chosen.length !== 1) {
    throw new NirError("data.invalid", `give exactly one of timeWindow, nTimeBins, eventCount (got ${chosen.length ? chosen.join(", ") : "none"})`, { hint: "e.g. { timeWindow: 1000 } for 1 ms frames" });
  }
  const t = ev.t;
  const n = t.length;
  if (n === 0) throw new NirError("data.invalid", "cannot bin an empty recording into frames", { hint: "skip empty samples before binning" });
  if (!isTimeSorted(ev)) throw new NirError("data.invalid", "timestamps are not in ascending order", { field: "t", hint: "sort with sortEvents(ev) first" });
  const overlap = opts.overlap ?? 0;
  const slices: EventSlice[] = [];
  if (opts.timeWindow !== undefined) {
    const w = positive(opts.timeWindow, "timeWindow", false);
    const stride = w - overlap;
    if (!(stride > 0)) throw new NirError("data.invalid", `overlap ${overlap} must be smaller than timeWindow ${w}`, { field: "overlap" });
    const span = t[n - 1] - t[0] - w;
    let count = (opts.includeIncomplete ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
    count = Math.max(count, 1);
    if (opts.maxFrames !== undefined) count = Math.min(count, opts.maxFrames);
    let lo = 0;
    for (let k = 0; k < count; k++) {
      const startTime = k * stride + t[0];
      const endTime = startTime + w;
      // starts and ends increase with k: search from the previous start.
      lo = searchLeft(t, startTime, lo);
      const hi = searchLeft(t, endTime, lo);
      slices.push({ start: lo, end: hi });
    }
  } else if (opts.nTimeBins !== undefined) {
    const bins = positive(opts.nTimeBins, "nTimeBins", true);
    if (!(overlap >= 0 && overlap < 1)) throw new NirError("data.invalid", `overlap for nTimeBins is a fraction of a bin in [0, 1), got ${overlap}`, { field: "overlap" });
    const w = Math.floor((t[n - 1] - t[0]) / bins) * (1 + overlap);
    const stride = w * (1 - overlap);
    const count = opts.maxFrames !== undefined ? Math.min(bins, opts.maxFrames) : bins;
    for (let k = 0; k < count; k++) {
      const startTime = k * stride + t[0];
      slices.push({ start: searchLeft(t, startTime), end: searchLeft(t, startTime + w) });
    }
  } else {
    const c0 = positive(opts.eventCount, "eventCount", true);
    const c = Math.min(c0, n);
    const stride = c0 - overlap;
    if (!(stride > 0)) throw new NirError("data.invalid", `overlap ${overlap} must be smaller than eventCount ${c0}`, { field: "overlap" });
    let count = (opts.includeIncomplete ? Math.ceil((n - c) / stride) : Math.floor((n - c) / stride)) + 1;
    if (opts.maxFrames !== undefined) count = Math.min(count, opts.maxFrames);
    for (let k = 0; k < count; k++) {
      const start = k * stride;
      slices.push({ start, end: Math.min(start + c, n) });
    }
  }
  return slices;
}

/**
 * Bins events into frames of event counts, shape `(T, P, H, W)` (tonic `ToFrame`; see the file
 * comment for the exact windows). Bins start at the first event. The tensor is marked
 * displayable (kind "frames") for notebooks.
 */
export function toFrame(ev: EventStream, opts: ToFrameOptions): Tensor {
  const slices = frameSlices(ev, opts);
  const [W, H, P] = ev.sensorSize;
  const frame = P * H * W;
  const dtype = opts.dtype ?? "float32";
  const data = allocate(dtype, slices.length * frame) as Float32Array;
  const { x, y, p } = ev;
  // Streams built by hand skip checkEvents: refuse coordinates that would land in another pixel.
  let maxX = 0, maxY = 0, maxP = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] > maxX) maxX = x[i];
    if (y[i] > maxY) maxY = y[i];
    if (p[i] > maxP) maxP = p[i];
  }
  if (maxX >= W || maxY >= H || (P > 1 && maxP >= P)) {
    throw new NirError("data.invalid", `events reach (x ${maxX}, y ${maxY}, p ${maxP}) outside the sensor [W ${W}, H ${H}, P ${P}]`, { field: "sensorSize", hint: "give the stream its real sensorSize, or crop() it first" });
  }
  const hw = H * W;
  const onePolarity = P === 1;
  for (let k = 0; k < slices.length; k++) {
    const { start, end } = slices[k];
    const base = k * frame;
    if (onePolarity) for (let i = start; i < end; i++) data[base + y[i] * W + x[i]]++;
    else for (let i = start; i < end; i++) data[base + p[i] * hw + y[i] * W + x[i]]++;
  }
  return attachDisplay({ dtype, shape: [slices.length, P, H, W], data } as Tensor, "frames");
}

/**
 * Stacks per-sample frame tensors `(T_i, ...)` into one `(T_max, B, ...)` tensor, zero-padding
 * each sample at the end to the longest (tonic `PadTensors`, time-major as the simulator expects).
 * With `length` the time axis is padded or cut to exactly that many steps.
 */
export function padFrames(frames: Tensor[], opts: { length?: number; batchFirst?: boolean } = {}): Tensor {
  if (frames.length === 0) throw new NirError("data.invalid", "padFrames needs at least one sample");
  const inner = frames[0].shape.slice(1);
  const per = inner.reduce((a, b) => a * b, 1);
  for (const [i, f] of frames.entries()) {
    if (f.shape.slice(1).join(",") !== inner.join(",")) {
      throw new NirError("data.invalid", `sample ${i} has frame shape [${f.shape.slice(1).join(", ")}] but sample 0 has [${inner.join(", ")}]`, { hint: "bin every sample with the same sensor size" });
    }
  }
  const T = opts.length ?? Math.max(...frames.map((f) => f.shape[0]));
  const B = frames.length;
  const dtype = frames[0].dtype;
  if (dtype === "int64" || frames.some((f) => f.dtype !== dtype)) {
    throw new NirError("data.invalid", `padFrames needs samples of one non-int64 dtype (got ${[...new Set(frames.map((f) => f.dtype))].join(", ")})`, { hint: "bin every sample with the same toFrame dtype" });
  }
  const out = allocate(dtype, T * B * per) as Float32Array;
  for (let b = 0; b < B; b++) {
    const src = frames[b].data as Float32Array;
    const steps = Math.min(T, frames[b].shape[0]);
    for (let s = 0; s < steps; s++) {
      const from = src.subarray(s * per, (s + 1) * per);
      const at = opts.batchFirst ? (b * T + s) * per : (s * B + b) * per;
      out.set(from, at);
    }
  }
  return { dtype, shape: opts.batchFirst ? [B, T, ...inner] : [T, B, ...inner], data: out };
}
