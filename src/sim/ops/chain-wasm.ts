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
import type { ConvGeometry } from "../graph.js";
import { instantiate, wasmSimd } from "../wasm/instance.js";
import { denseFrom, watLiteral } from "./contract.js";
import type { ConvIFRows } from "./conv-if.js";
import type { AffineParams } from "./linear.js";

/** One layer of a chain (IF constants: gain g0, threshold th0, reset vr0, uniform over the layer). */
export type ChainLayer =
  | { kind: "convIF"; g: ConvGeometry; rows: ConvIFRows; g0: number; th0: number; vr0: number }
  | { kind: "pool"; isz: number; osz: number; rowStart: Int32Array; rowOut: Int32Array; scale: number }
  | { kind: "affineIF"; p: AffineParams; g0: number; th0: number; vr0: number };

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

const f = watLiteral;
const range = (n: number): number[] => Array.from({ length: n }, (_, j) => j);
const inSize = (l: ChainLayer): number => (l.kind === "convIF" ? l.g.cin * l.g.h * l.g.w : l.kind === "pool" ? l.isz : l.p.nin);
const outSize = (l: ChainLayer): number => (l.kind === "convIF" ? l.g.cout * l.g.oh * l.g.ow : l.kind === "pool" ? l.osz : l.p.nout);

/** Where a layer reads its input and writes its output (byte addresses). */
interface IO {
  inList: number;
  inVal: number;
  inCount: number;
  outList: number;
  outVal: number;
  outCount: number;
}

/** Clears the previous step's listed output values, then reads the input count into $na. */
function prologue(io: IO): string {
  return `
    (local.set $q (i32.const 0))
    (local.set $n (i32.load offset=${io.outCount} (i32.const 0)))
    (block $dc (loop $lc
      (br_if $dc (i32.ge_u (local.get $q) (local.get $n)))
      (f64.store offset=${io.outVal} (i32.shl (i32.load offset=${io.outList} (i32.shl (local.get $q) (i32.const 2))) (i32.const 3)) (f64.const 0))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $lc)))
    (local.set $q (i32.const 0))
    (local.set $na (i32.load offset=${io.inCount} (i32.const 0)))
    (local.set $m (i32.const 0))`;
}

/** Appends spike k (in $k) to the output: list entry and value 1. */
function emitSpike(io: IO): string {
  return `
          (i32.store offset=${io.outList} (i32.shl (local.get $m) (i32.const 2)) (local.get $k))
          (f64.store offset=${io.outVal} (i32.shl (local.get $k) (i32.const 3)) (f64.const 1))
          (local.set $m (i32.add (local.get $m) (i32.const 1)))`;
}

const LOCALS = `(local $na i32) (local $n i32) (local $m i32) (local $q i32) (local $e i32) (local $idx i32) (local $k i32)
    (local $r i32) (local $r1 i32) (local $fo i32) (local $o i32) (local $w i32) (local $p i32) (local $word i32) (local $po i32) (local $co i32)
    (local $yb i32) (local $vb i32) (local $bits i32) (local $c i32) (local $j i32) (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)
    (local $xv f64) (local $val f64) (local $vs f64)
    (local $xs v128) (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $yv v128) (local $nz v128) (local $vo v128)
    (local $vn v128) (local $sp v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128) (local $s5 v128) (local $s6 v128) (local $s7 v128) (local $zero v128) (local $g v128) (local $th v128) (local $vr v128) (local $one v128)`;

/** Counts a step run with direct sums in the layer's `directSteps` entry (byte address A.dc). */
const countDirect = (A: Record<string, number>): string => `(i32.store offset=${A.dc} (i32.const 0) (i32.add (i32.load offset=${A.dc} (i32.const 0)) (i32.const 1)))`;

/** Channels a conv→IF layer tests at once (a fire group: 16 channels narrow to one 32-bit mask word), and its groups per position. */
const FIRE_GROUP = 16;
const fireGroups = (cout: number): number => Math.ceil(cout / FIRE_GROUP);

