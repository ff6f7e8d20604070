/**
 * Execution: runs a checked input through a runtime item by item (items are independent; a
 * batch-1 runtime keeps each item's buffers in cache for all its steps). One executor interface,
 * three implementations, chosen per run:
 * - whole run: the small-graph module runs many steps of an item per call, fed from its memory
 *   or the input's non-zero index, writing records itself;
 * - chain: a wasm chain that is the runtime's only step runs many steps per call, fed staged lists;
 * - step loop: feed, advance, copy records, one step at a time (always applies).
 */
import { attachDisplay } from "../ir/display.js";
import type { Tensor } from "../ir/tensor.js";
import type { Feeder, SlottedEvents } from "./feed.js";
import type { FlatGraph } from "./graph.js";
import { listChainInput, type ChainRun } from "./ops/chain-io.js";
import { CHAIN_RUN_ENTRIES, CHAIN_RUN_STEPS } from "./ops/chain-wasm.js";
import type { NonZeroIndex } from "./ops/input-scan.js";
import type { SmallGraphRun } from "./ops/small-graph-wasm.js";
import { copyTo32, copyTo64, makeRecorders, rowsTo32, rowsTo64, type Recorder } from "./record.js";
import { advance, resetRuntime, type Runtime } from "./runtime.js";
import type { Plan, RunOptions, SimResult } from "./types.js";

/** Runs items of one run; `runItem` returns the steps done so far over the run (for progress). */
interface Executor {
  runItem(b: number, done: number): number;
  /** After the last item (records still in kernel memory are copied out). */
  finish(): void;
}

/** Everything an executor reads: the runtime, the feeder, the records and the progress callback. */
interface RunState {
  rt: Runtime;
  feed: Feeder;
  recs: Recorder[];
  T: number;
  B: number;
  /** Called after each call of a many-step kernel with the steps done so far (null: no progress wanted). */
  progress: ((done: number) => void) | null;
  onProgress: RunOptions["onProgress"];
  /** Progress every this many steps (and at the end). */
  every: number;
}

/**
 * How a run uses the whole-run kernel. With `direct`, every record of the whole run fits the
 * record area in its final (T, B, size) layout at `offsets` (values): the kernel writes each
 * step there and one copy per record ends the run. Otherwise each call's records go to the
 * area's start as rows of `row` values (a record at its offset in the row), copied out per call.
 */
interface WholePlan {
  run: SmallGraphRun;
  /** The input's index (fed as listed entries), or null: the input is in the kernel (`width` bytes per value). */
  nz: NonZeroIndex | null;
  width: number;
  direct: boolean;
  offsets: Int32Array;
  row: number;
  /** Steps per call at most. */
  chunk: number;
}

/**
 * The whole-run plan for this run, or null when the per-step loop must run: a whole-run
 * kernel, dense input in its memory or indexed, and every record's array in its memory (at
 * most its table's length, and at least one step's records fitting its record area).
 */
function wholePlan(rt: Runtime, feed: Feeder, recs: Recorder[]): WholePlan | null {
  const run = rt.whole;
  const nz = feed.index;
  if (!run || (!nz && !feed.inKernel) || recs.length > run.maxRecords || rt.steps.length !== 1) return null;
  let row = 0;
  for (const rec of recs) {
    if (rec.source.buffer !== run.buffer || rec.source.length !== rec.size) return null;
    row += rec.size;
  }
  const T = feed.steps, B = feed.batch;
  const direct = T * B * row <= run.rec.length;
  const offsets = new Int32Array(recs.length);
  for (let r = 1; r < recs.length; r++) offsets[r] = offsets[r - 1] + (direct ? T * B : 1) * recs[r - 1].size;
  const chunk = Math.min(run.capacity, Math.floor(run.rec.length / Math.max(1, row)));
  if (chunk < 1) return null;
  for (let r = 0; r < recs.length; r++) {
    run.table[4 * r] = recs[r].source.byteOffset;
    run.table[4 * r + 1] = recs[r].size;
  }
  return { run, nz: feed.inKernel ? null : nz, width: feed.inKernel, direct, offsets, row, chunk };
}

/**
 * Item b's T steps through the whole-run kernel, up to `chunk` steps per call: it scans the
 * item's rows of the input in its memory, or is given the steps' entries of the input's
 * non-zero index (fewer steps when they would not fit); records are written in place (direct)
 * or copied out after each call. Returns the steps done so far over the run (for progress).
 */
