/**
 * A whole step of a small graph — a chain of single-block affines and uniform current-based
 * spiking layers, such as the paper's Braille RNN — as one generated WebAssembly SIMD
 * function. For small layers the per-node calls and loops of the JavaScript kernels cost more
 * than their arithmetic; here every node of the step runs in one call, with the layers' sizes,
 * addresses and coefficients baked in as constants.
 *
 * The ports and neuron states keep their roles: their arrays are re-pointed to views into the
 * kernel's memory (which never grows), so feeding, recording and resetting work unchanged.
 * Arithmetic is that of affineStep and cubaSumStep/neuronStep operation for operation, two
 * elements per f64x2 operation (IEEE add/mul/sub per lane, no FMA): an affine starts from its
 * bias (or 0) and adds x·w of each non-zero input in the order of the input's active list;
 * spikes are listed in increasing index. Odd sizes are padded to an even length; the padding
 * lane is scratch that is computed but never read or listed.
 *
 * Given the graph's input and output ports, the module also exports a whole-run function: it
 * runs many steps of one item in one call, feeding each step's listed non-zero inputs itself
 * (as the JavaScript feeder does: clear the entries listed last step, then write the step's
 * entries and list them in their given order) and copying chosen arrays (records) after each
 * step into a record area, each to its own running address, so that no JavaScript runs
 * between steps.
 */
import type { AffineParams } from "./linear.js";
import { isUniformCuba, type NeuronCoefs, type NeuronState } from "./neuron.js";
import type { Port, StepFn } from "./buffers.js";
import { instantiate, wasmSimd, type WasmHeap } from "../wasm/instance.js";
import { watLiteral } from "./contract.js";
import { wholeRunCode, type PortAt } from "./small-graph-run.js";

/** One step function of a runtime, described for fusing (every step must have one). */
export type StepOp =
  | { kind: "affine"; p: AffineParams; inp: Port; outp: Port }
  /** A uniform current-based layer reading one port, or the sum of two (x = 0 + a + b). */
  | { kind: "cuba"; c: NeuronCoefs; st: NeuronState; inp: Port[]; outp: Port };

/** The fused step and the flags that resetRuntime must zero (an affine's "output holds just its bias"). */
export interface SmallGraphWasm {
  step: StepFn;
  cleanFlags: Uint8Array[];
  /** The whole-run entry (only when built with the graph's input and output ports). */
  run: SmallGraphRun | null;
}

/**
 * Runs many steps of one batch item per call, fed in one of two ways: `run` takes up to
 * `capacity` steps whose listed input entries the caller wrote (each step's count into
 * `count`, the entries (index, value) one step after the other into `index`/`value`, at most
 * `entries` in all); `run32`/`run64` scan dense rows of the whole (T, B, n) input that the
 * caller copied into `in32`/`in64` (checked with `nan32`/`nan64`). The caller lists the
 * records in `table` and reads them from `rec`.
 */
export interface SmallGraphRun {
  /** Values per step of the input port. */
  inSize: number;
  /** Steps one call runs at most. */
  capacity: number;
  /** Input entries one call takes at most (≥ the input port's size). */
  entries: number;
  /** Per step, how many input entries it has. */
  count: Int32Array;
  /** The entries' input indices (distinct within a step) and values (non-zero). */
  index: Int32Array;
  value: Float64Array;
  /** Record area (the kernel writes records only where the table points). */
  rec: Float64Array;
  /** Byte address of rec[0] in the memory. */
  recAt: number;
  /**
   * Per record (at most `maxRecords`) four entries: the array's byte address, its length in
   * values, the byte address its next copy goes to, and the bytes that address advances per
   * step (the kernel updates the third entry as it goes).
   */
  table: Int32Array;
  maxRecords: number;
  /** The memory's buffer (an array lives in it when its `buffer` is this). */
  buffer: ArrayBuffer;
  /** Runs `steps` (1 … capacity) steps, copying the first `nrec` records after each. */
  run(steps: number, nrec: number): void;
  /** The dense input area, as float32 and as float64 values (the same bytes). */
  in32: Float32Array;
  in64: Float64Array;
  /** Byte address of the input area. */
  inAt: number;
  /** Runs `steps` steps scanning the float32 rows at byte address `row`, `row + stride`, …; records as in `run`. */
  run32(steps: number, nrec: number, row: number, stride: number): void;
  /** As run32 for float64 rows. */
  run64(steps: number, nrec: number, row: number, stride: number): void;
  /** Index of the first NaN among in32[0 … count), or −1. */
  nan32(count: number): number;
  /** Index of the first NaN among in64[0 … count), or −1. */
  nan64(count: number): number;
}

