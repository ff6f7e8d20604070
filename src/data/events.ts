/**
 * Event streams as plain data: one typed array per field (x, y, polarity, time in µs) plus the
 * sensor size. This is tonic's structured event array, column by column.
 */
import { attachDisplay } from "../ir/display.js";
import { NirError } from "../ir/errors.js";

/** Sensor size `[width, height, polarities]`, as tonic writes it (`sensor_size=(34, 34, 2)`). */
export type SensorSize = [number, number, number];

/**
 * A recording: event `i` happened at pixel (`x[i]`, `y[i]`) with polarity `p[i]` (0 = OFF,
 * 1 = ON) at time `t[i]` microseconds. All four arrays have the same length; `t` is ascending.
 */
export interface EventStream {
  x: Uint16Array;
  y: Uint16Array;
  p: Uint8Array;
  t: Float64Array;
  sensorSize: SensorSize;
}

/** How to report a repaired problem (e.g. re-sorted timestamps). Defaults to `console.warn`. */
export type WarningSink = (message: string) => void;

/** Default warning sink: prints to stderr with a `[nirkit data]` prefix. */
export const warnToConsole: WarningSink = (m) => console.warn(`[nirkit data] ${m}`);

/** Options of {@link checkEvents}. */
export interface CheckEventsOptions {
  /** Names the recording in errors and warnings. */
  file?: string;
  /**
   * What to do with timestamps that go backwards: `"sort"` (default) re-orders the events by time
   * with a stable sort and warns; `"error"` throws a NirError.
   */
  unsorted?: "sort" | "error";
  /** Allow a recording with no events (default false: an empty recording is an error). */
  allowEmpty?: boolean;
  /** Receives warnings about repairs. */
  onWarning?: WarningSink;
}

/**
 * Marks a stream as displayable (kind "frames": the notebook layer draws it), without adding
 * enumerable keys; returns the same object.
 */
export function displayableEvents(ev: EventStream): EventStream {
  return attachDisplay(ev, "frames");
}

/** Number of events in a stream. */
export function eventCount(ev: EventStream): number {
  return ev.t.length;
}

/** An empty stream for a sensor. */
export function emptyEvents(sensorSize: SensorSize): EventStream {
  return { x: new Uint16Array(0), y: new Uint16Array(0), p: new Uint8Array(0), t: new Float64Array(0), sensorSize: [...sensorSize] as SensorSize };
}

/**
 * Builds a stream from plain arrays (numbers or typed arrays) and checks it with
 * {@link checkEvents}. Handy for synthetic recordings in tests and notebooks.
 */
export function makeEvents(
  fields: { x: ArrayLike<number>; y?: ArrayLike<number>; p?: ArrayLike<number>; t: ArrayLike<number> },
  sensorSize: SensorSize,
  opts: CheckEventsOptions = {},
): EventStream {
  const n = fields.t.length;
  for (const k of ["x", "y", "p"] as const) {
    const a = fields[k];
    if (a !== undefined && a.length !== n) {
      throw new NirError("data.invalid", `event field ${k} has ${a.length} entries but t has ${n}`, { file: opts.file, field: k, hint: "give x, y, p and t the same length" });
    }
  }
  const ev: EventStream = {
    x: Uint16Array.from(fields.x),
    y: fields.y ? Uint16Array.from(fields.y) : new Uint16Array(n),
    p: fields.p ? Uint8Array.from(fields.p) : new Uint8Array(n),
    t: Float64Array.from(fields.t),
    sensorSize: [...sensorSize] as SensorSize,
  };
  // Values that a typed array would silently wrap (negative, too large, fractional) are refused here.
  for (const k of ["x", "y", "p"] as const) {
    const src = fields[k];
    if (!src) continue;
    for (let i = 0; i < n; i++) {
      const v = src[i];
      if (!(Number.isInteger(v) && v >= 0 && v === ev[k][i])) {
        throw new NirError("data.invalid", `event ${i} has ${k} = ${v}, which is not a valid ${k === "p" ? "polarity" : "pixel coordinate"}`, { file: opts.file, field: k, hint: `${k} must be a non-negative integer inside sensor size [${sensorSize.join(", ")}]` });
      }
    }
  }
  return checkEvents(ev, opts);
}

/**
 * Validates a stream: equal lengths, finite times, coordinates and polarities inside the sensor,
 * non-empty, ascending time. Throws a NirError for what cannot be repaired; re-sorts
 * out-of-order timestamps (stable) with a warning unless `unsorted: "error"`. Returns the
 * (possibly re-sorted) stream.
 */
