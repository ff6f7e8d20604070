/**
 * Batch splitting for worker threads, as pure functions over plain data: the batch size of an
 * input, each item's estimated cost, chunks of about equal cost, cutting an input into chunks
 * (dense rows or events), the buffers a chunk hands over, and putting chunk results back into
 * full-batch tensors.
 */
import { sizeOf, type Tensor } from "../ir/tensor.js";
import type { EventInput, SimInput } from "./types.js";

/**
 * The batch size of an input, whether it is batched, and (events) whether the events come sorted
 * by item and whether an item is negative. Without `scan`, events with items are taken as sorted:
 * the batch size comes from the last event and nothing is read on the caller's thread; each
 * worker checks its own chunk (see `WorkerJob.itemBase`), and if one finds otherwise the run
 * starts again with `scan`, which finds all three in one index loop.
 */
export function batchOf(input: SimInput, rank: number, scan: boolean): { B: number; batched: boolean; sorted: boolean; negative: boolean } {
  if ("dtype" in input) {
    const batched = input.shape.length === rank + 2;
    return { B: batched ? input.shape[1] : 1, batched, sorted: false, negative: false };
  }
  const bat = input.batch;
  let B = input.batchSize ?? 1;
  if (!bat) return { B, batched: true, sorted: false, negative: false };
  if (!scan) return { B: bat.length ? Math.max(B, bat[bat.length - 1] + 1) : B, batched: true, sorted: true, negative: false };
  let sorted = true;
  let top = -1;
  let low = 0;
  for (let k = 0, prev = 0; k < bat.length; k++) {
    const b = bat[k];
    if (b < prev) sorted = false;
    if (b > top) top = b;
    if (b < low) low = b;
    prev = b;
  }
  B = Math.max(B, top + 1);
  return { B, batched: true, sorted, negative: low < 0 };
}

/**
 * The input cut into the given contiguous item ranges, each a standalone input with fresh
 * buffers (so they can be transferred); events are distributed in one pass.
 */
export function sliceInput(input: SimInput, ranges: [number, number][], n: number): SimInput[] {
  if ("dtype" in input) {
    const T = input.shape[0];
    const B = input.shape[1];
    const src = input.data as Float32Array;
    const Ctor = src.constructor as Float32ArrayConstructor;
    return ranges.map(([lo, hi]) => {
      const out = new Ctor(T * (hi - lo) * n);
      for (let t = 0; t < T; t++) out.set(src.subarray((t * B + lo) * n, (t * B + hi) * n), t * (hi - lo) * n);
      return { dtype: input.dtype, shape: [T, hi - lo, ...input.shape.slice(2)], data: out as never };
    });
  }
  const ev = input as EventInput;
  const E = ev.t.length;
  let B = 1;
  for (const [, hi] of ranges) B = Math.max(B, hi);
  const rangeOf = new Int32Array(B).fill(-1);
  ranges.forEach(([lo, hi], r) => rangeOf.fill(r, lo, hi));
  const count = new Int32Array(ranges.length);
  for (let k = 0; k < E; k++) {
    const r = rangeOf[ev.batch ? ev.batch[k] : 0];
    if (r >= 0) count[r]++;
  }
  const parts = ranges.map(([lo, hi], r) => ({
    steps: ev.steps, t: new Int32Array(count[r]), index: new Int32Array(count[r]), batch: new Int32Array(count[r]),
    value: ev.value ? new Float64Array(count[r]) : undefined, batchSize: hi - lo, lo,
  }));
  const fill = new Int32Array(ranges.length);
  for (let k = 0; k < E; k++) {
    const b = ev.batch ? ev.batch[k] : 0;
    const r = rangeOf[b];
    if (r < 0) continue;
    const p = parts[r];
    const j = fill[r]++;
    p.t[j] = ev.t[k];
    p.index[j] = ev.index[k];
    p.batch[j] = b - p.lo;
    if (p.value) p.value[j] = ev.value![k];
  }
  return parts.map(({ lo: _lo, ...p }) => p);
}

/** True when events carry items in ascending order (each item's events contiguous). */
export function itemsSorted(ev: EventInput): boolean {
  const bat = ev.batch;
  if (!bat) return false;
  for (let k = 1; k < bat.length; k++) if (bat[k] < bat[k - 1]) return false;
  return true;
}

/** The first event of item b or later, in events sorted by item (binary search). */
export function firstOf(bat: Int32Array, b: number): number {
  let lo = 0, hi = bat.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bat[mid] < b) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A chunk's input, and (cut from events sorted by item) the item its events start at: see `WorkerJob.itemBase`. */
export interface Part {
  input: SimInput;
  itemBase?: number;
}

/**
 * A slicer that cuts one item range at a time (so a chunk is cut just before it is sent, while
 * the workers are busy): dense inputs and events sorted by item (`sorted`) are cut directly,
 * events by copying their ranges only (the worker renumbers the items); other events are all
 * distributed in one pass up front. For events taken as sorted, the chunks' first events are
 * found by binary search up front; null when they do not tile the events in order (so the
 * events are not sorted after all).
 */