/** The conv→IF layer function (addresses in A; `bit` is the layer's bit in the step's direct mask, or −1). */
function convIFCode(name: string, l: Extract<ChainLayer, { kind: "convIF" }>, io: IO, A: Record<string, number>, bit: number): string {
  const { g, g0, th0, vr0 } = l;
  const cout = g.cout, coutG = g.cout / g.groups, ohw = g.oh * g.ow, hw = g.h * g.w, isz = g.cin * hw;
  const nv = Math.ceil(ohw / 128);
  // the JavaScript kernel gathers from this list length on (contract.ts)
  const denseAt = denseFrom(isz);
  // rows address the scratch y; `shift` (V − Y, an immediate offset) aims them at v instead
  const toV = A.v - A.y;
  const addRow = (shift: number): string => range(coutG / 2).map((j) =>
    `(v128.store offset=${shift + 16 * j} (local.get $o) (f64x2.add (v128.load offset=${shift + 16 * j} (local.get $o)) (f64x2.mul (local.get $xs) (v128.load offset=${16 * j} (local.get $w)))))`,
  ).join("\n          ");
  const looped = (shift: number): string => `
        (block $d1 (loop $l1
          (br_if $d1 (i32.ge_u (local.get $r) (local.get $r1)))
          (local.set $o (i32.load offset=${A.yOff} (i32.shl (local.get $r) (i32.const 2))))
          (local.set $w (i32.load offset=${A.wOff} (i32.shl (local.get $r) (i32.const 2))))
          ${addRow(shift)}
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $l1)))`;
  // padded rows (see `paddedRows`): every input position has R rows, the missing taps writing to
  // the trash row, so one listed input is straight-line code (no loop, no mispredicted exit)
  const R = A.padR;
  const padded = (shift: number): string => `
          (local.set $w0 (i32.add (i32.const ${A.wc}) (i32.mul (i32.div_u (local.get $idx) (i32.const ${hw})) (i32.const ${8 * g.kh * g.kw * coutG}))))
          (local.set $p (i32.add (i32.const ${A.pad}) (i32.mul (i32.rem_u (local.get $idx) (i32.const ${hw})) (i32.const ${8 * R}))))
          ${range(R).map((k) => `
          (local.set $o (i32.load offset=${8 * k} (local.get $p)))
          (local.set $w (i32.add (local.get $w0) (i32.load offset=${8 * k + 4} (local.get $p))))
          ${addRow(shift)}`).join("")}`;
  // one input index $idx with value $xv ≠ 0: its rows, x·w (= w for a spike, x = 1: one path for
  // every value, with no branch per input that would mispredict where counts of events or a pool's
  // sums mix 1 with larger values)
  const oneInput = (shift: number, pad: boolean): string => `
        (local.set $xs (f64x2.splat (local.get $xv)))
        ${pad ? "" : `(local.set $r (i32.load offset=${A.start} (i32.shl (local.get $idx) (i32.const 2))))
        (local.set $r1 (i32.load offset=${A.start + 4} (i32.shl (local.get $idx) (i32.const 2))))`}
        ${pad ? padded(shift) : looped(shift)}`;
  // the listed inputs in list order: their rows, and the output positions they reach marked
  const listed = (shift: number): string => `
      (block $de (loop $le
        (br_if $de (i32.ge_u (local.get $e) (local.get $na)))
        (local.set $idx (i32.load offset=${io.inList} (i32.shl (local.get $e) (i32.const 2))))
        (local.set $xv (f64.load offset=${io.inVal} (i32.shl (local.get $idx) (i32.const 3))))
        (if (f64.ne (local.get $xv) (f64.const 0)) (then
          ${oneInput(shift, R > 0)}
          (local.set $p (i32.add (i32.const ${A.masks}) (i32.mul (i32.rem_u (local.get $idx) (i32.const ${hw})) (i32.const ${16 * nv}))))
          ${range(nv).map((j) => `(v128.store offset=${A.tb + 16 * j} (i32.const 0) (v128.or (v128.load offset=${A.tb + 16 * j} (i32.const 0)) (v128.load offset=${16 * j} (local.get $p))))`).join("\n          ")}))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $le)))`;
  // Firing runs in two phases over the touched positions. Phase 1 tests each position's channels,
  // up to 16 per group without a branch per channel pair, and writes a record to the spike list
  // (the position, then each group's spike bits) that is kept, without a branch, only when a bit
  // is set. Phase 2 lists those spikes, ascending position and channel. (Two phases, because most
  // touched positions do not spike: listing in phase 1 would do that work for all of them.)
  // Ordered: v + g·y from the scratch y (zeroed as read); a lane with y = 0 gets v + g·0 = v (up
  // to a zero's sign) ≤ θ, so it cannot spike (v is never recorded here). Direct: the inputs were
  // added into v itself, which is only tested.
  const orderedPair = (j: number): string => `
            (local.set $yv (v128.load offset=${16 * j} (local.get $yb)))
            (v128.store offset=${16 * j} (local.get $yb) (local.get $zero))
            (local.set $vn (f64x2.add (v128.load offset=${16 * j} (local.get $vb)) ${g0 === 1 ? "(local.get $yv)" : "(f64x2.mul (local.get $g) (local.get $yv))"}))
            (local.set $sp (f64x2.gt (local.get $vn) (local.get $th)))
            (v128.store offset=${16 * j} (local.get $vb) (v128.bitselect (local.get $vr) (local.get $vn) (local.get $sp)))`;
  const directPair = (j: number): string => `
            (local.set $sp (f64x2.gt (v128.load offset=${16 * j} (local.get $vb)) (local.get $th)))`;
  // a group's pair masks ($s0…$s7: all-ones or zero i64 lanes) narrowed twice with signed
  // saturation (−1 stays −1), to one byte per channel doubled: channel c of the group sets bits 2c
  // and 2c + 1 of the byte masks; the odd bits are dropped. Six narrowings and two byte masks
  // instead of eight pair masks shifted and ORed one by one.
  const narrowed = (n: number): string => {
    const s = (j: number): string => (j < n ? `(local.get $s${j})` : "(local.get $zero)");
    const q = (k: number): string => (2 * k < n ? `(i16x8.narrow_i32x4_s ${s(2 * k)} ${s(2 * k + 1)})` : "(local.get $zero)");
    const r = (h: number): string => `(i8x16.bitmask (i8x16.narrow_i16x8_s ${q(2 * h)} ${q(2 * h + 1)}))`;
    return `(i32.and ${n > 4 ? `(i32.or ${r(0)} (i32.shl ${r(1)} (i32.const 16)))` : r(0)} (i32.const 0x55555555))`;
  };
  // phase 1 at position $po: its record (4 bytes each: position, each group's bits) at $fo,
  // which moves on only if a bit is set ($r: their OR)
  const G = fireGroups(cout), rec = 4 * (1 + G);
  const fire = (direct: boolean): string => `
            (local.set $r (i32.const 0))${range(G).map((grp) => {
    const js = range(cout / 2).slice(8 * grp, 8 * grp + 8);
    return `${js.map((j) => `${(direct ? directPair : orderedPair)(j)}
            (local.set $s${j - 8 * grp} (local.get $sp))`).join("")}
            (local.set $bits ${narrowed(js.length)})
            (i32.store offset=${A.fl + 4 + 4 * grp} (local.get $fo) (local.get $bits))
            (local.set $r (i32.or (local.get $r) (local.get $bits)))`;
  }).join("")}
            (i32.store offset=${A.fl} (local.get $fo) (local.get $po))
            (local.set $fo (i32.add (local.get $fo) (select (i32.const ${rec}) (i32.const 0) (local.get $r))))`;
  // phase 2: the listed positions' spikes, ascending position and channel (direct: v ← v_reset;
  // the ordered pair code stored v already)
  const spikes = (direct: boolean): string => `
      (local.set $e (i32.const 0))
      (block $dps (loop $lps
        (br_if $dps (i32.ge_u (local.get $e) (local.get $fo)))
        (local.set $po (i32.load offset=${A.fl} (local.get $e)))
        (local.set $vb (i32.add (i32.const ${A.v}) (i32.mul (local.get $po) (i32.const ${8 * cout}))))${range(G).map((grp) => `
        (local.set $bits (i32.load offset=${A.fl + 4 + 4 * grp} (local.get $e)))
        ${G > 1 ? "(if (local.get $bits) (then" : ";; one group: its bits are not 0"}
          (loop $lsp
            (local.set $c (i32.add (i32.shr_u (i32.ctz (local.get $bits)) (i32.const 1)) (i32.const ${16 * grp})))
            (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
            ${direct ? `(f64.store (i32.add (local.get $vb) (i32.shl (local.get $c) (i32.const 3))) (f64.const ${f(vr0)}))` : ""}
            (local.set $k (i32.add (local.get $po) (i32.mul (local.get $c) (i32.const ${ohw})))) ${emitSpike(io)}
            (br_if $lsp (local.get $bits)))${G > 1 ? "))" : ""}`).join("")}
        (local.set $e (i32.add (local.get $e) (i32.const ${rec})))
        (br $lps)))`;
  // the touched positions, ascending: the set bits of the bitmap (cleared as read)
  const touched = (direct: boolean): string => `
      (local.set $fo (i32.const 0))
      (block $df (loop $lf
        (br_if $df (i32.ge_u (local.get $q) (i32.const ${4 * nv})))
        (local.set $word (i32.load offset=${A.tb} (i32.shl (local.get $q) (i32.const 2))))
        (if (local.get $word) (then
          (i32.store offset=${A.tb} (i32.shl (local.get $q) (i32.const 2)) (i32.const 0))
          (block $dbit (loop $lbit
            (local.set $po (i32.add (i32.shl (local.get $q) (i32.const 5)) (i32.ctz (local.get $word))))
            (local.set $word (i32.and (local.get $word) (i32.sub (local.get $word) (i32.const 1))))
            (local.set $yb (i32.add (i32.const ${A.y}) (i32.mul (local.get $po) (i32.const ${8 * cout}))))
            (local.set $vb (i32.add (i32.const ${A.v}) (i32.mul (local.get $po) (i32.const ${8 * cout}))))
            ${fire(direct)}
            (br_if $lbit (local.get $word))))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $lf)))${spikes(direct)}`;
  const sparse = bit < 0 ? `${listed(0)}${touched(false)}` : `
      (if (i32.and (local.get $direct) (i32.const ${1 << bit}))
        (then ${countDirect(A)} ${listed(toV)}${touched(true)})
        (else ${listed(0)}${touched(false)}))`;
  return `
  (func $${name} (param $sid i32) (param $direct i32) ${LOCALS}
    (local.set $g (f64x2.splat (f64.const ${f(g0)})))
    (local.set $th (f64x2.splat (f64.const ${f(th0)})))
    (local.set $vr (f64x2.splat (f64.const ${f(vr0)})))
    ${prologue(io)}
    (if (i32.lt_u (local.get $na) (i32.const ${denseAt}))
    (then ;; sparse: listed inputs in list order, then the touched positions
      ${sparse})
    (else
      ;; dense (as the JavaScript gather): every non-zero input in ascending order, then every
      ;; neuron in NCHW order
      (block $dd (loop $ld
        (br_if $dd (i32.ge_u (local.get $idx) (i32.const ${isz})))
        (local.set $xv (f64.load offset=${io.inVal} (i32.shl (local.get $idx) (i32.const 3))))
        (if (f64.ne (local.get $xv) (f64.const 0)) (then ${oneInput(0, false)}))
        (local.set $idx (i32.add (local.get $idx) (i32.const 1)))
        (br $ld)))
      (block $dco (loop $lco
        (br_if $dco (i32.ge_u (local.get $co) (i32.const ${cout})))
        (local.set $po (i32.const 0))
        (block $dpo (loop $lpo
          (br_if $dpo (i32.ge_u (local.get $po) (i32.const ${ohw})))
          (local.set $yb (i32.shl (i32.add (i32.mul (local.get $po) (i32.const ${cout})) (local.get $co)) (i32.const 3)))
          (local.set $val (f64.load offset=${A.y} (local.get $yb)))
          (if (f64.ne (local.get $val) (f64.const 0)) (then
            (f64.store offset=${A.y} (local.get $yb) (f64.const 0))
            (local.set $vs (f64.add (f64.load offset=${A.v} (local.get $yb)) (f64.mul (f64.const ${f(g0)}) (local.get $val))))
            (if (f64.gt (local.get $vs) (f64.const ${f(th0)})) (then
              (local.set $vs (f64.const ${f(vr0)}))
              (local.set $k (i32.add (i32.mul (local.get $co) (i32.const ${ohw})) (local.get $po))) ${emitSpike(io)}))
            (f64.store offset=${A.v} (local.get $yb) (local.get $vs))))
          (local.set $po (i32.add (local.get $po) (i32.const 1)))
          (br $lpo)))
        (local.set $co (i32.add (local.get $co) (i32.const 1)))
        (br $lco)))))
    (i32.store offset=${io.outCount} (i32.const 0) (local.get $m)))`;
}

/** The pool layer function. */
function poolCode(name: string, l: Extract<ChainLayer, { kind: "pool" }>, io: IO, A: Record<string, number>): string {
  // output k += x·scale, listed at first touch without a branch: written at the list's end, kept
  // (m + 1) if not yet stamped this step
  const add = `
          (f64.store offset=${io.outVal} (i32.shl (local.get $k) (i32.const 3))
            (f64.add (f64.load offset=${io.outVal} (i32.shl (local.get $k) (i32.const 3))) (f64.mul (local.get $xv) (f64.const ${f(l.scale)}))))
          (i32.store offset=${io.outList} (i32.shl (local.get $m) (i32.const 2)) (local.get $k))
          (local.set $m (i32.add (local.get $m) (i32.ne (i32.load offset=${A.stamp} (i32.shl (local.get $k) (i32.const 2))) (local.get $sid))))
          (i32.store offset=${A.stamp} (i32.shl (local.get $k) (i32.const 2)) (local.get $sid))`;
  // where every input reaches exactly one output (a pool whose windows tile the input without
  // overlap), row = input index: no loop over rows
  let single = l.rowStart[l.isz] === l.isz;
  for (let i = 0; i < l.isz && single; i++) single = l.rowStart[i] === i;
  const outputs = single ? `
        (local.set $k (i32.load offset=${A.rowOut} (i32.shl (local.get $idx) (i32.const 2))))${add}` : `
        (local.set $r (i32.load offset=${A.rowStart} (i32.shl (local.get $idx) (i32.const 2))))
        (local.set $r1 (i32.load offset=${A.rowStart + 4} (i32.shl (local.get $idx) (i32.const 2))))
        (block $d1 (loop $l1
          (br_if $d1 (i32.ge_u (local.get $r) (local.get $r1)))
          (local.set $k (i32.load offset=${A.rowOut} (i32.shl (local.get $r) (i32.const 2))))${add}
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $l1)))`;
  return `
  (func $${name} (param $sid i32) (param $direct i32) ${LOCALS}
    ${prologue(io)}
    (block $de (loop $le
      (br_if $de (i32.ge_u (local.get $e) (local.get $na)))
      (local.set $idx (i32.load offset=${io.inList} (i32.shl (local.get $e) (i32.const 2))))
      (local.set $xv (f64.load offset=${io.inVal} (i32.shl (local.get $idx) (i32.const 3))))
      (if (f64.ne (local.get $xv) (f64.const 0)) (then ${outputs}))
      (local.set $e (i32.add (local.get $e) (i32.const 1)))
      (br $le)))
    (i32.store offset=${io.outCount} (i32.const 0) (local.get $m)))`;
}

/** The affine→IF layer function (`lim`: see `affineLimit`; 0: never direct). */
function affineIFCode(name: string, l: Extract<ChainLayer, { kind: "affineIF" }>, io: IO, A: Record<string, number>, lim: number): string {
  const { nout, bias } = l.p;
  const pairs = nout / 2;
  const loopPairs = (body: string): string => `
    (local.set $j (i32.const 0))
    (block $dj (loop $lj
      (br_if $dj (i32.ge_u (local.get $j) (i32.const ${16 * pairs})))
      ${body}
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $lj)))`;
  const row = (q: number): string => `(local.set $w${q} (i32.add (i32.const ${A.W}) (i32.mul (i32.load offset=${A.R + 4 * q} (i32.shl (local.get $e) (i32.const 2))) (i32.const ${8 * nout}))))
      (local.set $x${q} (f64x2.splat (f64.load offset=${A.X + 8 * q} (i32.shl (local.get $e) (i32.const 3)))))`;
  // each set bit of $bits (a spike of neuron $j/8 + bit) listed, ascending
  const listBits = `
        (if (local.get $bits) (then
          (loop $lsp
            (local.set $k (i32.add (i32.shr_u (local.get $j) (i32.const 3)) (i32.ctz (local.get $bits))))
            (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1)))) ${emitSpike(io)}
            (br_if $lsp (local.get $bits)))))`;
  // the IF update of n ≤ 16 neuron pairs from byte offset $j, without a branch per pair.
  // Ordered: v + g·y where y ≠ 0 (y = 0 lanes keep v bit for bit). Direct: the inputs were added
  // into v itself, which is only tested (a lane with no input has v ≤ θ: see `affineLimit`).
  // With direct sums possible, max|v| over the new v is kept in $s0 (pmax, one instruction; it
  // passes over a NaN lane, which stays NaN with either sum).
  const ifGroup = (n: number, direct: boolean): string => `
        (local.set $bits (i32.const 0))${range(n).map((i) => (direct ? `
        (local.set $vn (v128.load offset=${A.V + 16 * i} (local.get $j)))
        (local.set $sp (f64x2.gt (local.get $vn) (local.get $th)))
        (local.set $s1 (v128.bitselect (local.get $vr) (local.get $vn) (local.get $sp)))` : `
        (local.set $yv (v128.load offset=${A.Y + 16 * i} (local.get $j)))
        (local.set $nz (f64x2.ne (local.get $yv) (local.get $zero)))
        (local.set $vo (v128.load offset=${A.V + 16 * i} (local.get $j)))
        (local.set $vn (f64x2.add (local.get $vo) ${l.g0 === 1 ? "(local.get $yv)" : "(f64x2.mul (local.get $g) (local.get $yv))"}))
        (local.set $sp (v128.and (local.get $nz) (f64x2.gt (local.get $vn) (local.get $th))))
        (local.set $s1 (v128.bitselect (v128.bitselect (local.get $vr) (local.get $vn) (local.get $sp)) (local.get $vo) (local.get $nz)))`) + `
        (v128.store offset=${A.V + 16 * i} (local.get $j) (local.get $s1))${lim ? `
        (local.set $s0 (f64x2.pmax (local.get $s0) (f64x2.abs (local.get $s1))))` : ""}
        (local.set $bits (i32.or (local.get $bits) (i32.shl (i64x2.bitmask (local.get $sp)) (i32.const ${2 * i}))))`).join("")}${listBits}`;
  // every neuron's IF update, 32 neurons per group: their spike bits, then each set bit's spike listed
  const update = (direct: boolean): string => `${lim ? "(local.set $s0 (local.get $zero))" : ""}
      ${pairs >= 16 ? `(local.set $j (i32.const 0))
      (block $dg (loop $lg
        (br_if $dg (i32.ge_u (local.get $j) (i32.const ${256 * Math.floor(pairs / 16)})))
        ${ifGroup(16, direct)}
        (local.set $j (i32.add (local.get $j) (i32.const 256)))
        (br $lg)))` : ""}
      ${pairs % 16 ? `(local.set $j (i32.const ${256 * Math.floor(pairs / 16)})) ${ifGroup(pairs % 16, direct)}` : ""}${lim ? `
      (f64.store offset=${A.VM} (i32.const 0) (f64.max (f64x2.extract_lane 0 (local.get $s0)) (f64x2.extract_lane 1 (local.get $s0))))` : ""}`;
  // the sums y += x·W[row] (ordered: into y; direct: into v, at byte address S), four rows per
  // pass while they last
  const unit = (q: number): string => `(v128.load (i32.add (local.get $w${q}) (local.get $j)))`;
  const term = (q: number): string => `(f64x2.mul (local.get $x${q}) ${unit(q)})`;
  const sums = (S: number): string => `
      (block $d4 (loop $l4
        (br_if $d4 (i32.gt_s (i32.add (local.get $e) (i32.const 4)) (local.get $c)))
        ${[0, 1, 2, 3].map(row).join("\n        ")}
        ;; four spikes or unit counts (x = 1) add their rows as they are: x·w = w exactly
        (if (v128.any_true (v128.or (v128.or (f64x2.ne (local.get $x0) (local.get $one)) (f64x2.ne (local.get $x1) (local.get $one)))
                                    (v128.or (f64x2.ne (local.get $x2) (local.get $one)) (f64x2.ne (local.get $x3) (local.get $one))))) (then
          ${loopPairs(`(v128.store offset=${S} (local.get $j)
            (f64x2.add (f64x2.add (f64x2.add (f64x2.add (v128.load offset=${S} (local.get $j)) ${term(0)}) ${term(1)}) ${term(2)}) ${term(3)}))`)})
        (else
          ${loopPairs(`(v128.store offset=${S} (local.get $j)
            (f64x2.add (f64x2.add (f64x2.add (f64x2.add (v128.load offset=${S} (local.get $j)) ${unit(0)}) ${unit(1)}) ${unit(2)}) ${unit(3)}))`)}))
        (local.set $e (i32.add (local.get $e) (i32.const 4)))
        (br $l4)))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $e) (local.get $c)))
        ${row(0)}
        ${loopPairs(`(v128.store offset=${S} (local.get $j) (f64x2.add (v128.load offset=${S} (local.get $j)) ${term(0)}))`)}
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $l1)))`;
  const ordered = `
    (block $skip
      ${bias ? "" : "(br_if $skip (i32.eqz (local.get $c)))"}
      ;; y = bias, then the sums into y, then the IF update of the neurons with y ≠ 0
      ${loopPairs(`(v128.store offset=${A.Y} (local.get $j) (v128.load offset=${A.B} (local.get $j)))`)}
      ${sums(A.Y)}
      ${update(false)})`;
  // direct (some input; no bias, gain 1): the sums straight into v, then every v tested
  const direct = `
      ${sums(A.V)}
      ${update(true)}`;
  return `
  (func $${name} (param $sid i32) (param $direct i32) ${LOCALS}
    (local.set $g (f64x2.splat (f64.const ${f(l.g0)})))
    (local.set $th (f64x2.splat (f64.const ${f(l.th0)})))
    (local.set $vr (f64x2.splat (f64.const ${f(l.vr0)})))
    (local.set $one (f64x2.splat (f64.const 1)))
    ${prologue(io)}
    ;; the listed non-zero inputs, in list order
    (block $dl (loop $ll
      (br_if $dl (i32.ge_u (local.get $q) (local.get $na)))
      (local.set $idx (i32.load offset=${io.inList} (i32.shl (local.get $q) (i32.const 2))))
      (local.set $xv (f64.load offset=${io.inVal} (i32.shl (local.get $idx) (i32.const 3))))
      (if (f64.ne (local.get $xv) (f64.const 0)) (then
        (i32.store offset=${A.R} (i32.shl (local.get $c) (i32.const 2)) (local.get $idx))
        (f64.store offset=${A.X} (i32.shl (local.get $c) (i32.const 3)) (local.get $xv))${lim ? `
        (local.set $vs (f64.add (local.get $vs) (f64.mul (f64.abs (local.get $xv)) (f64.load offset=${A.RM} (i32.shl (local.get $idx) (i32.const 3))))))` : ""}
        (local.set $c (i32.add (local.get $c) (i32.const 1)))))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $ll)))
    ${!lim ? ordered : `;; direct when some input and max|v| + Σ|x|·max|W[row]| ($vs) ≤ 2^(52+q): every sum exact
    (if (i32.and (i32.ne (local.get $c) (i32.const 0)) (f64.le (f64.add (f64.load offset=${A.VM} (i32.const 0)) (local.get $vs)) (f64.const ${f(lim)})))
      (then ${countDirect(A)} ${direct})
      (else ${ordered}))`}
    (i32.store offset=${io.outCount} (i32.const 0) (local.get $m)))`;
}

/** Most rows per input position a padded (straight-line) scatter is generated for. */
const PAD_MAX_ROWS = 9;

/**
 * Rows per input position when a conv→IF layer's sparse scatter is padded to a fixed count R
 * (one group, R ≤ 9, and the taps that do exist fill at least 3/4 of the padded rows), else 0.
 */
function paddedRows(l: Extract<ChainLayer, { kind: "convIF" }>): number {
  if (l.g.groups !== 1) return 0;
  const hw = l.g.h * l.g.w;
  let R = 0;
  for (let pin = 0; pin < hw; pin++) R = Math.max(R, l.rows.start[pin + 1] - l.rows.start[pin]);
  return R > 0 && R <= PAD_MAX_ROWS && l.rows.start[hw] >= 0.75 * R * hw ? R : 0;
}

/**
 * When a conv→IF layer may add its inputs straight into v ("direct") instead of summing each
 * step into y and then adding y: exactly when every sum either way is exact in float64, for then
 * both give the same v. The terms x·w are multiples of q = 2^(e + ex) (e the lowest set bit over
 * the weights; x a multiple of 2^ex), and so are v_reset and v (it starts at 0); no partial sum
 * exceeds vmax + S·colSum, with S the sum over the steps so far of the largest input value
 * (steps·xmax for an IF's spikes, xmax = 1, or a power-of-two-scaled pool of them, xmax =
 * fan-in·scale; for the chain's first layer the caller sums its integer input's maxima). Direct is
 * allowed while that bound is ≤ limit = 2^52·q (a factor of 2 inside float64's exact range).
 */
interface DirectBound {
  layer: number;
  /** max(|θ|, |v_reset|): the largest |v| before a step's inputs. */
  vmax: number;
  /** Largest Σ|w| over one output channel's weights. */
  colSum: number;
  /** Largest input value per step (layers after the first). */
  xmax: number;
  limit: number;
}

/** Exponent of the lowest set bit of a finite non-zero number (|w| = odd·2^e). */
function lowBit(w: number): number {
  let m = Math.abs(w), e = 0;
  if (Number.isInteger(m)) {
    for (; m % 2 === 0; e++) m /= 2;
  } else {
    for (; !Number.isInteger(m); e--) m *= 2;
  }
  return e;
}

/**
 * The quantum q of chain layer k's sums (every term x·w, v_reset and so every v is a multiple of
 * 2^q, see `DirectBound`) and its largest input value per step, or null when there is none (a
 * weight not finite, a pool of pools, a pool scale not a power of two). Inputs after the first
 * layer are an IF's spikes (1) or a pool of them; the first layer's are checked at run time.
 */
function sumQuantum(layers: ChainLayer[], k: number): { q: number; xmax: number } | null {
  const l = layers[k];
  if (l.kind === "pool") return null;
  let xmax = 1, ex = 0;
  if (k > 0) {
    const prev = layers[k - 1];
    if (prev.kind === "pool") {
      const src = k >= 2 ? layers[k - 2] : null;
      const e2 = prev.scale > 0 ? Math.log2(prev.scale) : NaN;
      if (!src || src.kind === "pool" || !Number.isInteger(e2)) return null;
      const fanIn = new Int32Array(prev.osz);
      let most = 0;
      for (const q of prev.rowOut) most = Math.max(most, ++fanIn[q]);
      xmax = most * prev.scale;
      ex = e2;
    }
  }
  const wc = l.kind === "convIF" ? l.rows.wc : l.p.wt;
  let e = Infinity;
  for (let i = 0; i < wc.length; i++) {
    const w = wc[i];
    if (!Number.isFinite(w)) return null;
    if (w !== 0) e = Math.min(e, lowBit(w));
  }
  let q = e + ex;
  if (l.vr0 !== 0) q = Math.min(q, lowBit(l.vr0));
  return Number.isFinite(q) ? { q, xmax } : null;
}

/** The direct bound of chain layer k (a conv→IF), or null when it never runs direct. */
function directBound(layers: ChainLayer[], k: number): DirectBound | null {
  const l = layers[k];
  if (l.kind !== "convIF" || l.g0 !== 1 || k > 30) return null;
  const sq = sumQuantum(layers, k);
  if (!sq) return null;
  const coutG = l.g.cout / l.g.groups, wc = l.rows.wc;
  const col = new Float64Array(coutG);
  for (let i = 0; i < wc.length; i++) col[i % coutG] += Math.abs(wc[i]);
  let colSum = 0;
  for (const c of col) colSum = Math.max(colSum, c);
  return { layer: k, vmax: Math.max(Math.abs(l.th0), Math.abs(l.vr0)), colSum, xmax: sq.xmax, limit: 2 ** (52 + sq.q) };
}

/**
 * When an affine→IF layer (after the chain's first) may add its inputs straight into v: gain 1,
 * no bias, and v ≤ θ whenever no input arrives (0 ≤ θ, v_reset ≤ θ, v_reset not −0), so a neuron
 * that gets no input neither spikes nor changes, as in the ordered update. Then a step runs direct
 * when every sum either way is exact: with the quantum q of `sumQuantum`, max|v| before the step
 * plus Σ over its inputs of |x|·max|W[row]| at most 2^(52+q). The layer keeps max|v| itself (a
 * bound from above: it is recomputed at every step with inputs and only shrinks on a reset), so
 * the test is per step, not cumulative as for a conv. Returns 2^(52+q), or 0 (never direct).
 */
function affineLimit(layers: ChainLayer[], k: number): number {
  const l = layers[k];
  if (l.kind !== "affineIF" || k === 0 || l.g0 !== 1 || l.p.bias || !(l.th0 >= 0 && l.vr0 <= l.th0) || Object.is(l.vr0, -0)) return 0;
  const sq = sumQuantum(layers, k);
  return sq ? 2 ** (52 + sq.q) : 0;
}

/** Bytes a layer's tables and state take (before alignment padding). */
function layerBytes(l: ChainLayer): number {
  if (l.kind === "convIF") {
    const ohw = l.g.oh * l.g.ow, osz = l.g.cout * ohw, nin = l.g.cin * l.g.h * l.g.w, nrow = l.rows.start[nin];
    const nv = Math.ceil(ohw / 128);
    return 4 * (nin + 1) + 8 * nrow + 8 * l.rows.wc.length + 16 * (osz + l.g.cout) + 16 * nv * (l.g.h * l.g.w + 1) + 8 * l.g.h * l.g.w * paddedRows(l) + 4 * ohw * (1 + fireGroups(l.g.cout));
  }
  if (l.kind === "pool") return 4 * (l.isz + 1) + 4 * l.rowOut.length + 4 * l.osz;
  return 8 * (l.p.nin * l.p.nout + 3 * l.p.nout) + 20 * l.p.nin + 16;
}

/** Steps and input entries one `run` call takes at most (the caller stages fewer steps when the entries would not fit). */
export const CHAIN_RUN_STEPS = 512;
export const CHAIN_RUN_ENTRIES = 1 << 15;

/** Builds a chain (every layer must satisfy `chainLayerApplies`; each layer's input is the previous one's output). */
export function wasmChain(layers: ChainLayer[]): WasmChain {
  const n0 = inSize(layers[0]);
  const nOut = outSize(layers[layers.length - 1]);
  // input list and values, counts, staging (counts, entries, output rows), the direct bound's
  // state and the per-input stamps, each allocation rounded up to 16 bytes
  let bytes = 12 * n0 + 4 * (2 * layers.length + 1) + 4 * CHAIN_RUN_STEPS + 12 * CHAIN_RUN_ENTRIES + 8 * CHAIN_RUN_STEPS * nOut + 16 + 4 * n0 + 16 * 10;
  for (const l of layers) bytes += layerBytes(l) + 12 * outSize(l) + 16 * 13;
  let inList!: Int32Array, directSteps!: Int32Array, inVal!: Float64Array, outList!: Int32Array, outVal!: Float64Array;
  const v: (Float64Array | null)[] = [];
  const bounds: DirectBound[] = [];
  let staged!: WasmChain["staged"], rows!: Float64Array;
  const ex = instantiate<{ step: (na: number, sid: number, reset: number) => number; run: (steps: number, sid: number, reset: number) => void; mask: (steps: number, sum: number) => number }>(bytes, (heap) => {
    const counts = heap.i32(layers.length + 1), DC = heap.i32(layers.length);
    directSteps = DC.view;
    const L0 = heap.i32(n0), X0 = heap.f64(n0);
    inList = L0.view;
    inVal = X0.view;
    let prev = { list: L0.at, val: X0.at };
    const funcs: string[] = [];
    layers.forEach((l, k) => {
      const osz = outSize(l);
      // one entry more: a pool writes each touched output at the list's end before it knows
      // whether to keep it
      const OL = heap.i32(osz + 1), OV = heap.f64(osz + 1);
      const io: IO = { inList: prev.list, inVal: prev.val, inCount: counts.at + 4 * k, outList: OL.at, outVal: OV.at, outCount: counts.at + 4 * (k + 1) };
      const name = `layer${k}_${l.kind}`;
      if (l.kind === "convIF") {
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
            let k = 0;
            for (let r = l.rows.start[pin]; r < l.rows.start[pin + 1]; r++, k++) {
              P.view[2 * (pin * pr + k)] = Y.at + 8 * l.rows.yOff[r];
              P.view[2 * (pin * pr + k) + 1] = 8 * l.rows.wOff[r];
            }
            for (; k < pr; k++) P.view[2 * (pin * pr + k)] = trash;
          }
          pad = P.at;
        }
        v.push(V.view.subarray(0, osz));
        const bound = directBound(layers, k);
        if (bound) bounds.push(bound);
        funcs.push(convIFCode(name, l, io, { dc: DC.at + 4 * k, start: start.at, yOff: yOff.at, wOff: wOff.at, y: Y.at, v: V.at, masks: masks.at, tb: tb.at, fl: fl.at, wc: wc.at, pad, padR: pr }, bound ? k : -1));
      } else if (l.kind === "pool") {
        const rs = heap.i32(l.isz + 1), ro = heap.i32(l.rowOut.length), stamp = heap.i32(osz);
        rs.view.set(l.rowStart);
        ro.view.set(l.rowOut);
        stamp.view.fill(-1);
        v.push(null);
        funcs.push(poolCode(name, l, io, { rowStart: rs.at, rowOut: ro.at, stamp: stamp.at }));
      } else {
        const { nin, nout, wt, bias } = l.p;
        const W = heap.f64(nin * nout), Bz = heap.f64(nout), Y = heap.f64(nout), V = heap.f64(nout);
        const R = heap.i32(nin), X = heap.f64(nin);
        // direct sums: per input row max|w|, and max|v| after the last step with inputs
        const RM = heap.f64(nin), VM = heap.f64(1);
        W.view.set(wt);
        if (bias) Bz.view.set(bias);
        for (let i = 0; i < nin; i++) for (let j = 0; j < nout; j++) RM.view[i] = Math.max(RM.view[i], Math.abs(wt[i * nout + j]));
        v.push(V.view);
        funcs.push(affineIFCode(name, l, io, { dc: DC.at + 4 * k, W: W.at, B: Bz.at, Y: Y.at, V: V.at, R: R.at, X: X.at, RM: RM.at, VM: VM.at }, affineLimit(layers, k)));
      }
      prev = { list: OL.at, val: OV.at };
      if (k === layers.length - 1) {
        outList = OL.view;
        outVal = OV.view;
      }
    });
    // the whole-run entry: staged inputs, and rows for the last layer's output (`prev` now)
    const last = prev;
    const SC = heap.i32(CHAIN_RUN_STEPS), SI = heap.i32(CHAIN_RUN_ENTRIES), SV = heap.f64(CHAIN_RUN_ENTRIES);
    const RW = heap.f64(CHAIN_RUN_STEPS * nOut);
    // the direct bound's state (Σ of each step's largest input, steps since reset) and, per
    // input index, the step that last listed it (staged entries may repeat an index)
    const ST = heap.f64(2), seen = heap.i32(n0);
    staged = { count: SC.view, index: SI.view, value: SV.view };
    rows = RW.view;
    const first = bounds.some((b) => b.layer === 0);
    const bound = (b: DirectBound): string => `
    (if (f64.le (f64.add (f64.const ${f(b.vmax)}) (f64.mul ${b.layer === 0 ? "(local.get $sum)" : `(f64.mul (f64.convert_i32_s (local.get $steps)) (f64.const ${f(b.xmax)}))`} (f64.const ${f(b.colSum)}))) (f64.const ${f(b.limit)}))
      (then (local.set $m (i32.or (local.get $m) (i32.const ${1 << b.layer})))))`;
    return `(module (memory (import "env" "mem") $PAGES)
${funcs.join("\n")}
  (func $mask (export "mask") (param $steps i32) (param $sum f64) (result i32) (local $m i32)
    ${bounds.map(bound).join("")}
    (local.get $m))
  (func $chain_step (export "step") (param $na i32) (param $sid i32) (param $reset i32) (result i32)
    (local $k i32) (local $x f64) (local $big f64) (local $steps i32) (local $direct i32)
    ;; the direct bound: steps since reset, and (first layer) the sum of each step's largest
    ;; input (a non-integer or one above 2^20 counts as 1e300: no direct sums after it)
    (if (local.get $reset) (then
      (f64.store offset=${ST.at} (i32.const 0) (f64.const 0))
      (i32.store offset=${ST.at + 8} (i32.const 0) (i32.const 0))))
    (local.set $steps (i32.add (i32.load offset=${ST.at + 8} (i32.const 0)) (i32.const 1)))
    (i32.store offset=${ST.at + 8} (i32.const 0) (local.get $steps))
    ${first ? `(block $db (loop $lb
      (br_if $db (i32.ge_u (local.get $k) (local.get $na)))
      (local.set $x (f64.load offset=${X0.at} (i32.shl (i32.load offset=${L0.at} (i32.shl (local.get $k) (i32.const 2))) (i32.const 3))))
      (local.set $big (f64.max (local.get $big) (f64.abs (local.get $x))))
      (if (f64.ne (f64.floor (local.get $x)) (local.get $x)) (then (local.set $big (f64.const 1e300))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $lb)))
    (if (f64.gt (local.get $big) (f64.const 1048576)) (then (local.set $big (f64.const 1e300))))
    (f64.store offset=${ST.at} (i32.const 0) (f64.add (f64.load offset=${ST.at} (i32.const 0)) (local.get $big)))
    (local.set $k (i32.const 0))` : ""}
    (local.set $direct (call $mask (local.get $steps) (f64.load offset=${ST.at} (i32.const 0))))
    (i32.store offset=${counts.at} (i32.const 0) (local.get $na))
    ${layers.map((l, k) => `(call $layer${k}_${l.kind} (local.get $sid) (local.get $direct))`).join("\n    ")}
    ;; the input values back to zero
    (block $dz (loop $lz
      (br_if $dz (i32.ge_u (local.get $k) (local.get $na)))
      (f64.store offset=${X0.at} (i32.shl (i32.load offset=${L0.at} (i32.shl (local.get $k) (i32.const 2))) (i32.const 3)) (f64.const 0))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $lz)))
    (i32.load offset=${counts.at + 4 * layers.length} (i32.const 0)))
  (func $chain_run (export "run") (param $steps i32) (param $sid i32) (param $reset i32)
    (local $s i32) (local $e i32) (local $n i32) (local $k i32) (local $idx i32) (local $m i32) (local $q i32) (local $rb i32)
    (local $na i32) (local $tag i32) (local $end i32)
    (block $ds (loop $ls
      (br_if $ds (i32.ge_u (local.get $s) (local.get $steps)))
      ;; this step's staged entries become the input list and values; a repeated index adds its
      ;; value (in staging order, as events summed into a port)
      (local.set $tag (i32.add (local.get $sid) (local.get $s)))
      (local.set $end (i32.add (local.get $e) (i32.load offset=${SC.at} (i32.shl (local.get $s) (i32.const 2)))))
      (local.set $na (i32.const 0))
      (block $dk (loop $lk
        (br_if $dk (i32.ge_u (local.get $e) (local.get $end)))
        (local.set $idx (i32.load offset=${SI.at} (i32.shl (local.get $e) (i32.const 2))))
        (if (i32.ne (i32.load offset=${seen.at} (i32.shl (local.get $idx) (i32.const 2))) (local.get $tag))
          (then
            (i32.store offset=${seen.at} (i32.shl (local.get $idx) (i32.const 2)) (local.get $tag))
            (i32.store offset=${L0.at} (i32.shl (local.get $na) (i32.const 2)) (local.get $idx))
            (local.set $na (i32.add (local.get $na) (i32.const 1)))
            (f64.store offset=${X0.at} (i32.shl (local.get $idx) (i32.const 3)) (f64.load offset=${SV.at} (i32.shl (local.get $e) (i32.const 3)))))
          (else
            (f64.store offset=${X0.at} (i32.shl (local.get $idx) (i32.const 3))
              (f64.add (f64.load offset=${X0.at} (i32.shl (local.get $idx) (i32.const 3))) (f64.load offset=${SV.at} (i32.shl (local.get $e) (i32.const 3)))))))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $lk)))
      (local.set $m (call $chain_step (local.get $na) (local.get $tag) (i32.and (local.get $reset) (i32.eqz (local.get $s)))))
      ;; the output list into this step's row
      (local.set $rb (i32.add (i32.const ${RW.at}) (i32.mul (local.get $s) (i32.const ${8 * nOut}))))
      (local.set $q (i32.const 0))
      (block $dq (loop $lq
        (br_if $dq (i32.ge_u (local.get $q) (local.get $m)))
        (local.set $k (i32.shl (i32.load offset=${last.list} (i32.shl (local.get $q) (i32.const 2))) (i32.const 3)))
        (f64.store (i32.add (local.get $rb) (local.get $k)) (f64.load offset=${last.val} (local.get $k)))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $lq)))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $ls)))))`;
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
