/**
 * A chain of event-driven layers — conv→IF, sum/avg pool, affine→IF — run as one generated
 * WebAssembly SIMD call per step, with every layer's tables, scratch, state and output in one
 * memory. Layers hand each other (active list, dense values, count) in that memory, so nothing
 * crosses into JavaScript between them; only the chain's input list and output list are copied.
 *
 * Every layer performs the JavaScript kernels' operations in the same order (conv-if.ts,
 * conv.ts's pool, linear.ts + neuron.ts), so spikes, values and v are identical bit for bit:
 * - conv→IF: each listed non-zero input adds x·w (= w for x = 1) into a position-major
 *   scratch, two channels per f64x2, and ORs its input position's precomputed bitmap of reached
 *   output positions into the step's bitmap; the touched positions are then updated in ascending
 *   order, v + g·y, spike on v > θ, v ← v_reset, spikes listed by position and channel (the
 *   positions that spike are found first, then listed). With more than 30% of the inputs listed
 *   the JavaScript kernel gathers (ascending input order per output) and fires in NCHW order:
 *   the chain then scatters in ascending input order and fires in NCHW order too.
 *   Where every input position has about the same number of taps (3×3, stride 1), each listed
 *   input is straight-line code over a fixed number of rows, the missing taps aimed at a trash row.
 *   While every sum is provably exact (see `DirectBound`) the inputs go straight into v and only
 *   the touched v are tested: the same v (a zero's sign aside), without the per-step y.
 * - pool: y[q] += x·scale for the outputs each listed input reaches, listed at first touch.
 * - affine→IF: y = bias + Σ x·W[row] over the listed non-zero inputs (four rows per pass), then
 *   the IF update of every neuron with y ≠ 0; with no input and no bias the step is skipped.
 *   After the chain's first layer, with no bias and gain 1, a step whose sums are provably exact
 *   (see `affineLimit`) adds the rows straight into v and tests every v: the same v, bit for bit.
 */
import { instantiate, wasmSimd, type WasmHeap } from "../wasm/instance.js";
import { affineLimit, directBound, ruledDirectBound, type DirectBound } from "./chain-bounds.js";
import { convIFCode, fireGroups, paddedRows } from "./chain-conv.js";
import { convIFRuleCode, convIFRuleReset, ruleBitmapBytes } from "./chain-conv-rule.js";
import { affineIFCode, affineIFRuleCode, affineIFRuleReset, poolCode } from "./chain-layers.js";
import { ruleDense, zeroStays } from "./chain-if.js";
import { f, inSize, outSize, ruled, type ChainLayer, type IO } from "./chain-wat.js";

export type { ChainLayer } from "./chain-wat.js";

/** True when a layer can run in a chain (even channel counts, finite IF constants, one weight block). */
export function chainLayerApplies(l: ChainLayer): boolean {
  if (!wasmSimd) return false;
  if (l.kind === "pool") return true;
  if (![l.g0, l.th0, l.vr0].every(Number.isFinite)) return false;
  if (l.kind === "convIF") return l.g.cout % 2 === 0 && (l.g.cout / l.g.groups) % 2 === 0;
  return l.p.blocks === 1 && l.p.nout % 2 === 0;
}