export function checkEvents(ev: EventStream, opts: CheckEventsOptions = {}): EventStream {
  const file = opts.file;
  const [W, H, P] = ev.sensorSize;
  if (!(ev.sensorSize.length === 3 && [W, H, P].every((d) => Number.isInteger(d) && d > 0))) {
    throw new NirError("data.invalid", `sensor size [${ev.sensorSize.join(", ")}] is not three positive integers [W, H, P]`, { file, field: "sensorSize", hint: "N-MNIST is [34, 34, 2]" });
  }
  const n = ev.t.length;
  if (ev.x.length !== n || ev.y.length !== n || ev.p.length !== n) {
    throw new NirError("data.invalid", `event arrays differ in length (x ${ev.x.length}, y ${ev.y.length}, p ${ev.p.length}, t ${n})`, { file, hint: "every event needs x, y, p and t" });
  }
  if (n === 0 && !opts.allowEmpty) {
    throw new NirError("data.invalid", "empty recording: it contains no events", { file, hint: "check the file (0 bytes?) or skip this sample" });
  }
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const x = ev.x[i], y = ev.y[i], p = ev.p[i], t = ev.t[i];
    if (x >= W || y >= H || p >= Math.max(P, 2)) {
      throw new NirError("data.invalid", `event ${i} at (x ${x}, y ${y}, p ${p}) lies outside the sensor [W ${W}, H ${H}, P ${P}]`, {
        file, field: x >= W ? "x" : y >= H ? "y" : "p",
        hint: "pass the right sensorSize, or crop() the stream to the sensor first",
      });
    }
    if (!Number.isFinite(t)) throw new NirError("data.invalid", `event ${i} has a non-finite timestamp (${t})`, { file, field: "t" });
    if (i > 0 && t < ev.t[i - 1]) sorted = false;
  }
  if (!sorted) {
    if (opts.unsorted === "error") {
      throw new NirError("data.invalid", "timestamps are not in ascending order", { file, field: "t", hint: "sort the events by time (sortEvents) or read with unsorted: \"sort\"" });
    }
    (opts.onWarning ?? warnToConsole)(`${file ? file + ": " : ""}timestamps were not in ascending order; events re-sorted by time (stable)`);
    return sortEvents(ev);
  }
  return displayableEvents(ev);
}

/** True when timestamps never decrease. */
export function isTimeSorted(ev: EventStream): boolean {
  const t = ev.t;
  for (let i = 1; i < t.length; i++) if (t[i] < t[i - 1]) return false;
  return true;
}

/** Returns the events re-ordered by time (stable: equal times keep their file order). */
export function sortEvents(ev: EventStream): EventStream {
  const n = ev.t.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const t = ev.t;
  order.sort((a, b) => t[a] - t[b] || a - b);
  return selectEvents(ev, order);
}

/** The events at the given indices, in that order (a new stream). */
export function selectEvents(ev: EventStream, indices: ArrayLike<number>): EventStream {
  const m = indices.length;
  const out: EventStream = {
    x: new Uint16Array(m), y: new Uint16Array(m), p: new Uint8Array(m), t: new Float64Array(m),
    sensorSize: [...ev.sensorSize] as SensorSize,
  };
  for (let j = 0; j < m; j++) {
    const i = indices[j];
    out.x[j] = ev.x[i]; out.y[j] = ev.y[i]; out.p[j] = ev.p[i]; out.t[j] = ev.t[i];
  }
  return displayableEvents(out);
}

/** The events whose flag is non-zero, in order (a new stream). */
export function filterEvents(ev: EventStream, keep: Uint8Array): EventStream {
  let m = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i]) m++;
  const idx = new Uint32Array(m);
  for (let i = 0, j = 0; i < keep.length; i++) if (keep[i]) idx[j++] = i;
  return selectEvents(ev, idx);
}

/** Summary numbers of a stream: count, time span and coordinate ranges (for `info` and tests). */
export interface EventSummary {
  n: number;
  tMin: number;
  tMax: number;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  /** Events per polarity. */
  perPolarity: number[];
}

/** Computes {@link EventSummary} (NaN ranges for an empty stream). */
export function summarizeEvents(ev: EventStream): EventSummary {
  const n = ev.t.length;
  const s: EventSummary = { n, tMin: NaN, tMax: NaN, xMin: NaN, xMax: NaN, yMin: NaN, yMax: NaN, perPolarity: new Array(Math.max(ev.sensorSize[2], 2)).fill(0) };
  if (n === 0) return s;
  let tMin = Infinity, tMax = -Infinity, xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = ev.t[i], x = ev.x[i], y = ev.y[i];
    if (t < tMin) tMin = t;
    if (t > tMax) tMax = t;
    if (x < xMin) xMin = x;
    if (x > xMax) xMax = x;
    if (y < yMin) yMin = y;
    if (y > yMax) yMax = y;
    s.perPolarity[ev.p[i]]++;
  }
  Object.assign(s, { tMin, tMax, xMin, xMax, yMin, yMax });
  return s;
}