/** Ports the whole-run entry feeds and records (both become kernel memory). */
export interface SmallGraphIO {
  input: Port;
  output: Port;
}

/** Memory of all weights above this is not a small graph (the per-step overhead no longer dominates). */
const MAX_BYTES = 8 << 20;
/**
 * Steps and input entries one whole-run call takes at most, and the f64 values of its record
 * area (4 MB: room for a whole run's output of a few hundred items; memory pages that are
 * never written cost no RAM).
 */
const RUN_STEPS = 4096;
const RUN_ENTRIES = 8192;
const RUN_RECORD_VALUES = 1 << 19;
/** Bytes of the dense input area (a whole run's input up to this size is copied in at once). */
const RUN_INPUT_BYTES = 4 << 20;
/** Records the whole-run table lists at most. */
const RUN_MAX_RECORDS = 64;
/** Layers up to this many f64x2 pairs are unrolled (constant addresses); larger ones loop. */
const UNROLL_PAIRS = 32;

const f = watLiteral;
const pad = (n: number): number => n + (n & 1);

/** Whether one op can join the fused step: batch-1 ports, a single-block float64 affine, a uniform current-based layer. */
function fusable(op: StepOp): boolean {
  const all = op.kind === "affine" ? [op.inp, op.outp] : [...op.inp, op.outp];
  if (all.some((p) => p.batch !== 1)) return false;
  if (op.kind === "affine") {
    const { blocks, nin, nout, wt } = op.p;
    return blocks === 1 && wt instanceof Float64Array && op.inp.size === nin && op.outp.size === nout && nin >= 1 && nout >= 1;
  }
  const c = op.c;
  return isUniformCuba(c) && !c.float32 && op.inp.length >= 1 && op.inp.length <= 2 && op.inp.every((p) => p.size === c.n) && op.outp.size === c.n;
}

/** Bytes an op's own regions take (weights and bias, or v and i). */
function opBytes(op: StepOp): number {
  if (op.kind === "affine") return 8 * op.p.nin * pad(op.p.nout) + 8 * pad(op.p.nout) + 48;
  return 2 * (8 * pad(op.c.n) + 16);
}

/** The ports the kernel holds and the bytes of its memory, or null when the ops cannot be fused or do not fit. */
function smallGraphLayout(ops: StepOp[], io: SmallGraphIO | null): { ports: Set<Port>; bytes: number; entries: number; recValues: number } | null {
  const ports = new Set<Port>();
  let bytes = 64;
  for (const op of ops) {
    if (!fusable(op)) return null;
    bytes += opBytes(op);
    for (const p of op.kind === "affine" ? [op.inp, op.outp] : [...op.inp, op.outp]) ports.add(p);
  }
  if (io) {
    if (io.input.batch !== 1 || io.output.batch !== 1 || io.input.size < 1) return null;
    ports.add(io.input);
    ports.add(io.output);
  }
  for (const p of ports) bytes += 8 * pad(p.size) + 4 * pad(p.size) + 48;
  if (bytes > MAX_BYTES) return null;
  const entries = io ? Math.max(RUN_ENTRIES, io.input.size) : 0;
  const recValues = io ? Math.max(RUN_RECORD_VALUES, 16 * pad(io.output.size)) : 0;
  if (io) bytes += 4 * RUN_STEPS + 12 * entries + 8 * recValues + 16 * RUN_MAX_RECORDS + RUN_INPUT_BYTES + 128;
  return { ports, bytes, entries, recValues };
}

/** Moves the ports' arrays into the kernel's memory (out f64, act i32, nact i32; contents copied, arrays re-pointed). */
function placePorts(heap: WasmHeap, ports: Set<Port>): Map<Port, PortAt> {
  const P = new Map<Port, PortAt>();
  for (const p of ports) {
    const out = heap.f64(pad(p.size)), act = heap.i32(pad(p.size)), nact = heap.i32(1);
    out.view.set(p.out);
    act.view.set(p.act.subarray(0, p.size));
    nact.view[0] = p.nact[0];
    p.out = out.view.subarray(0, p.size);
    p.act = act.view.subarray(0, Math.max(1, p.size));
    p.nact = nact.view;
    P.set(p, { out: out.at, act: act.at, nact: nact.at });
  }
  return P;
}