/** A built chain: views into its memory and the step entry point. */
export interface WasmChain {
  /** The first layer's input: active list and dense values (the caller fills both). */
  inList: Int32Array;
  inVal: Float64Array;
  /** The last layer's output: active list and dense values. */
  outList: Int32Array;
  outVal: Float64Array;
  /** Per layer, the IF membrane potentials (conv layers position-major), or null for a pool. */
  v: (Float64Array | null)[];
  /**
   * Runs every layer for one step on the input list of `na` entries (inList, with their values
   * in inVal, which the step zeroes again after use); returns the output list length. `reset`
   * marks the first step after v was reset: the direct bound starts over (see `directMask`).
   */
  step(na: number, reset: boolean): number;
  /** Staged steps for `run`: per step its entry count, and the entries (an index may repeat within a step: its values add up). */
  staged: { count: Int32Array; index: Int32Array; value: Float64Array };
  /** Output rows of `run`: per step the last layer's output (outSize values), written only where it is non-zero. */
  rows: Float64Array;
  /** Runs `steps` staged steps (≤ staged.count.length) in one call, each step's output into its row of `rows` (zeroed by the caller); `reset` as for step. */
  run(steps: number, reset: boolean): void;
  /**
   * The layers that may add straight into v at a step (a bit per layer): `steps` steps since v
   * was reset (this one included), the first layer's inputs integers whose per-step maxima sum
   * to `inputSum` (Infinity once an input was not an integer). Each step computes it inside the
   * chain; exported for tests.
   */
  directMask(steps: number, inputSum: number): number;
  /** Per layer, the steps it ran with direct sums since the chain was built (for tests and profiling). */
  directSteps: Int32Array;
}

/** Bytes a layer's tables and state take (before alignment padding). */
function layerBytes(l: ChainLayer): number {
  if (l.kind === "convIF") {
    const ohw = l.g.oh * l.g.ow, osz = l.g.cout * ohw, nin = l.g.cin * l.g.h * l.g.w, nrow = l.rows.start[nin];
    const nv = Math.ceil(ohw / 128);
    return 4 * (nin + 1) + 8 * nrow + 8 * l.rows.wc.length + 16 * (osz + l.g.cout) + 16 * nv * (l.g.h * l.g.w + 1) + 8 * l.g.h * l.g.w * paddedRows(l) + 4 * ohw * (1 + fireGroups(l.g.cout)) + ruleBitmapBytes(l);
  }
  if (l.kind === "pool") return 4 * (l.isz + 1) + 4 * l.rowOut.length + 4 * l.osz;
  return 8 * (l.p.nin * l.p.nout + 3 * l.p.nout) + 20 * l.p.nin + 16;
}

/** Steps and input entries one `run` call takes at most (the caller stages fewer steps when the entries would not fit). */
export const CHAIN_RUN_STEPS = 512;
export const CHAIN_RUN_ENTRIES = 1 << 15;

/** A laid-out layer: its function's code, its v (null for a pool), its direct bound (or null) and, for a ruled IF layer, the code of its reset function `$<name>_reset`. */
interface LaidOut {
  code: string;
  v: Float64Array | null;
  bound: DirectBound | null;
  reset?: string;
}