export function rangeSlicer(input: SimInput, ranges: [number, number][], n: number, sorted: boolean): ((r: number) => Part) | null {
  if ("dtype" in input) return (r) => ({ input: sliceInput(input, [ranges[r]], n)[0] });
  const ev = input as EventInput;
  const bat = ev.batch;
  if (!sorted || !bat) {
    const parts = sliceInput(input, ranges, n);
    return (r) => ({ input: parts[r] });
  }
  const first = new Int32Array(ranges.length + 1);
  for (let r = 0; r < ranges.length; r++) first[r] = firstOf(bat, ranges[r][0]);
  first[ranges.length] = firstOf(bat, ranges[ranges.length - 1][1]);
  if (first[0] !== 0 || first[ranges.length] !== bat.length) return null;
  for (let r = 0; r < ranges.length; r++) if (first[r + 1] < first[r]) return null;
  return (r) => {
    const a = first[r], z = first[r + 1];
    const value = ev.value ? Float64Array.from(ev.value.subarray(a, z)) : undefined;
    return { input: { steps: ev.steps, t: ev.t.slice(a, z), index: ev.index.slice(a, z), batch: bat.slice(a, z), value, batchSize: ranges[r][1] - ranges[r][0] }, itemBase: ranges[r][0] };
  };
}

/** The buffers of a sliced input, handed over to the worker instead of copied. */
export function buffersOf(input: SimInput): ArrayBuffer[] {
  if ("dtype" in input) return [(input.data as Float32Array).buffer as ArrayBuffer];
  const ev = input as EventInput;
  return [ev.t, ev.index, ev.batch, ev.value].flatMap((a) => (a ? [a.buffer as ArrayBuffer] : []));
}

/**
 * The full-batch tensors of a run, filled chunk by chunk as the workers answer (so the copying
 * overlaps the other workers' running): `place` puts a chunk's (T, b, ...) tensor at item `lo`.
 */
export function batchAssembler(B: number): { place(key: string, part: Tensor, lo: number): void; tensors: Map<string, Tensor> } {
  const tensors = new Map<string, Tensor>();
  return {
    tensors,
    place(key, part, lo) {
      const T = part.shape[0];
      const per = sizeOf(part.shape.slice(2));
      const len = part.shape[1] * per;
      let full = tensors.get(key);
      if (!full) {
        const Ctor = (part.data as Float64Array).constructor as Float64ArrayConstructor;
        full = { dtype: part.dtype, shape: [T, B, ...part.shape.slice(2)], data: new Ctor(T * B * per) };
        tensors.set(key, full);
      }
      const src = part.data as Float64Array;
      const dst = full.data as Float64Array;
      for (let t = 0; t < T; t++) dst.set(src.subarray(t * len, (t + 1) * len), (t * B + lo) * per);
    },
  };
}

/**
 * Estimated cost of each batch item: its events (or non-zero inputs) plus a fixed share for
 * the per-step work every item does, so chunks of equal cost finish together. Events sorted by
 * item (`sorted`, found here when not given) are counted by binary search, not one by one: the
 * caller's thread does this before any worker starts.
 */
export function itemWork(input: SimInput, B: number, n: number, sorted?: boolean): Float64Array {
  const work = new Float64Array(B);
  if ("dtype" in input) {
    const data = input.data as ArrayLike<number>;
    const T = input.shape[0];
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) {
      const o = (t * B + b) * n;
      let c = 0;
      for (let i = 0; i < n; i++) if (data[o + i] !== 0) c++;
      work[b] += c;
    }
  } else {
    const ev = input as EventInput;
    const bat = ev.batch;
    if (bat && (sorted ?? itemsSorted(ev))) {
      for (let b = 0, a = firstOf(bat, 0); b < B; b++) {
        const z = firstOf(bat, b + 1);
        work[b] = z - a;
        a = z;
      }
    } else for (let k = 0; k < ev.t.length; k++) work[bat ? bat[k] : 0]++;
  }
  let total = 0;
  for (let b = 0; b < B; b++) total += work[b];
  const fixed = total / B / 4 + 1;
  for (let b = 0; b < B; b++) work[b] += fixed;
  return work;
}

/**
 * Chunks for W workers handed out in order: each takes about 1/(2W) of the work still left (at
 * least 1/(16W) of the whole, and one item), so early chunks are large (few messages) and the
 * last ones small (the workers finish together).
 */
export function guidedChunks(work: Float64Array, W: number): [number, number][] {
  const B = work.length;
  let total = 0;
  for (let b = 0; b < B; b++) total += work[b];
  const chunks: [number, number][] = [];
  let left = total;
  for (let lo = 0; lo < B; ) {
    const goal = Math.max(left / (2 * W), total / (16 * W));
    let hi = lo + 1, acc = work[lo];
    while (hi < B && acc + work[hi] <= goal) acc += work[hi++];
    chunks.push([lo, hi]);
    left -= acc;
    lo = hi;
  }
  return chunks;
}
