/**
 * Input feeding: checks a run's input (dense (T, [B,] ...shape) or events) and returns a feeder
 * that writes item b's step t into the input port, listing its non-zeros so the first layer
 * works event-driven. A large dense input gets its non-zeros indexed up front; events are
 * grouped by slot (item·T + step) once.
 */
import { NirError } from "../ir/errors.js";
import { sizeOf, toFloat64 } from "../ir/tensor.js";
import type { Port } from "./ops/buffers.js";
import { firstNaN, nonZeroIndex, type NonZeroIndex } from "./ops/input-scan.js";
import type { SmallGraphRun } from "./ops/small-graph-wasm.js";
import type { EventInput, SimInput } from "./types.js";

/**
 * Copies one dense step of item-major data into the input port and lists the non-zeros; with
 * `nz` (the run's precomputed non-zero index, row = step·B + item) only the listed entries
 * are read. A NaN stops with an error naming its flat element in `data`.
 */
export function fillDense(p: Port, data: ArrayLike<number>, offset: number, node: string, nz: NonZeroIndex | null = null, row = 0): void {
  const n = p.size;
  const out = p.out;
  const act = p.act;
  for (let b = 0; b < p.batch; b++) {
    const o = b * n;
    // zero what the previous step wrote, then write only the non-zeros (inputs are sparse)
    const prev = p.nact[b];
    if (prev < 0) out.fill(0, o, o + n);
    else for (let k = 0; k < prev; k++) out[o + act[o + k]] = 0;
    let m = 0;
    const src = offset + o;
    if (nz) {
      const idx = nz.idx;
      const val = nz.val;
      for (let k = nz.start[row + b], end = nz.start[row + b + 1]; k < end; k++) {
        const i = idx[k];
        out[o + i] = val[k];
        act[o + m++] = i;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = data[src + i];
        if (v !== 0) {
          if (v !== v) throw nanError(p, b, src + i, node);
          out[o + i] = v;
          act[o + m++] = i;
        }
      }
    }
    p.nact[b] = m;
  }
}

/** The NaN error; marks the item's port "unknown" so that a later step clears it whole. */
export function nanError(p: Port | null, b: number, i: number, node: string): NirError {
  if (p) p.nact[b] = -1;
  return new NirError("sim.nan", `input contains NaN (flat element ${i})`, { node, hint: "replace missing values with 0 before simulating" });
}

/** Dense inputs of at most this many values are scanned step by step instead of indexed. */
const SCAN_PER_STEP_BELOW = 65536;

/** A checked input, ready to be fed item by item and step by step. */
export interface Feeder {
  steps: number;
  batch: number;
  batched: boolean;
  /** Fills the input port of a batch-1 runtime with item b at step t. */
  feedItem(rt: { input: Port }, t: number, b: number): void;
  /** A dense input's non-zeros (row = step·B + item), when indexed; null otherwise and for events. */
  index: NonZeroIndex | null;
  /** An indexed dense input of one item: its non-zeros with row = step, else null. */
  itemRows: NonZeroIndex | null;
  /** Events grouped by slot (item·T + step), else null. */
  events: SlottedEvents | null;
  /** Bytes per value (4 or 8) when the whole dense input has been copied into the whole-run kernel's input area, else 0. */
  inKernel: number;
}

/**
 * Checks the input and returns its feeder. A large dense input gets its non-zeros indexed up
 * front. With a whole-run kernel, a float32/float64 input that fits its input area is copied
 * there instead (and checked for NaN by the kernel); any other dense input is indexed.
 */
export function makeFeeder(input: SimInput, shape: number[], inputName: string, whole: SmallGraphRun | null = null): Feeder {
  if (input && typeof input === "object" && "dtype" in input) return denseFeeder(input, shape, inputName, whole);
  return eventFeeder(input as EventInput, shape, inputName);
}