/** Lays out a conv→IF layer's tables, scratch and v in the heap; returns its code. */
function layoutConvIF(heap: WasmHeap, layers: ChainLayer[], k: number, io: IO, dc: number): LaidOut {
  const l = layers[k] as Extract<ChainLayer, { kind: "convIF" }>;
  const osz = outSize(l);
  const ohw = l.g.oh * l.g.ow, nin = l.g.cin * l.g.h * l.g.w, nrow = l.rows.start[nin];
  const start = heap.i32(nin + 1), yOff = heap.i32(nrow), wOff = heap.i32(nrow);
  // y and v get one row more (position ohw): the padded rows' trash
  const wc = heap.f64(l.rows.wc.length), Y = heap.f64(osz + l.g.cout), V = heap.f64(osz + l.g.cout);
  // per input position, the bitmap of the output positions its taps reach (the same for every channel)
  const hw = l.g.h * l.g.w, nv = Math.ceil(ohw / 128);
  const masks = heap.i32(hw * 4 * nv), tb = heap.i32(4 * nv), fl = heap.i32(ohw * (1 + fireGroups(l.g.cout)));
  for (let pin = 0; pin < hw; pin++) {
    for (let r = l.rows.start[pin]; r < l.rows.start[pin + 1]; r++) {
      const q = l.rows.pos[r];
      masks.view[pin * 4 * nv + (q >> 5)] |= 1 << (q & 31);
    }
  }
  start.view.set(l.rows.start);
  wc.view.set(l.rows.wc);
  for (let r = 0; r < nrow; r++) {
    yOff.view[r] = Y.at + 8 * l.rows.yOff[r];
    wOff.view[r] = wc.at + 8 * l.rows.wOff[r];
  }
  const pr = paddedRows(l);
  let pad = 0;
  if (pr) {
    const P = heap.i32(2 * hw * pr), trash = Y.at + 8 * osz;
    for (let pin = 0; pin < hw; pin++) {
      let j = 0;
      for (let r = l.rows.start[pin]; r < l.rows.start[pin + 1]; r++, j++) {
        P.view[2 * (pin * pr + j)] = Y.at + 8 * l.rows.yOff[r];
        P.view[2 * (pin * pr + j) + 1] = 8 * l.rows.wOff[r];
      }
      for (; j < pr; j++) P.view[2 * (pin * pr + j)] = trash;
    }
    pad = P.at;
  }
  const name = `layer${k}_${l.kind}`;
  const A = { dc, start: start.at, yOff: yOff.at, wOff: wOff.at, y: Y.at, v: V.at, masks: masks.at, tb: tb.at, fl: fl.at, wc: wc.at, pad, padR: pr };
  if (ruled(l)) {
    // the positions left pending by the last step
    // (and S of the direct bound, when the rule has one; the live bitmap of a leak that keeps +0)
    const rb = ruledDirectBound(layers, k);
    const R = { ...A, pb: heap.i32(4 * nv).at, ...(rb ? { sd: heap.f64(1).at } : {}), ...(ruleDense(l.rule) && zeroStays(l.rule) ? { lv: heap.i32(4 * nv).at } : {}) };
    return { code: convIFRuleCode(name, l, io, R, rb), v: V.view.subarray(0, osz), bound: null, reset: convIFRuleReset(name, l, R) };
  }
  const bound = directBound(layers, k);
  return { code: convIFCode(name, l, io, A, bound ? k : -1), v: V.view.subarray(0, osz), bound };
}

/** Lays out a pool layer's rows and stamps in the heap; returns its code. */
function layoutPool(heap: WasmHeap, l: Extract<ChainLayer, { kind: "pool" }>, k: number, io: IO): LaidOut {
  const rs = heap.i32(l.isz + 1), ro = heap.i32(l.rowOut.length), stamp = heap.i32(outSize(l));
  rs.view.set(l.rowStart);
  ro.view.set(l.rowOut);
  stamp.view.fill(-1);
  return { code: poolCode(`layer${k}_${l.kind}`, l, io, { rowStart: rs.at, rowOut: ro.at, stamp: stamp.at }), v: null, bound: null };
}

/** Lays out an affine→IF layer's weights, bias, scratch and v in the heap; returns its code. */
function layoutAffineIF(heap: WasmHeap, layers: ChainLayer[], k: number, io: IO, dc: number): LaidOut {
  const l = layers[k] as Extract<ChainLayer, { kind: "affineIF" }>;
  const { nin, nout, wt, bias } = l.p;
  const W = heap.f64(nin * nout), Bz = heap.f64(nout), Y = heap.f64(nout), V = heap.f64(nout);
  const R = heap.i32(nin), X = heap.f64(nin);
  // direct sums: per input row max|w|, and max|v| after the last step with inputs
  const RM = heap.f64(nin), VM = heap.f64(1);
  W.view.set(wt);
  if (bias) Bz.view.set(bias);
  for (let i = 0; i < nin; i++) for (let j = 0; j < nout; j++) RM.view[i] = Math.max(RM.view[i], Math.abs(wt[i * nout + j]));
  const name = `layer${k}_${l.kind}`;
  const A = { dc, W: W.at, B: Bz.at, Y: Y.at, V: V.at, R: R.at, X: X.at, RM: RM.at, VM: VM.at };
  if (ruled(l)) return { code: affineIFRuleCode(name, l, io, A), v: V.view, bound: null, reset: affineIFRuleReset(name, l, A) };
  return { code: affineIFCode(name, l, io, A, affineLimit(layers, k)), v: V.view, bound: null };
}

