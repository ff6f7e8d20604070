/**
 * Event streams and frames as NIR graph data (NIR spec §4: `EventData`, `TimeGriddedData`), so
 * recordings can be stored with `writeData` or compared with recorded activity.
 * Neuron index of pixel (x, y) with polarity p: `p·H·W + y·W + x`, the flattening of the
 * `(P, H, W)` frames that {@link toFrame} makes, so both conversions agree. The records are built
 * with the IR's `EventData` / `TimeGriddedData` constructors (src/ir/data.ts), so `toTimeGridded`,
 * `writeData` and `checkNodes` take them directly.
 */
import { EventData, TimeGriddedData } from "../ir/data.js";
import { NirError } from "../ir/errors.js";
import type { Tensor } from "../ir/tensor.js";
import type { EventStream } from "./events.js";

const UNIT_PER_US = { s: 1e-6, ms: 1e-3, us: 1 } as const;

/** Options of {@link eventsToNirEventData}. */
export interface ToNirEventOptions {
  /** Time unit of `time` and `t_max` (default "s", as NIR graphs use seconds for `dt`). */
  timeUnit?: keyof typeof UNIT_PER_US;
  /** "first" (default): times relative to each sample's first event, as toFrame bins; "zero": as recorded. */
  origin?: "first" | "zero";
  /** `t_max` in `timeUnit` (default: longest sample span + 1 µs). */
  tMax?: number;
}

/**
 * Converts one or more streams (one per sample) to a NIR `EventData` record with
 * `n_neurons = P·H·W`. Samples with fewer events are padded with idx −1 and time +∞.
 */
export function eventsToNirEventData(streams: EventStream | EventStream[], opts: ToNirEventOptions = {}): EventData {
  const list = Array.isArray(streams) ? streams : [streams];
  if (list.length === 0) throw new NirError("data.invalid", "no event streams to convert");
  const [W, H, P] = list[0].sensorSize;
  for (const s of list) {
    if (s.sensorSize.join() !== list[0].sensorSize.join()) throw new NirError("data.invalid", `sensor sizes differ ([${s.sensorSize}] vs [${list[0].sensorSize}])`, { hint: "crop all samples to one sensor size" });
  }
  const scale = UNIT_PER_US[opts.timeUnit ?? "s"];
  const nEvents = Math.max(...list.map((s) => s.t.length));
  const idx = new BigInt64Array(list.length * nEvents).fill(-1n);
  const time = new Float64Array(list.length * nEvents).fill(Infinity);
  let span = 0;
  list.forEach((s, b) => {
    const t0 = opts.origin === "zero" || s.t.length === 0 ? 0 : s.t[0];
    for (let i = 0; i < s.t.length; i++) {
      const o = b * nEvents + i;
      const pol = P === 1 ? 0 : s.p[i];
      idx[o] = BigInt(pol * H * W + s.y[i] * W + s.x[i]);
      time[o] = (s.t[i] - t0) * scale;
    }
    if (s.t.length) span = Math.max(span, s.t[s.t.length - 1] - t0);
  });
  return EventData({
    idx: { dtype: "int64", shape: [list.length, nEvents], data: idx },
    time: { dtype: "float64", shape: [list.length, nEvents], data: time },
    n_neurons: P * H * W,
    t_max: opts.tMax ?? (span + 1) * scale,
  });
}

/**
 * Converts frames to a NIR `TimeGriddedData` record: `(T, P, H, W)` → one sample, or batched
 * time-major `(T, B, P, H, W)` → B samples; data `(n_samples, T, P·H·W)` float64. `dt` is the
 * frame width in the unit the model uses (seconds for 1 ms frames: 1e-3).
 */
export function framesToNirTimeGridded(frames: Tensor, dt: number): TimeGriddedData {
  if (!(dt > 0)) throw new NirError("data.invalid", `dt must be positive, got ${dt}`, { field: "dt" });
  const batched = frames.shape.length === 5;
  if (frames.shape.length !== 4 && !batched) throw new NirError("data.invalid", `frames must be (T, P, H, W) or (T, B, P, H, W), got [${frames.shape.join(", ")}]`, { field: "frames" });
  if (frames.data instanceof BigInt64Array) throw new NirError("data.invalid", "int64 frames are not supported here", { hint: "bin with toFrame (float32)" });
  const T = frames.shape[0];
  const B = batched ? frames.shape[1] : 1;
  const N = frames.shape.slice(batched ? 2 : 1).reduce((a, b) => a * b, 1);
  const src = frames.data as Float32Array;
  const out = new Float64Array(B * T * N);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let n = 0; n < N; n++) out[(b * T + t) * N + n] = src[(t * B + b) * N + n];
  return TimeGriddedData({ dtype: "float64", shape: [B, T, N], data: out }, dt);
}
