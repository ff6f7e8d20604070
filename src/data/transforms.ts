/**
 * Event-stream transforms in the spirit of tonic's: crop, denoise, time jitter and event drop.
 * Each takes a stream and returns a new one (inputs are never modified). Random transforms take
 * a `seed` so a run is reproducible.
 */
import { NirError } from "../ir/errors.js";
import { filterEvents, sortEvents, type EventStream, type SensorSize } from "./events.js";
import { seededRng } from "./random.js";

/** Region of {@link crop}: top-left corner and size in pixels. */
export interface CropBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Keeps the events inside `box` and shifts them so the box's corner becomes (0, 0); the new
 * sensor size is `[width, height, P]`. `centerCropBox` gives tonic's `CenterCrop` box.
 */
export function crop(ev: EventStream, box: CropBox): EventStream {
  const { x: x0, y: y0, width, height } = box;
  if (![x0, y0, width, height].every((v) => Number.isInteger(v) && v >= 0) || width === 0 || height === 0) {
    throw new NirError("data.invalid", `crop box ${JSON.stringify(box)} needs non-negative integer x, y and positive width, height`, { field: "crop" });
  }
  const n = ev.t.length;
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = ev.x[i], y = ev.y[i];
    keep[i] = x >= x0 && x < x0 + width && y >= y0 && y < y0 + height ? 1 : 0;
  }
  const out = filterEvents(ev, keep);
  for (let i = 0; i < out.t.length; i++) {
    out.x[i] -= x0;
    out.y[i] -= y0;
  }
  out.sensorSize = [width, height, ev.sensorSize[2]] as SensorSize;
  return out;
}

/** The box of a centred crop of `width × height` on the stream's sensor (tonic `CenterCrop`). */
export function centerCropBox(sensorSize: SensorSize, width: number, height: number): CropBox {
  const [W, H] = sensorSize;
  if (width > W || height > H) throw new NirError("data.invalid", `crop ${width}×${height} is larger than the sensor ${W}×${H}`, { field: "crop" });
  return { x: Math.floor((W - width) / 2), y: Math.floor((H - height) / 2), width, height };
}

/**
 * Drops isolated events (tonic `Denoise`): an event is kept only if one of its 4 direct
 * neighbours (left, right, up, down) had an event less than `filterTime` µs before (or at the
 * same time). Unlike tonic, pixels that never fired count as "long ago" (tonic initialises its
 * memory to `filterTime`, which keeps every event in the first `filterTime` µs that has a
 * neighbour pixel at all). Events are processed in time order.
 */
export function denoise(ev: EventStream, opts: { filterTime?: number } = {}): EventStream {
  const filterTime = opts.filterTime ?? 10000;
  if (!(filterTime > 0)) throw new NirError("data.invalid", `filterTime must be positive µs, got ${filterTime}`, { field: "filterTime" });
  const [W, H] = ev.sensorSize;
  const memory = new Float64Array(W * H).fill(-Infinity); // per pixel: last event time + filterTime
  const n = ev.t.length;
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = ev.x[i], y = ev.y[i], t = ev.t[i];
    const at = y * W + x;
    memory[at] = t + filterTime;
    keep[i] =
      (x > 0 && memory[at - 1] > t) ||
      (x < W - 1 && memory[at + 1] > t) ||
      (y > 0 && memory[at - W] > t) ||
      (y < H - 1 && memory[at + W] > t)
        ? 1
        : 0;
  }
  return filterEvents(ev, keep);
}

/** Options of {@link timeJitter}. */
export interface TimeJitterOptions {
  /** Standard deviation of the Gaussian shift in µs (default 1). */
  std?: number;
  /** Seed of the random generator (default 0). */
  seed?: number;
  /** Drop events whose jittered time is negative (default false). */
  clipNegative?: boolean;
}

/**
 * Adds Gaussian noise N(0, std²) to every timestamp (tonic `TimeJitter`). The result is always
 * re-sorted by time (stable), because every nirkit stream keeps ascending time.
 */
export function timeJitter(ev: EventStream, opts: TimeJitterOptions = {}): EventStream {
  const std = opts.std ?? 1;
  if (!(std >= 0)) throw new NirError("data.invalid", `std must be ≥ 0 µs, got ${std}`, { field: "std" });
  const rng = seededRng(opts.seed ?? 0);
  const n = ev.t.length;
  const shifted: EventStream = { x: ev.x.slice(), y: ev.y.slice(), p: ev.p.slice(), t: new Float64Array(n), sensorSize: [...ev.sensorSize] as SensorSize };
  for (let i = 0; i < n; i++) shifted.t[i] = ev.t[i] + std * rng.normal();
  let out = shifted;
  if (opts.clipNegative) {
    const keep = new Uint8Array(n);
    for (let i = 0; i < n; i++) keep[i] = shifted.t[i] >= 0 ? 1 : 0;
    out = filterEvents(shifted, keep);
  }
  return sortEvents(out);
}

/**
 * Drops `round(probability · N)` events chosen uniformly without replacement (tonic
 * `DropEvent`, which removes `int(p·N + 0.5)` events). Seeded.
 */
export function dropEvent(ev: EventStream, opts: { probability: number; seed?: number }): EventStream {
  const pr = opts.probability;
  if (!(pr >= 0 && pr <= 1)) throw new NirError("data.invalid", `drop probability must be in [0, 1], got ${pr}`, { field: "probability" });
  const n = ev.t.length;
  const nDrop = Math.floor(pr * n + 0.5);
  const rng = seededRng(opts.seed ?? 0);
  // Partial Fisher–Yates: the first nDrop entries of `order` are a uniform sample.
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = 0; i < nDrop; i++) {
    const j = i + rng.int(n - i);
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  const keep = new Uint8Array(n).fill(1);
  for (let i = 0; i < nDrop; i++) keep[order[i]] = 0;
  return filterEvents(ev, keep);
}