/** The feeder of a dense (T, [B,] ...shape) input (see makeFeeder). */
function denseFeeder(input: Extract<SimInput, { dtype: unknown }>, shape: number[], inputName: string, whole: SmallGraphRun | null): Feeder {
  const n = sizeOf(shape);
  const s = input.shape;
  const rank = shape.length;
  let batched: boolean;
  if (s.length === rank + 1) batched = false;
  else if (s.length === rank + 2) batched = true;
  else batched = false;
  const tail = s.slice(batched ? 2 : 1);
  if ((s.length !== rank + 1 && s.length !== rank + 2) || tail.some((d, k) => d !== shape[k])) {
    throw new NirError("sim.input_shape", `input has shape (${s.join(", ")}) but the graph's Input expects (T, [B,] ${shape.join(", ")})`, { node: inputName, hint: "the first axis is time; add a batch axis second if you have several samples" });
  }
  const T = s[0];
  const B = batched ? s[1] : 1;
  const data = input.data instanceof BigInt64Array ? toFloat64(input) : (input.data as ArrayLike<number>);
  // a large input gets every step's non-zeros listed in one pass (a small one is scanned per
  // step: cheaper than building the index); either way a NaN is found before the run starts
  const total = T * B * n;
  const inKernel = !whole ? 0 : data instanceof Float32Array && total <= whole.in32.length ? 4 : data instanceof Float64Array && total <= whole.in64.length ? 8 : 0;
  if (inKernel === 4) whole!.in32.set((data as Float32Array).subarray(0, total));
  if (inKernel === 8) whole!.in64.set((data as Float64Array).subarray(0, total));
  const nz = !inKernel && (whole || total > SCAN_PER_STEP_BELOW) ? nonZeroIndex(data, n, T * B) : null;
  const nanAt = inKernel === 4 ? whole!.nan32(total) : inKernel === 8 ? whole!.nan64(total) : nz ? nz.nanAt : firstNaN(data, total);
  if (nanAt >= 0) throw nanError(null, 0, nanAt, inputName);
  return { steps: T, batch: B, batched, index: nz, itemRows: B === 1 ? nz : null, events: null, inKernel, feedItem: (rt, t, b) => fillDense(rt.input, data, (t * B + b) * n, inputName, nz, t * B + b) };
}

/** The feeder of an event input (see makeFeeder). */
function eventFeeder(ev: EventInput, shape: number[], inputName: string): Feeder {
  const n = sizeOf(shape);
  if (!ev || !(ev.t instanceof Int32Array) || !(ev.index instanceof Int32Array) || typeof ev.steps !== "number") {
    throw new NirError("sim.input_shape", "input must be a Tensor (T, [B,] ...shape) or events {steps, t: Int32Array, index: Int32Array, value?, batch?}", { node: inputName });
  }
  const E = ev.t.length;
  if (ev.index.length !== E || (ev.value && ev.value.length !== E) || (ev.batch && ev.batch.length !== E)) {
    throw new NirError("sim.input_shape", "event arrays t, index, value and batch must have equal lengths", { node: inputName });
  }
  const T = ev.steps;
  const { B, start, order } = slotEvents(ev, n, shape, inputName);
  const index = ev.index, value = ev.value;
  // per input index, the slot (+1) that last listed it in the port
  const seen = new Int32Array(n);
  return {
    steps: T,
    batch: B,
    batched: !!ev.batch || (ev.batchSize ?? 1) > 1,
    index: null,
    itemRows: null,
    events: { start, order, idx: index, val: value ?? null },
    inKernel: 0,
    feedItem: (rt, t, b) => {
      const p = rt.input;
      const m = p.nact[0];
      if (m < 0) p.out.fill(0);
      else for (let k = 0; k < m; k++) p.out[p.act[k]] = 0;
      let na = 0;
      const tag = b * T + t + 1;
      for (let q = start[b * T + t], end = start[b * T + t + 1]; q < end; q++) {
        const k = order ? order[q] : q;
        const i = index[k];
        p.out[i] += value ? value[k] : 1;
        if (seen[i] !== tag) {
          seen[i] = tag;
          p.act[na++] = i;
        }
      }
      p.nact[0] = na;
    },
  };
}