/** Places one op's weights (or neuron state) in the kernel's memory and returns its code; an affine's clean flag goes to `cleanFlags`. */
function placeOp(heap: WasmHeap, op: StepOp, k: number, P: Map<Port, PortAt>, cleanFlags: Uint8Array[]): string {
  if (op.kind === "affine") {
    const { nin, nout, wt, bias } = op.p;
    const stride = pad(nout);
    const w = heap.f64(nin * stride);
    for (let i = 0; i < nin; i++) w.view.set(wt.subarray(i * nout, (i + 1) * nout), i * stride);
    const b = heap.f64(stride);
    if (bias) b.view.set(bias.subarray(0, nout));
    const clean = heap.i32(1);
    cleanFlags.push(new Uint8Array(heap.buffer, clean.at, 4));
    return affineCode(k, P.get(op.inp)!, P.get(op.outp)!, nin, stride, w.at, b.at, clean.at);
  }
  const st = op.st;
  const v = heap.f64(pad(op.c.n)), cur = heap.f64(pad(op.c.n));
  v.view.set(st.v);
  cur.view.set(st.i);
  st.v = v.view.subarray(0, op.c.n);
  st.i = cur.view.subarray(0, op.c.n);
  return cubaCode(k, op.c, op.inp.map((p) => P.get(p)!.out), P.get(op.outp)!, v.at, cur.at);
}

type RunFns = Pick<SmallGraphRun, "run" | "run32" | "run64" | "nan32" | "nan64">;
type RunAreas = Omit<SmallGraphRun, keyof RunFns>;

/** Places the whole-run areas (entries, records, dense input) and returns them with the whole-run code. */
function placeRun(heap: WasmHeap, inp: PortAt, inSize: number, entries: number, recValues: number): { areas: RunAreas; code: string } {
  const count = heap.i32(RUN_STEPS), index = heap.i32(entries), value = heap.f64(entries), rec = heap.f64(recValues), table = heap.i32(4 * RUN_MAX_RECORDS);
  const area = heap.f64(RUN_INPUT_BYTES / 8);
  const areas: RunAreas = {
    inSize, capacity: RUN_STEPS, entries, count: count.view, index: index.view, value: value.view, rec: rec.view, recAt: rec.at, table: table.view,
    maxRecords: RUN_MAX_RECORDS, buffer: heap.buffer, in32: new Float32Array(heap.buffer, area.at, RUN_INPUT_BYTES / 4), in64: area.view, inAt: area.at,
  };
  return { areas, code: wholeRunCode(inp, inSize, count.at, index.at, value.at, table.at, area.at) };
}

/** The module: the fused step function (its locals shared by every op's code) and the whole-run functions. */
function smallGraphModule(body: string[], runCode: string): string {
  return `(module (memory (import "env" "mem") $PAGES)
  (func $small_graph_step (export "step")
    (local $n i32) (local $k i32) (local $idx i32) (local $row i32) (local $j i32) (local $m i32) (local $bits i32)
    (local $xv f64)
    (local $xs v128) (local $x v128) (local $iv v128) (local $vp v128) (local $rf v128) (local $base v128) (local $vn v128) (local $sm v128) (local $s v128)
    (local $zero v128) (local $one v128) (local $ai v128) (local $bi v128) (local $av v128) (local $bv v128) (local $cv v128) (local $th v128) (local $vr v128)
    (local.set $one (f64x2.splat (f64.const 1)))
    ${body.join("\n")})
  ${runCode})`;
}

/**
 * Builds the fused step for batch-1 ports, or null when it does not apply (no wasm SIMD, a
 * batch other than 1, a multi-block or float32 affine, or a neuron that is not uniform
 * current-based); the caller then keeps its JavaScript steps. On success the ports' and
 * states' arrays have been moved into the kernel's memory (contents copied). With `io` (the
 * graph's input and output ports) the module also has the whole-run entry ({@link SmallGraphRun}).
 */
export function smallGraphWasm(ops: StepOp[], io: SmallGraphIO | null = null): SmallGraphWasm | null {
  if (!wasmSimd || ops.length === 0) return null;
  const layout = smallGraphLayout(ops, io);
  if (!layout) return null;
  const cleanFlags: Uint8Array[] = [];
  let run: RunAreas | null = null;
  const exports = instantiate<{ step: () => void } & Partial<RunFns>>(layout.bytes, (heap) => {
    const P = placePorts(heap, layout.ports);
    const body = ops.map((op, k) => placeOp(heap, op, k, P, cleanFlags));
    let runCode = "";
    if (io) {
      const placed = placeRun(heap, P.get(io.input)!, io.input.size, layout.entries, layout.recValues);
      run = placed.areas;
      runCode = placed.code;
    }
    return smallGraphModule(body, runCode);
  }, "small-graph");
  // the export itself is the step function (no wrapper call per step; t is ignored)
  const whole = run as RunAreas | null;
  const { run: r, run32, run64, nan32, nan64 } = exports;
  return { step: exports.step as StepFn, cleanFlags, run: whole && r && run32 && run64 && nan32 && nan64 ? { ...whole, run: r, run32, run64, nan32, nan64 } : null };
}

