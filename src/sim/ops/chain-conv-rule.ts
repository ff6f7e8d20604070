/**
 * The conv→IF layer of a wasm chain under a non-lazy IF rule (chain-if.ts: Sinabs, Rockpool, Spyx,
 * snnTorch, Lava, Loihi 2, Exact). The scatter is the lazy layer's (chain-conv.ts: each listed
 * input's rows into the position-major scratch y, its reached positions marked in a bitmap; a
 * dense step in ascending input order, as the JavaScript gather); the fire pass then runs the
 * rule's scalar update on every channel of the marked positions, ascending, together with the
 * positions left pending by the previous step (a neuron whose v passes the spike test without
 * input), or on every position when the rule leaks. With an input delay the fire pass runs first,
 * on the sums the previous step left in y.
 */
import { pairConsts, pairUnroll, pairUpdate, quietDecay, ruleDelay, ruleDense, RULE_LOCALS, type IFRule } from "./chain-if.js";
import { convScatter } from "./chain-conv.js";
import { denseFrom } from "./contract.js";
import type { RuledDirectBound } from "./chain-bounds.js";
import { countDirect, emitCount, f, LOCALS, prologue, touchedPositions, zeroBytes, type ChainLayer, type IO } from "./chain-wat.js";

type ConvIF = Extract<ChainLayer, { kind: "convIF" }>;
type Rule = Exclude<IFRule, { kind: "lazy" }>;

/** Bytes a ruled conv→IF layer needs beyond the lazy one, at most: the pending and live bitmaps and the direct bound's S. */
export const ruleBitmapBytes = (l: ConvIF): number => 32 * Math.ceil((l.g.oh * l.g.ow) / 128) + 16;

/** The scatter of one step's input into y, or into v `shift` bytes further (marking the reached positions in the bitmap tb). */
function scatter(l: ConvIF, io: IO, A: Record<string, number>, shift = 0): string {
  const isz = l.g.cin * l.g.h * l.g.w;
  const sc = convScatter(l, io, A);
  return `
    (if (i32.lt_u (local.get $na) (i32.const ${denseFrom(isz)}))
      (then ${sc.listed(shift)})
      (else
        (local.set $idx (i32.const 0))
        (block $dd (loop $ld
          (br_if $dd (i32.ge_u (local.get $idx) (i32.const ${isz})))
          (local.set $xv (f64.load offset=${io.inVal} (i32.shl (local.get $idx) (i32.const 3))))
          (if (f64.ne (local.get $xv) (f64.const 0)) (then ${sc.oneInput(shift, false)}${sc.mark}))
          (local.set $idx (i32.add (local.get $idx) (i32.const 1)))
          (br $ld)))))`;
}

/** Marks position $po pending (its bit in the pending bitmap). */
const markPending = (A: Record<string, number>): string => `
              (local.set $p (i32.shl (i32.shr_u (local.get $po) (i32.const 5)) (i32.const 2)))
              (i32.store offset=${A.pb} (local.get $p) (i32.or (i32.load offset=${A.pb} (local.get $p)) (i32.shl (i32.const 1) (i32.and (local.get $po) (i32.const 31)))))`;

/** Channels $co, $co + 1, … at position $po as pairs (chain-if.ts `pairUpdate`; `direct`: the inputs are in v). */
function pair(r: Rule, io: IO, A: Record<string, number>, ohw: number, cout: number, direct = false): string {
  const spike = (L: number): string => `
            (local.set $k (i32.add (local.get $po) (i32.mul (i32.add (local.get $co) (i32.const ${L})) (i32.const ${ohw})))) ${emitCount(io)}`;
  return pairUpdate(r, A.v - A.y, pairsAtOnce(r, cout, direct), spike, markPending(A), direct);
}

/** Channel pairs a position's update takes at once: a direct linear update (only a test on most positions) all of up to 8 pairs, else `pairUnroll`. */
const pairsAtOnce = (r: Rule, cout: number, direct: boolean): number => (direct && r.kind === "linear" && cout / 2 <= 8 ? cout / 2 : pairUnroll(cout / 2));

/**
 * The fire pass of a leaky rule: every neuron, two at a time along y and v in their position-major
 * order (the order of the bitmap walk); the marks of the scatter are cleared.
 */
function fireAll(l: ConvIF, io: IO, A: Record<string, number>): string {
  const r = l.rule as Extract<Rule, { kind: "linear" }>;
  const cout = l.g.cout, ohw = l.g.oh * l.g.ow, nv = Math.ceil(ohw / 128);
  const U = pairUnroll((cout * ohw) / 2);
  const spike = (L: number): string => `
            (local.set $idx (i32.add (i32.shr_u (i32.sub (local.get $yb) (i32.const ${A.y})) (i32.const 3)) (i32.const ${L})))
            (local.set $k (i32.add (i32.div_u (local.get $idx) (i32.const ${cout})) (i32.mul (i32.rem_u (local.get $idx) (i32.const ${cout})) (i32.const ${ohw})))) ${emitCount(io)}`;
  return `${zeroBytes(A.tb, 16 * nv)}
    (local.set $yb (i32.const ${A.y}))
    (block $da (loop $la
      (br_if $da (i32.ge_u (local.get $yb) (i32.const ${A.y + 8 * cout * ohw})))${pairUpdate(r, A.v - A.y, U, spike, "")}
      (local.set $yb (i32.add (local.get $yb) (i32.const ${16 * U})))
      (br $la)))`;
}