/** Events grouped by slot: slot q's events are start[q] … start[q+1] − 1 of `order` (null: of the events themselves). */
export interface SlottedEvents {
  start: Int32Array;
  order: Int32Array | null;
  idx: Int32Array;
  val: Float32Array | Float64Array | null;
}

/**
 * Events grouped by slot (item·T + step): slot q's events are start[q] … start[q+1] − 1 of
 * `order` (their given order kept), or of the events themselves when `order` is null (they are
 * already in slot order, none outside steps 0…T−1: no sort needed). Every event is checked first.
 */
function slotEvents(ev: EventInput, n: number, shape: number[], inputName: string): { B: number; start: Int32Array; order: Int32Array | null } {
  const E = ev.t.length, T = ev.steps;
  const bat = ev.batch, tt = ev.t, value = ev.value, index = ev.index;
  // one tight pass while the events are in slot order, within steps 0…T−1 and the given batch
  // size: where each slot's run of events starts, and the index range (a negative number shows in
  // the OR of all: its sign bit); from the first event out of that order on, only the ranges
  const B0 = Math.max(1, ev.batchSize ?? 1), slots0 = B0 * T;
  let start = new Int32Array(slots0 + 1);
  let orI = 0, maxI = 0, orB = 0, maxB = 0, q = 0, k = 0;
  for (; k < E; k++) {
    const i = index[k], b = bat ? bat[k] : 0, t = tt[k], s = b * T + t;
    orI |= i;
    maxI = i > maxI ? i : maxI;
    if ((b | t | (T - 1 - t)) < 0 || s < q || s >= slots0) break;
    while (q < s) start[++q] = k;
  }
  const inOrder = k === E;
  for (; k < E; k++) {
    const i = index[k], b = bat ? bat[k] : 0;
    orI |= i;
    maxI = i > maxI ? i : maxI;
    orB |= b;
    maxB = b > maxB ? b : maxB;
  }
  if (orI < 0 || maxI >= n || orB < 0) throw badEvent(ev, n, shape, inputName);
  if (value) for (let k = 0; k < E; k++) if (value[k] !== value[k]) throw new NirError("sim.nan", `event ${k} has a NaN value`, { node: inputName });
  if (inOrder) {
    // slot q's events are a contiguous run: its end is where the next slot starts
    while (q < slots0) start[++q] = E;
    return { B: B0, start, order: null };
  }
  const B = Math.max(B0, E ? maxB + 1 : 1);
  start = new Int32Array(B * T + 1);
  for (let k = 0; k < E; k++) {
    const t = tt[k];
    if (t >= 0 && t < T) start[(bat ? bat[k] : 0) * T + t + 1]++;
  }
  for (let q = 0; q < B * T; q++) start[q + 1] += start[q];
  const order = new Int32Array(start[B * T]);
  const fill = start.slice(0, B * T);
  for (let k = 0; k < E; k++) {
    const t = tt[k];
    if (t >= 0 && t < T) order[fill[(bat ? bat[k] : 0) * T + t]++] = k;
  }
  return { B, start, order };
}

/** The error for the first event whose index or batch item is out of range. */
function badEvent(ev: EventInput, n: number, shape: number[], inputName: string): NirError {
  for (let k = 0; k < ev.t.length; k++) {
    const i = ev.index[k], b = ev.batch ? ev.batch[k] : 0;
    if (i < 0 || i >= n) return new NirError("sim.input_shape", `event ${k} has index ${i} outside the input size ${n} (shape [${shape.join(",")}])`, { node: inputName });
    if (b < 0) return new NirError("sim.input_shape", `event ${k} has batch item ${b} (must be ≥ 0)`, { node: inputName });
  }
  return new NirError("sim.input_shape", "an event is out of range", { node: inputName });
}