function runWhole(w: WholePlan, rt: Runtime, recs: Recorder[], T: number, B: number, b: number,
  progress: ((done: number) => void) | null, done: number): number {
  const { run, offsets, row, chunk, direct, nz, width } = w;
  const { count, index, value, entries, table } = run;
  const n = run.inSize;
  const area = run.rec;
  if (direct) {
    for (let r = 0; r < recs.length; r++) {
      table[4 * r + 2] = run.recAt + 8 * (offsets[r] + b * recs[r].size);
      table[4 * r + 3] = 8 * B * recs[r].size;
    }
  }
  for (let t0 = 0; t0 < T; ) {
    let steps = 0;
    if (nz) {
      const { start, idx, val } = nz;
      let e = 0;
      for (const max = Math.min(chunk, T - t0); steps < max; steps++) {
        const q = (t0 + steps) * B + b;
        const a = start[q], z = start[q + 1];
        if (e + z - a > entries) break;
        count[steps] = z - a;
        for (let k = a; k < z; k++, e++) {
          index[e] = idx[k];
          value[e] = val[k];
        }
      }
    } else steps = direct ? T : Math.min(chunk, T - t0);
    if (!direct) {
      for (let r = 0; r < recs.length; r++) {
        table[4 * r + 2] = run.recAt + 8 * offsets[r];
        table[4 * r + 3] = 8 * row;
      }
    }
    const at = run.inAt + (t0 * B + b) * n * width;
    if (nz) run.run(steps, recs.length);
    else if (width === 4) run.run32(steps, recs.length, at, B * n * 4);
    else run.run64(steps, recs.length, at, B * n * 8);
    if (!direct) {
      for (let r = 0; r < recs.length; r++) {
        const dst = recs[r].out.data;
        const size = recs[r].size;
        if (dst instanceof Float32Array) rowsTo32(dst, (t0 * B + b) * size, B * size, area, offsets[r], row, size, steps);
        else rowsTo64(dst as Float64Array, (t0 * B + b) * size, B * size, area, offsets[r], row, size, steps);
      }
    }
    t0 += steps;
    done += steps;
    if (progress) progress(done);
  }
  rt.t = T;
  return done;
}

/**
 * Item b's T steps through the runtime's wasm chain, up to CHAIN_RUN_STEPS per call: the feeder
 * fills the input port step by step, each step's list is staged in the chain's memory with its
 * direct mask (as chainStep computes it), one call runs the staged steps, and their output rows
 * go into the records (all of them the chain's output). Returns the steps done so far (for progress).
 */
function runChain(c: ChainRun, rt: Runtime, feed: Feeder, recs: Recorder[], T: number, B: number, b: number,
  progress: ((done: number) => void) | null, done: number): number {
  const { chain, inp } = c;
  const { count, index, value } = chain.staged;
  const rows = chain.rows;
  const size = c.outp.size;
  const grouped = feed.itemRows ?? feed.events;
  for (let t0 = 0; t0 < T; ) {
    let steps = 0;
    const max = Math.min(CHAIN_RUN_STEPS, T - t0);
    // the item's steps are consecutive rows: as many as fit, their entries staged at once (a step
    // with more raw events than the staging holds goes through the port, which sums them)
    const r0 = b * T + t0;
    if (grouped && grouped.start[r0 + 1] - grouped.start[r0] <= CHAIN_RUN_ENTRIES) {
      const start = grouped.start;
      const e0 = start[r0];
      while (steps < max && start[r0 + steps + 1] - e0 <= CHAIN_RUN_ENTRIES) steps++;
      const e1 = start[r0 + steps];
      for (let s = 0; s < steps; s++) count[s] = start[r0 + s + 1] - start[r0 + s];
      if (feed.itemRows) {
        index.set(feed.itemRows.idx.subarray(e0, e1));
        value.set(feed.itemRows.val.subarray(e0, e1));
      } else stageEvents(feed.events!, e0, e1, index, value);
    } else {
      // a step lists at most inp.size entries: stage while the next one surely fits (at least one)
      for (let e = 0; steps < (grouped ? 1 : max) && e + inp.size <= CHAIN_RUN_ENTRIES; steps++) {
        feed.feedItem(rt, t0 + steps, b);
        count[steps] = listChainInput(inp, index, value, e, false);
        e += count[steps];
      }
    }
    rows.fill(0, 0, steps * size);
    chain.run(steps, t0 === 0);
    for (let r = 0; r < recs.length; r++) {
      const dst = recs[r].out.data;
      if (dst instanceof Float32Array) rowsTo32(dst, (t0 * B + b) * size, B * size, rows, 0, size, size, steps);
      else rowsTo64(dst as Float64Array, (t0 * B + b) * size, B * size, rows, 0, size, size, steps);
    }
    t0 += steps;
    done += steps;
    if (progress) progress(done);
  }
  rt.t = T;
  return done;
}