/** Addresses the chain's entry functions use (byte offsets into its memory). */
interface ChainAddrs {
  counts: number;
  /** The first layer's input list and values. */
  L0: number;
  X0: number;
  /** The last layer's output list and values. */
  lastList: number;
  lastVal: number;
  /** Staged steps: counts, entries' indices and values; output rows; the bound's state; per-input stamps. */
  SC: number;
  SI: number;
  SV: number;
  RW: number;
  ST: number;
  seen: number;
}

/** The `mask` entry: the bit of every layer whose direct bound holds for this many steps and this input sum. */
function maskFunc(bounds: DirectBound[]): string {
  const bound = (b: DirectBound): string => `
    (if (f64.le (f64.add (f64.const ${f(b.vmax)}) (f64.mul ${b.layer === 0 ? "(local.get $sum)" : `(f64.mul (f64.convert_i32_s (local.get $steps)) (f64.const ${f(b.xmax)}))`} (f64.const ${f(b.colSum)}))) (f64.const ${f(b.limit)}))
      (then (local.set $m (i32.or (local.get $m) (i32.const ${1 << b.layer})))))`;
  return `
  (func $mask (export "mask") (param $steps i32) (param $sum f64) (result i32) (local $m i32)
    ${bounds.map(bound).join("")}
    (local.get $m))`;
}