/**
 * The fire pass of a leaky rule whose quiet neurons provably stay silent (chain-if.ts
 * `quietDecay`): every position ascending; a marked or pending one runs the pair update of its
 * channels, as the lazy pass, and any other one only its decay v ← (a·v + g·0) + c (then the
 * clamp), the plain case's operations with y = 0, which is what its y holds. With a live bitmap
 * (A.lv, when `zeroStays`) a position not visited since the reset is skipped: its v are +0.
 */
function fireQuiet(l: ConvIF, io: IO, A: Record<string, number>): string {
  const r = l.rule as Extract<Rule, { kind: "linear" }>;
  const cout = l.g.cout, ohw = l.g.oh * l.g.ow;
  const step = 2 * pairUnroll(cout / 2);
  const toV = A.v - A.y;
  const live = A.lv !== undefined;
  // (a·v + g·0) + c with c = +0 is a·v + 0: g·0 is ±0, and adding ±0 and then +0 gives x + 0
  const av = (i: number): string => `(f64x2.mul (local.get $x0) (v128.load offset=${toV + 16 * i} (local.get $yb)))`;
  const decay = Array.from({ length: cout / 2 }, (_, i) => `
            (local.set $vn ${Object.is(r.c, 0) ? `(f64x2.add ${av(i)} (local.get $zero))` : `(f64x2.add (f64x2.add ${av(i)} (local.get $x3)) (local.get $x1))`})${r.vmin === null ? "" : `
            (local.set $vn (f64x2.pmax (local.get $vn) (local.get $x2)))`}
            (v128.store offset=${toV + 16 * i} (local.get $yb) (local.get $vn))`).join("");
  return `
    ;; g·0 as the pair update computes it for y = 0
    (local.set $x3 (f64x2.mul (local.get $g) (local.get $zero)))
    (local.set $po (i32.const 0))
    (local.set $yb (i32.const ${A.y}))
    (block $dq (loop $lq
      (br_if $dq (i32.ge_u (local.get $po) (i32.const ${ohw})))
      (if (i32.eqz (i32.and (local.get $po) (i32.const 31))) (then
        ;; this word's marked and pending positions (cleared: the pending ones are marked anew)
        (local.set $p (i32.shl (i32.shr_u (local.get $po) (i32.const 5)) (i32.const 2)))
        (local.set $word (i32.or (i32.load offset=${A.tb} (local.get $p)) (i32.load offset=${A.pb} (local.get $p))))
        (i32.store offset=${A.tb} (local.get $p) (i32.const 0))
        (i32.store offset=${A.pb} (local.get $p) (i32.const 0))${live ? `
        ;; the live positions: those visited since the reset (every other one holds +0, which decay keeps)
        (local.set $bits (i32.or (i32.load offset=${A.lv} (local.get $p)) (local.get $word)))
        (i32.store offset=${A.lv} (local.get $p) (local.get $bits))` : ""}))
      (if (i32.and (local.get $word) (i32.const 1))
        (then
          (local.set $co (i32.const 0))
          (block $dch (loop $lch
            (br_if $dch (i32.ge_u (local.get $co) (i32.const ${cout})))${pair(r, io, A, ohw, cout)}
            (local.set $yb (i32.add (local.get $yb) (i32.const ${8 * step})))
            (local.set $co (i32.add (local.get $co) (i32.const ${step})))
            (br $lch))))
        (else ${live ? `(if (i32.and (local.get $bits) (i32.const 1)) (then ${decay}))` : decay}
            (local.set $yb (i32.add (local.get $yb) (i32.const ${8 * cout})))))
      (local.set $word (i32.shr_u (local.get $word) (i32.const 1)))${live ? `
      (local.set $bits (i32.shr_u (local.get $bits) (i32.const 1)))` : ""}
      (local.set $po (i32.add (local.get $po) (i32.const 1)))
      (br $lq)))`;
}