/** Events e0 … e1 − 1 in slot order (a repeated index stays repeated: the chain sums it) into the staging arrays. */
function stageEvents(ev: SlottedEvents, e0: number, e1: number, index: Int32Array, value: Float64Array): void {
  const { order, idx, val } = ev;
  if (!order) {
    index.set(idx.subarray(e0, e1));
    if (val) value.set(val.subarray(e0, e1));
    else value.fill(1, 0, e1 - e0);
    return;
  }
  for (let q = e0; q < e1; q++) {
    const k = order[q];
    index[q - e0] = idx[k];
    value[q - e0] = val ? val[k] : 1;
  }
}

/** After a direct whole run: each record's (T, B, size) block of the area into its tensor. */
function finishWhole(w: WholePlan, recs: Recorder[], T: number, B: number): void {
  if (!w.direct) return;
  for (let r = 0; r < recs.length; r++) {
    const dst = recs[r].out.data as Float32Array | Float64Array;
    dst.set(w.run.rec.subarray(w.offsets[r], w.offsets[r] + T * B * recs[r].size));
  }
}

/** The whole-run executor (see wholePlan). */
function wholeExecutor(w: WholePlan, s: RunState): Executor {
  return {
    runItem(b, done) {
      resetRuntime(s.rt);
      return runWhole(w, s.rt, s.recs, s.T, s.B, b, s.progress, done);
    },
    finish: () => finishWhole(w, s.recs, s.T, s.B),
  };
}

/** The chain executor (see runChain). */
function chainExecutor(c: ChainRun, s: RunState): Executor {
  return {
    runItem(b, done) {
      resetRuntime(s.rt);
      return runChain(c, s.rt, s.feed, s.recs, s.T, s.B, b, s.progress, done);
    },
    finish: () => undefined,
  };
}

/** The step-loop executor: feed, advance and copy the records, one step at a time. */
function stepExecutor(s: RunState): Executor {
  const { rt, feed, recs, T, B, onProgress, every } = s;
  const total = B * T;
  return {
    runItem(b, done) {
      resetRuntime(rt);
      for (let t = 0; t < T; t++) {
        feed.feedItem(rt, t, b);
        advance(rt);
        for (let r = 0; r < recs.length; r++) {
          const rec = recs[r];
          const dst = rec.out.data;
          // one copy loop per destination type: each stays monomorphic (fast) in the JIT
          if (dst instanceof Float32Array) copyTo32(dst, (t * B + b) * rec.size, rec.source, rec.size);
          else copyTo64(dst as Float64Array, (t * B + b) * rec.size, rec.source, rec.size);
        }
        done++;
        if (onProgress && (done % every === 0 || done === total)) onProgress(Math.floor((done * T) / total), T);
      }
      return done;
    },
    finish: () => undefined,
  };
}

/**
 * The executor for this run: whole run when the runtime has a whole-run kernel that can take the
 * input and the records; chain when a chain from the input port is the only step and every
 * record is its output; else the step loop.
 */
function executorFor(s: RunState): Executor {
  const whole = wholePlan(s.rt, s.feed, s.recs);
  if (whole) return wholeExecutor(whole, s);
  const cr = s.rt.chainRun;
  if (cr && cr.inp.size <= CHAIN_RUN_ENTRIES && s.recs.every((r) => r.source === cr.outp.out && r.size === cr.outp.size)) return chainExecutor(cr, s);
  return stepExecutor(s);
}

/** Runs a checked input through a batch-1 runtime, recording the graph's Output and `opts.record`. */
export function execute(rt: Runtime, feed: Feeder, opts: RunOptions, plan: Plan, flat: FlatGraph, outputName: string): SimResult {
  const T = feed.steps;
  const B = feed.batch;
  const recs = makeRecorders([outputName, ...(opts.record ?? [])], rt, flat, T, B, feed.batched);
  const total = B * T;
  const every = Math.max(1, Math.floor(total / 100));
  const onProgress = opts.onProgress;
  // the same progress calls as the step loop (every `every` steps and at the end), made after each call
  let reported = 0;
  const progress = onProgress ? (d: number): void => {
    for (let q = (Math.floor(reported / every) + 1) * every; q <= d; q += every) onProgress(Math.floor((q * T) / total), T);
    if (d === total && total % every !== 0) onProgress(T, T);
    reported = d;
  } : null;
  const exec = executorFor({ rt, feed, recs, T, B, progress, onProgress, every });
  let done = 0;
  for (let b = 0; b < B; b++) done = exec.runItem(b, done);
  exec.finish();
  const records: Record<string, Tensor> = {};
  for (const r of recs.slice(1)) records[r.key] = r.out;
  const result: SimResult = { dt: plan.dt, profile: plan.profile.name, steps: T, batch: B, output: recs[0].out, records };
  return attachDisplay(result, "simulation");
}