/** The `step` entry: the direct bound's bookkeeping, every layer in order, the input values zeroed; returns the output count. */
function stepFunc(layers: ChainLayer[], first: boolean, A: ChainAddrs, resets: string[]): string {
  return `
  (func $chain_step (export "step") (param $na i32) (param $sid i32) (param $reset i32) (result i32)
    (local $k i32) (local $x f64) (local $big f64) (local $steps i32) (local $direct i32)
    ;; the direct bound: steps since reset, and (first layer) the sum of each step's largest
    ;; input (a non-integer or one above 2^20 counts as 1e300: no direct sums after it)
    (if (local.get $reset) (then${resets.map((n) => `
      (call $${n}_reset)`).join("")}
      (f64.store offset=${A.ST} (i32.const 0) (f64.const 0))
      (i32.store offset=${A.ST + 8} (i32.const 0) (i32.const 0))))
    (local.set $steps (i32.add (i32.load offset=${A.ST + 8} (i32.const 0)) (i32.const 1)))
    (i32.store offset=${A.ST + 8} (i32.const 0) (local.get $steps))
    ${first ? `(block $db (loop $lb
      (br_if $db (i32.ge_u (local.get $k) (local.get $na)))
      (local.set $x (f64.load offset=${A.X0} (i32.shl (i32.load offset=${A.L0} (i32.shl (local.get $k) (i32.const 2))) (i32.const 3))))
      (local.set $big (f64.max (local.get $big) (f64.abs (local.get $x))))
      (if (f64.ne (f64.floor (local.get $x)) (local.get $x)) (then (local.set $big (f64.const 1e300))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $lb)))
    (if (f64.gt (local.get $big) (f64.const 1048576)) (then (local.set $big (f64.const 1e300))))
    (f64.store offset=${A.ST} (i32.const 0) (f64.add (f64.load offset=${A.ST} (i32.const 0)) (local.get $big)))
    (local.set $k (i32.const 0))` : ""}
    (local.set $direct (call $mask (local.get $steps) (f64.load offset=${A.ST} (i32.const 0))))
    (i32.store offset=${A.counts} (i32.const 0) (local.get $na))
    ${layers.map((l, k) => `(call $layer${k}_${l.kind} (local.get $sid) (local.get $direct))`).join("\n    ")}
    ;; the input values back to zero
    (block $dz (loop $lz
      (br_if $dz (i32.ge_u (local.get $k) (local.get $na)))
      (f64.store offset=${A.X0} (i32.shl (i32.load offset=${A.L0} (i32.shl (local.get $k) (i32.const 2))) (i32.const 3)) (f64.const 0))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $lz)))
    (i32.load offset=${A.counts + 4 * layers.length} (i32.const 0)))`;
}

/** The `run` entry: `steps` staged steps, each listed into the input, stepped, and its output list copied into its row. */
function runFunc(nOut: number, A: ChainAddrs): string {
  return `
  (func $chain_run (export "run") (param $steps i32) (param $sid i32) (param $reset i32)
    (local $s i32) (local $e i32) (local $n i32) (local $k i32) (local $idx i32) (local $m i32) (local $q i32) (local $rb i32)
    (local $na i32) (local $tag i32) (local $end i32)
    (block $ds (loop $ls
      (br_if $ds (i32.ge_u (local.get $s) (local.get $steps)))
      ;; this step's staged entries become the input list and values; a repeated index adds its
      ;; value (in staging order, as events summed into a port)
      (local.set $tag (i32.add (local.get $sid) (local.get $s)))
      (local.set $end (i32.add (local.get $e) (i32.load offset=${A.SC} (i32.shl (local.get $s) (i32.const 2)))))
      (local.set $na (i32.const 0))
      (block $dk (loop $lk
        (br_if $dk (i32.ge_u (local.get $e) (local.get $end)))
        (local.set $idx (i32.load offset=${A.SI} (i32.shl (local.get $e) (i32.const 2))))
        (if (i32.ne (i32.load offset=${A.seen} (i32.shl (local.get $idx) (i32.const 2))) (local.get $tag))
          (then
            (i32.store offset=${A.seen} (i32.shl (local.get $idx) (i32.const 2)) (local.get $tag))
            (i32.store offset=${A.L0} (i32.shl (local.get $na) (i32.const 2)) (local.get $idx))
            (local.set $na (i32.add (local.get $na) (i32.const 1)))
            (f64.store offset=${A.X0} (i32.shl (local.get $idx) (i32.const 3)) (f64.load offset=${A.SV} (i32.shl (local.get $e) (i32.const 3)))))
          (else
            (f64.store offset=${A.X0} (i32.shl (local.get $idx) (i32.const 3))
              (f64.add (f64.load offset=${A.X0} (i32.shl (local.get $idx) (i32.const 3))) (f64.load offset=${A.SV} (i32.shl (local.get $e) (i32.const 3)))))))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $lk)))
      (local.set $m (call $chain_step (local.get $na) (local.get $tag) (i32.and (local.get $reset) (i32.eqz (local.get $s)))))
      ;; the output list into this step's row
      (local.set $rb (i32.add (i32.const ${A.RW}) (i32.mul (local.get $s) (i32.const ${8 * nOut}))))
      (local.set $q (i32.const 0))
      (block $dq (loop $lq
        (br_if $dq (i32.ge_u (local.get $q) (local.get $m)))
        (local.set $k (i32.shl (i32.load offset=${A.lastList} (i32.shl (local.get $q) (i32.const 2))) (i32.const 3)))
        (f64.store (i32.add (local.get $rb) (local.get $k)) (f64.load offset=${A.lastVal} (local.get $k)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $lq)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $ls))))`;
}

/** The chain's exports. */
interface ChainExports {
  step: (na: number, sid: number, reset: number) => number;
  run: (steps: number, sid: number, reset: number) => void;
  mask: (steps: number, sum: number) => number;
}

/** Memory bytes a chain needs: input, counts, staging, the bound's state and stamps, and every layer (each allocation rounded up to 16 bytes). */
function chainBytes(layers: ChainLayer[]): number {
  const n0 = inSize(layers[0]);
  const nOut = outSize(layers[layers.length - 1]);
  let bytes = 12 * n0 + 4 * (2 * layers.length + 1) + 4 * CHAIN_RUN_STEPS + 12 * CHAIN_RUN_ENTRIES + 8 * CHAIN_RUN_STEPS * nOut + 16 + 4 * n0 + 16 * 10;
  for (const l of layers) bytes += layerBytes(l) + 12 * outSize(l) + 16 * 13;
  return bytes;
}

/** Builds a chain (every layer must satisfy `chainLayerApplies`; each layer's input is the previous one's output). */
export function wasmChain(layers: ChainLayer[]): WasmChain {
  const n0 = inSize(layers[0]);
  const nOut = outSize(layers[layers.length - 1]);
  let inList!: Int32Array, directSteps!: Int32Array, inVal!: Float64Array, outList!: Int32Array, outVal!: Float64Array;
  const v: (Float64Array | null)[] = [];
  const bounds: DirectBound[] = [];
  let staged!: WasmChain["staged"], rows!: Float64Array;
  const ex = instantiate<ChainExports>(chainBytes(layers), (heap) => {
    const counts = heap.i32(layers.length + 1), DC = heap.i32(layers.length);
    directSteps = DC.view;
    const L0 = heap.i32(n0), X0 = heap.f64(n0);
    inList = L0.view;
    inVal = X0.view;
    let prev = { list: L0.at, val: X0.at };
    const funcs: string[] = [];
    const resets: string[] = [];
    layers.forEach((l, k) => {
      // one entry more: a pool writes each touched output at the list's end before it knows
      // whether to keep it
      const OL = heap.i32(outSize(l) + 1), OV = heap.f64(outSize(l) + 1);
      const io: IO = { inList: prev.list, inVal: prev.val, inCount: counts.at + 4 * k, outList: OL.at, outVal: OV.at, outCount: counts.at + 4 * (k + 1) };
      const laid = l.kind === "convIF" ? layoutConvIF(heap, layers, k, io, DC.at + 4 * k) : l.kind === "pool" ? layoutPool(heap, l, k, io) : layoutAffineIF(heap, layers, k, io, DC.at + 4 * k);
      v.push(laid.v);
      if (laid.bound) bounds.push(laid.bound);
      funcs.push(laid.code);
      if (laid.reset) {
        funcs.push(laid.reset);
        resets.push(`layer${k}_${l.kind}`);
      }
      prev = { list: OL.at, val: OV.at };
      if (k === layers.length - 1) {
        outList = OL.view;
        outVal = OV.view;
      }
    });
    // the whole-run entry: staged inputs, and rows for the last layer's output (`prev` now)
    const SC = heap.i32(CHAIN_RUN_STEPS), SI = heap.i32(CHAIN_RUN_ENTRIES), SV = heap.f64(CHAIN_RUN_ENTRIES);
    const RW = heap.f64(CHAIN_RUN_STEPS * nOut);
    // the direct bound's state (Σ of each step's largest input, steps since reset) and, per
    // input index, the step that last listed it (staged entries may repeat an index)
    const ST = heap.f64(2), seen = heap.i32(n0);
    staged = { count: SC.view, index: SI.view, value: SV.view };
    rows = RW.view;
    const A: ChainAddrs = { counts: counts.at, L0: L0.at, X0: X0.at, lastList: prev.list, lastVal: prev.val, SC: SC.at, SI: SI.at, SV: SV.at, RW: RW.at, ST: ST.at, seen: seen.at };
    return `(module (memory (import "env" "mem") $PAGES)
${funcs.join("\n")}${maskFunc(bounds)}${stepFunc(layers, bounds.some((b) => b.layer === 0), A, resets)}${runFunc(nOut, A)})`;
  }, "chain");
  // stamp ids (the pools' first-touch lists, the staged inputs) never repeat across step() and run()
  let sid = 0;
  return {
    inList, inVal, outList, outVal, v, staged, rows,
    directMask: (steps, inputSum) => ex.mask(steps, inputSum),
    directSteps,
    step: (na, reset) => ex.step(na, ++sid, reset ? 1 : 0),
    run: (steps, reset) => {
      ex.run(steps, sid + 1, reset ? 1 : 0);
      sid += steps;
    },
  };
}