/**
 * `body(base, off, k)` for every f64x2 pair of a layer of `pairs` pairs: unrolled with
 * constant byte offsets (`base` empty, `k` the pair's first element as a constant), or a
 * loop whose byte offset is local $j.
 */
function forPairs(pairs: number, label: string, body: (base: string, off: number, k: string, last: boolean) => string): string {
  if (pairs <= UNROLL_PAIRS) return Array.from({ length: pairs }, (_, j) => body("", 16 * j, `(i32.const ${2 * j})`, j === pairs - 1)).join("\n");
  return `(local.set $j (i32.const 0))
    (loop ${label}
      ${body("(local.get $j)", 0, "(i32.shr_u (local.get $j) (i32.const 3))", false)}
      (br_if ${label} (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 16))) (i32.const ${16 * pairs}))))`;
}

/** Address expression: constant `off` plus an optional dynamic `base`. */
const at = (base: string, off: number): string => (base ? `offset=${off} ${base}` : `offset=${off} (i32.const 0)`);

/** Code of one affine (see affineStep): y = bias (or 0), then y += x[i]·W[i] per listed non-zero input. */
function affineCode(k: number, inp: PortAt, outp: PortAt, nin: number, stride: number,
  w: number, bias: number, clean: number): string {
  const pairs = stride / 2;
  const copyBase = forPairs(pairs, `$cb${k}`, (b, off) => `(v128.store ${at(b, outp.out + off)} (v128.load ${at(b, bias + off)}))`);
  const addRow = forPairs(pairs, `$ar${k}`, (b, off) =>
    `(v128.store ${at(b, outp.out + off)} (f64x2.add (v128.load ${at(b, outp.out + off)}) (f64x2.mul (local.get $xs) (v128.load ${b ? `offset=${w + off} (i32.add (local.get $row) ${b})` : `offset=${w + off} (local.get $row)`}))))`);
  const row = `
        (local.set $xv (f64.load offset=${inp.out} (i32.shl (local.get $idx) (i32.const 3))))
        (if (f64.ne (local.get $xv) (f64.const 0)) (then
          (local.set $xs (f64x2.splat (local.get $xv)))
          (local.set $row (i32.mul (local.get $idx) (i32.const ${8 * stride})))
          ${addRow}))`;
  return `
    ;; affine ${k}
    (local.set $n (i32.load (i32.const ${inp.nact})))
    (if (i32.eqz (local.get $n))
      (then
        (if (i32.eqz (i32.load (i32.const ${clean}))) (then
          ${copyBase}
          (i32.store (i32.const ${clean}) (i32.const 1)))))
      (else
        (i32.store (i32.const ${clean}) (i32.const 0))
        ${copyBase}
        (if (i32.gt_s (local.get $n) (i32.const 0))
          (then
            (local.set $k (i32.const 0))
            (loop $act${k}
              (local.set $idx (i32.load offset=${inp.act} (i32.shl (local.get $k) (i32.const 2))))
              ${row}
              (br_if $act${k} (i32.lt_s (local.tee $k (i32.add (local.get $k) (i32.const 1))) (local.get $n)))))
          (else
            (local.set $idx (i32.const 0))
            (loop $scan${k}
              ${row}
              (br_if $scan${k} (i32.lt_s (local.tee $idx (i32.add (local.get $idx) (i32.const 1))) (i32.const ${nin}))))))))
    (i32.store (i32.const ${outp.nact}) (i32.const -1))`;
}

