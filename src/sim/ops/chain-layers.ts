/**
 * The pool and affine→IF layers of a wasm chain as generated code (see chain-wasm.ts for the
 * arithmetic they share with pool.ts, linear.ts and neuron.ts).
 */
import { pairConsts, pairUnroll, pairUpdate, ruleDelay, RULE_LOCALS, type IFRule } from "./chain-if.js";
import { countDirect, emitCount, emitSpike, f, LOCALS, prologue, range, zeroBytes, type ChainLayer, type IO } from "./chain-wat.js";

/** The pool layer function. */
export function poolCode(name: string, l: Extract<ChainLayer, { kind: "pool" }>, io: IO, A: Record<string, number>): string {
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

type AffineIF = Extract<ChainLayer, { kind: "affineIF" }>;

/** `body` for every neuron pair of an affine layer, $j its byte offset. */
function loopPairs(l: AffineIF, body: string): string {
  return `
    (local.set $j (i32.const 0))
    (block $dj (loop $lj
      (br_if $dj (i32.ge_u (local.get $j) (i32.const ${8 * l.p.nout})))
      ${body}
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $lj)))`;
}

/**
 * The sums y += x·W[row] over the collected inputs ($c of them, rows in R, values in X): into y
 * (ordered) or v (direct), at byte address S; four rows per pass while they last.
 */
export function affineSums(l: AffineIF, A: Record<string, number>, S: number): string {
  const nout = l.p.nout;
  const row = (q: number): string => `(local.set $w${q} (i32.add (i32.const ${A.W}) (i32.mul (i32.load offset=${A.R + 4 * q} (i32.shl (local.get $e) (i32.const 2))) (i32.const ${8 * nout}))))
      (local.set $x${q} (f64x2.splat (f64.load offset=${A.X + 8 * q} (i32.shl (local.get $e) (i32.const 3)))))`;
  const unit = (q: number): string => `(v128.load (i32.add (local.get $w${q}) (local.get $j)))`;
  const term = (q: number): string => `(f64x2.mul (local.get $x${q}) ${unit(q)})`;
  return `
      (block $d4 (loop $l4
        (br_if $d4 (i32.gt_s (i32.add (local.get $e) (i32.const 4)) (local.get $c)))
        ${[0, 1, 2, 3].map(row).join("\n        ")}
        ;; four spikes or unit counts (x = 1) add their rows as they are: x·w = w exactly
        (if (v128.any_true (v128.or (v128.or (f64x2.ne (local.get $x0) (local.get $one)) (f64x2.ne (local.get $x1) (local.get $one)))
                                    (v128.or (f64x2.ne (local.get $x2) (local.get $one)) (f64x2.ne (local.get $x3) (local.get $one))))) (then
          ${loopPairs(l, `(v128.store offset=${S} (local.get $j)
            (f64x2.add (f64x2.add (f64x2.add (f64x2.add (v128.load offset=${S} (local.get $j)) ${term(0)}) ${term(1)}) ${term(2)}) ${term(3)}))`)})
        (else
          ${loopPairs(l, `(v128.store offset=${S} (local.get $j)
            (f64x2.add (f64x2.add (f64x2.add (f64x2.add (v128.load offset=${S} (local.get $j)) ${unit(0)}) ${unit(1)}) ${unit(2)}) ${unit(3)}))`)}))
        (local.set $e (i32.add (local.get $e) (i32.const 4)))
        (br $l4)))
      (block $d1 (loop $l1
        (br_if $d1 (i32.ge_u (local.get $e) (local.get $c)))
        ${row(0)}
        ${loopPairs(l, `(v128.store offset=${S} (local.get $j) (f64x2.add (v128.load offset=${S} (local.get $j)) ${term(0)}))`)}
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $l1)))`;
}

/** The listed non-zero inputs collected in list order: rows in R, values in X, count $c (`lim`: also Σ|x|·max|W[row]| in $vs). */
export function affineCollect(io: IO, A: Record<string, number>, lim: number): string {
  return `
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
      (br $ll)))`;
}

/** The affine→IF layer function (`lim`: see `affineLimit`; 0: never direct). */
export function affineIFCode(name: string, l: AffineIF, io: IO, A: Record<string, number>, lim: number): string {
  const { nout, bias } = l.p;
  const pairs = nout / 2;
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
  const ordered = `
    (block $skip
      ${bias ? "" : "(br_if $skip (i32.eqz (local.get $c)))"}
      ;; y = bias, then the sums into y, then the IF update of the neurons with y ≠ 0
      ${loopPairs(l, `(v128.store offset=${A.Y} (local.get $j) (v128.load offset=${A.B} (local.get $j)))`)}
      ${affineSums(l, A, A.Y)}
      ${update(false)})`;
  // direct (some input; no bias, gain 1): the sums straight into v, then every v tested
  const direct = `
      ${affineSums(l, A, A.V)}
      ${update(true)}`;
  return `
  (func $${name} (param $sid i32) (param $direct i32) ${LOCALS}
    (local.set $g (f64x2.splat (f64.const ${f(l.g0)})))
    (local.set $th (f64x2.splat (f64.const ${f(l.th0)})))
    (local.set $vr (f64x2.splat (f64.const ${f(l.vr0)})))
    (local.set $one (f64x2.splat (f64.const 1)))
    ${prologue(io)}
    ;; the listed non-zero inputs, in list order${affineCollect(io, A, lim)}
    ${!lim ? ordered : `;; direct when some input and max|v| + Σ|x|·max|W[row]| ($vs) ≤ 2^(52+q): every sum exact
    (if (i32.and (i32.ne (local.get $c) (i32.const 0)) (f64.le (f64.add (f64.load offset=${A.VM} (i32.const 0)) (local.get $vs)) (f64.const ${f(lim)})))
      (then ${countDirect(A)} ${direct})
      (else ${ordered}))`}
    (i32.store offset=${io.outCount} (i32.const 0) (local.get $m)))`;
}

/**
 * The affine→IF layer function under a non-lazy IF rule (chain-if.ts): y = bias + Σ x·W[row] over
 * the listed inputs, then the rule's update of every neuron in ascending order, as the JavaScript
 * affine and neuron steps; with an input delay the update runs first, on the previous step's y.
 */
export function affineIFRuleCode(name: string, l: AffineIF, io: IO, A: Record<string, number>): string {
  const r = l.rule as Exclude<IFRule, { kind: "lazy" }>;
  const U = pairUnroll(l.p.nout / 2);
  const sums = `
    ${loopPairs(l, `(v128.store offset=${A.Y} (local.get $j) (v128.load offset=${A.B} (local.get $j)))`)}
    ${affineSums(l, A, A.Y)}`;
  // two neurons per f64x2 ($co, $co + 1 at $yb), up to four pairs at a time
  // (the pair constants are set here: the sums use $x0 … $x3 for their rows)
  const update = `
    ${pairConsts(r)}
    (local.set $co (i32.const 0))
    (local.set $yb (i32.const ${A.Y}))
    (block $du (loop $lu
      (br_if $du (i32.ge_u (local.get $co) (i32.const ${l.p.nout})))
      ${pairUpdate(r, A.V - A.Y, U, (L) => `(local.set $k (i32.add (local.get $co) (i32.const ${L}))) ${emitCount(io)}`, "")}
      (local.set $yb (i32.add (local.get $yb) (i32.const ${16 * U})))
      (local.set $co (i32.add (local.get $co) (i32.const ${2 * U})))
      (br $lu)))`;
  return `
  (func $${name} (param $sid i32) (param $direct i32) ${LOCALS} ${RULE_LOCALS}
    (local.set $one (f64x2.splat (f64.const 1)))
    ${prologue(io)}${affineCollect(io, A, 0)}${ruleDelay(r) ? `${update}${sums}` : `${sums}${update}`}
    (i32.store offset=${io.outCount} (i32.const 0) (local.get $m)))`;
}

/** The reset of a ruled affine→IF layer: its y (a delayed step's input). */
export function affineIFRuleReset(name: string, l: AffineIF, A: Record<string, number>): string {
  return `
  (func $${name}_reset (local $q i32)${zeroBytes(A.Y, 8 * l.p.nout)})`;
}