/** The fire pass: the marked positions with the pending ones, ascending, every channel (a leaky rule: every neuron; `direct`: the inputs are in v). */
function fire(l: ConvIF, io: IO, A: Record<string, number>, direct = false): string {
  const r = l.rule as Rule;
  if (ruleDense(r)) return quietDecay(r) ? fireQuiet(l, io, A) : fireAll(l, io, A);
  const cout = l.g.cout, ohw = l.g.oh * l.g.ow, nv = Math.ceil(ohw / 128);
  // two channels per f64x2, up to four pairs at a time
  const step = 2 * pairsAtOnce(r, cout, direct);
  const body = pair(r, io, A, ohw, cout, direct);
  return `
    ;; the positions to visit: those marked, and the pending ones (cleared, to be marked anew)
    (local.set $q (i32.const 0))
    (block $dm (loop $lm
      (br_if $dm (i32.ge_u (local.get $q) (i32.const ${16 * nv})))
      (v128.store offset=${A.tb} (local.get $q) (v128.or (v128.load offset=${A.tb} (local.get $q)) (v128.load offset=${A.pb} (local.get $q))))
      (v128.store offset=${A.pb} (local.get $q) (local.get $zero))
      (local.set $q (i32.add (local.get $q) (i32.const 16)))
      (br $lm)))
    (local.set $q (i32.const 0))${touchedPositions(A.tb, nv, A.y, cout, `
          (local.set $co (i32.const 0))
          (block $dch (loop $lch
            (br_if $dch (i32.ge_u (local.get $co) (i32.const ${cout})))${body}
            (local.set $yb (i32.add (local.get $yb) (i32.const ${8 * step})))
            (local.set $co (i32.add (local.get $co) (i32.const ${step})))
            (br $lch)))`)}`;
}

/**
 * A step of a layer with a direct bound (chain-bounds.ts `ruledDirectBound`): the step's largest
 * input is added to S (at A.sd; 1e300 for an input that is not a multiple of 2^ex), and while
 * vmax + S·colSum ≤ limit the inputs go straight into v and the fire pass only tests it.
 */
function directStep(l: ConvIF, io: IO, A: Record<string, number>, b: RuledDirectBound): string {
  return `
    (local.set $vs (f64.const 0))
    (block $dx (loop $lx
      (br_if $dx (i32.ge_u (local.get $e) (local.get $na)))
      (local.set $xv (f64.load offset=${io.inVal} (i32.shl (i32.load offset=${io.inList} (i32.shl (local.get $e) (i32.const 2))) (i32.const 3))))
      (local.set $vs (f64.max (local.get $vs) (f64.abs (local.get $xv))))
      (local.set $val (f64.mul (local.get $xv) (f64.const ${f(2 ** -b.ex)})))
      (if (i32.or (f64.ne (f64.floor (local.get $val)) (local.get $val)) (i32.and (f64.ne (local.get $xv) (f64.const 0)) (f64.lt (f64.abs (local.get $xv)) (f64.const ${f(2 ** b.ex)}))))
        (then (local.set $vs (f64.const 1e300))))
      (local.set $e (i32.add (local.get $e) (i32.const 1)))
      (br $lx)))
    (local.set $e (i32.const 0))
    (f64.store offset=${A.sd} (i32.const 0) (f64.add (f64.load offset=${A.sd} (i32.const 0)) (local.get $vs)))
    (if (f64.le (f64.add (f64.const ${f(b.vmax)}) (f64.mul (f64.load offset=${A.sd} (i32.const 0)) (f64.const ${f(b.colSum)}))) (f64.const ${f(b.limit)}))
      (then ${countDirect(A)}${scatter(l, io, A, A.v - A.y)}${fire(l, io, A, true)})
      (else ${scatter(l, io, A)}${fire(l, io, A)}))`;
}

/** The ruled conv→IF layer function (addresses in A: as convIFCode's, plus the pending bitmap pb and, with a direct bound, S at sd). */
export function convIFRuleCode(name: string, l: ConvIF, io: IO, A: Record<string, number>, bound: RuledDirectBound | null = null): string {
  const body = bound ? directStep(l, io, A, bound) : ruleDelay(l.rule) ? `${fire(l, io, A)}${scatter(l, io, A)}` : `${scatter(l, io, A)}${fire(l, io, A)}`;
  const r = l.rule as Rule;
  return `
  (func $${name} (param $sid i32) (param $direct i32) ${LOCALS} ${RULE_LOCALS}
    ${pairConsts(r)}
    ${prologue(io)}${body}
    (i32.store offset=${io.outCount} (i32.const 0) (local.get $m)))`;
}

/** The reset of a ruled conv→IF layer: the scratch y, the marked and the pending positions (a delayed step's state). */
export function convIFRuleReset(name: string, l: ConvIF, A: Record<string, number>): string {
  const osz = l.g.cout * l.g.oh * l.g.ow, nv = Math.ceil((l.g.oh * l.g.ow) / 128);
  return `
  (func $${name}_reset (local $q i32)${zeroBytes(A.y, 8 * (osz + l.g.cout))}${zeroBytes(A.tb, 16 * nv)}${zeroBytes(A.pb, 16 * nv)}${A.sd === undefined ? "" : `
    (f64.store offset=${A.sd} (i32.const 0) (f64.const 0))`}${A.lv === undefined ? "" : zeroBytes(A.lv, 16 * nv)})`;
}