/** Code of one uniform current-based layer (see cubaSumStep / neuronStep): same operations, two neurons per operation. */
function cubaCode(k: number, c: NeuronCoefs, xs: number[], outp: PortAt, v: number, cur: number): string {
  const n = c.n;
  const subtract = c.reset === "subtract";
  const x = (b: string, off: number): string => xs.length === 1
    ? `(v128.load ${at(b, xs[0] + off)})`
    : `(f64x2.add (f64x2.add (local.get $zero) (v128.load ${at(b, xs[0] + off)})) (v128.load ${at(b, xs[1] + off)}))`;
  const mul = (a: string, b: string): string => `(f64x2.mul ${a} ${b})`;
  const add = (a: string, b: string): string => `(f64x2.add ${a} ${b})`;
  const sub = (a: string, b: string): string => `(f64x2.sub ${a} ${b})`;
  const L = (name: string): string => `(local.get $${name})`;
  // a gain of exactly 1 is left out: 1·y = y for every y (IEEE multiplication by 1 is exact, −0 stays −0)
  const times = (g: number, name: string, y: string): string => (g === 1 ? y : mul(L(name), y));
  const pair = (b: string, off: number, kk: string, last: boolean): string => {
    // i ← ai·i + bi·x
    let code = `
      (local.set $iv ${add(mul(L("ai"), `(v128.load ${at(b, cur + off)})`), times(c.bi[0], "bi", x(b, off)))})
      (v128.store ${at(b, cur + off)} (local.get $iv))
      (local.set $vp (v128.load ${at(b, v + off)}))`;
    const vnew = add(add(mul(L("av"), L("vp")), times(c.bv[0], "bv", L("iv"))), L("cv"));
    if (c.timing === "same") {
      // spike on the updated v, reset in the same step
      code += `
      (local.set $vn ${vnew})
      (local.set $sm (f64x2.gt (local.get $vn) (local.get $th)))
      (local.set $vn (v128.bitselect ${subtract ? sub(L("vn"), L("th")) : L("vr")} (local.get $vn) (local.get $sm)))`;
    } else if (subtract) {
      // snnTorch: reset flag from the previous v; a double reset is undone
      code += `
      (local.set $rf (v128.and (f64x2.gt (local.get $vp) (local.get $th)) (local.get $one)))
      (local.set $vn ${sub(vnew, mul(L("rf"), L("th")))})
      (local.set $sm (f64x2.gt (local.get $vn) (local.get $th)))
      (local.set $s (v128.and (local.get $sm) (local.get $one)))
      (local.set $vn ${sub(L("vn"), mul(sub(L("s"), L("rf")), L("th")))})`;
    } else {
      code += `
      (local.set $rf (v128.and (f64x2.gt (local.get $vp) (local.get $th)) (local.get $one)))
      (local.set $base ${vnew})
      (local.set $vn ${sub(L("base"), mul(L("rf"), L("base")))})
      (local.set $sm (f64x2.gt (local.get $vn) (local.get $th)))
      (local.set $s (v128.and (local.get $sm) (local.get $one)))
      (local.set $vn ${sub(L("vn"), mul(sub(L("s"), L("rf")), L("vn")))})`;
    }
    // the second lane of the last pair of an odd layer is padding: never listed
    const second = last && n % 2 ? "" : b
      ? `(if (i32.and (i32.shr_u (local.get $bits) (i32.const 1)) (i32.lt_u (i32.add ${kk} (i32.const 1)) (i32.const ${n}))) (then ${push(`(i32.add ${kk} (i32.const 1))`)}))`
      : `(if (i32.and (local.get $bits) (i32.const 2)) (then ${push(`(i32.add ${kk} (i32.const 1))`)}))`;
    return code + `
      (v128.store ${at(b, v + off)} (local.get $vn))
      (v128.store ${at(b, outp.out + off)} (v128.and (local.get $sm) (local.get $one)))
      (if (v128.any_true (local.get $sm)) (then
        (local.set $bits (i64x2.bitmask (local.get $sm)))
        (if (i32.and (local.get $bits) (i32.const 1)) (then ${push(kk)}))
        ${second}))`;
  };
  const push = (kk: string): string => `(i32.store offset=${outp.act} (i32.shl (local.get $m) (i32.const 2)) ${kk}) (local.set $m (i32.add (local.get $m) (i32.const 1)))`;
  const splat = (name: string, a: Float64Array): string => `(local.set $${name} (f64x2.splat (f64.const ${f(a[0])})))`;
  return `
    ;; current-based layer ${k}
    ${splat("ai", c.ai)} ${splat("bi", c.bi)} ${splat("av", c.av)} ${splat("bv", c.bv)} ${splat("cv", c.cv)} ${splat("th", c.theta)} ${splat("vr", c.vreset)}
    (local.set $m (i32.const 0))
    ${forPairs(pad(n) / 2, `$nr${k}`, pair)}
    (i32.store (i32.const ${outp.nact}) (local.get $m))`;
}
