/**
 * An Affine (one weight block) fused with the non-leaky IF layer it alone feeds, as generated
 * WebAssembly SIMD. Per item and step: y = bias, then y += x·W_row for every listed non-zero
 * input in list order (two outputs per f64x2 operation), then the IF update of every neuron
 * with y ≠ 0: v += g·y, spike on v > θ, v ← v_reset. These are the additions and tests of the
 * separate affine and IF kernels (linear.ts, neuron.ts), element for element and in the same
 * order, so spikes and v are identical. A step without input and with a zero bias is skipped.
 */
import { instantiate, wasmSimd } from "../wasm/instance.js";
import type { AffineParams } from "./linear.js";
import { clearItem, type Port, type StepFn } from "./port.js";

/** The IF layer an affine feeds: one gain, threshold and reset for the whole layer. */
export interface AffineIFTarget {
  g0: number;
  th0: number;
  vr0: number;
  spikes: Port;
}

/** The fused step and the IF layer's v (a view into the kernel's memory; B × nout). */
export interface AffineIFKernel {
  step: StepFn;
  v: Float64Array;
}

const f = (x: number): string => (Object.is(x, -0) ? "-0" : String(x));

/**
 * True when the fused kernel applies: wasm SIMD present, one weight block, an even output
 * count and finite layer constants (otherwise the separate affine and IF steps run).
 */
export function affineIFApplies(p: AffineParams, g0: number, th0: number, vr0: number): boolean {
  return wasmSimd && p.blocks === 1 && p.nout % 2 === 0 && [g0, th0, vr0].every(Number.isFinite);
}

/** Builds the fused kernel (see the file comment); call only when `affineIFApplies`. */
export function affineIFStep(p: AffineParams, inp: Port, t: AffineIFTarget): AffineIFKernel {
  const { nin, nout, wt, bias } = p;
  const B = inp.batch;
  const pairs = nout / 2;
  const hasBias = !!bias;
  const bytes = 8 * (nin * nout + nout * (B + 2) + nin) + 4 * (nin + nout) + 16 * 8;
  let v!: Float64Array, inRow!: Int32Array, inVal!: Float64Array, outK!: Int32Array;
  const exports = instantiate<{ step: (na: number, item: number) => number }>(bytes, (heap) => {
    const W = heap.f64(nin * nout), Bz = heap.f64(nout), Y = heap.f64(nout), V = heap.f64(B * nout);
    const R = heap.i32(nin), X = heap.f64(nin), K = heap.i32(nout);
    W.view.set(wt);
    if (bias) Bz.view.set(bias);
    v = V.view;
    inRow = R.view;
    inVal = X.view;
    outK = K.view;
    const loopPairs = (body: (j: string) => string): string => `
      (local.set $j (i32.const 0))
      (block $dj (loop $lj
        (br_if $dj (i32.ge_u (local.get $j) (i32.const ${16 * pairs})))
        ${body("$j")}
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $lj)))`;
    return `(module (memory (import "env" "mem") $PAGES)
  (func $affine_if_${nin}x${nout} (export "step") (param $na i32) (param $item i32) (result i32)
    (local $e i32) (local $j i32) (local $w i32) (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32) (local $vb i32) (local $m i32) (local $bits i32)
    (local $xs v128) (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $yv v128) (local $nz v128) (local $vo v128) (local $vn v128) (local $sp v128)
    (local $zero v128) (local $g v128) (local $th v128) (local $vr v128)
    ${hasBias ? "" : "(if (i32.eqz (local.get $na)) (then (return (i32.const 0))))"}
    (local.set $g (f64x2.splat (f64.const ${f(t.g0)})))
    (local.set $th (f64x2.splat (f64.const ${f(t.th0)})))
    (local.set $vr (f64x2.splat (f64.const ${f(t.vr0)})))
    ;; y = bias
    ${loopPairs((j) => `(v128.store offset=${Y.at} (local.get ${j}) (v128.load offset=${Bz.at} (local.get ${j})))`)}
    ;; y += x·W[row] per listed input, in order: four inputs per pass over y while they last
    ;; (per output the same additions in the same order, with fewer loads and stores of y)
    (block $d4 (loop $l4
      (br_if $d4 (i32.gt_s (i32.add (local.get $e) (i32.const 4)) (local.get $na)))
      ${[0, 1, 2, 3].map((q) => `
      (local.set $w${q} (i32.add (i32.const ${W.at}) (i32.mul (i32.load offset=${R.at + 4 * q} (i32.shl (local.get $e) (i32.const 2))) (i32.const ${8 * nout}))))
      (local.set $x${q} (f64x2.splat (f64.load offset=${X.at + 8 * q} (i32.shl (local.get $e) (i32.const 3)))))`).join("")}
      ${loopPairs((j) => `(v128.store offset=${Y.at} (local.get ${j})
          (f64x2.add (f64x2.add (f64x2.add (f64x2.add (v128.load offset=${Y.at} (local.get ${j}))
            (f64x2.mul (local.get $x0) (v128.load (i32.add (local.get $w0) (local.get ${j})))))
            (f64x2.mul (local.get $x1) (v128.load (i32.add (local.get $w1) (local.get ${j})))))
            (f64x2.mul (local.get $x2) (v128.load (i32.add (local.get $w2) (local.get ${j})))))
            (f64x2.mul (local.get $x3) (v128.load (i32.add (local.get $w3) (local.get ${j}))))))`)}
      (local.set $e (i32.add (local.get $e) (i32.const 4)))
      (br $l4)))
    (block $de (loop $le
      (br_if $de (i32.ge_u (local.get $e) (local.get $na)))
      (local.set $w (i32.add (i32.const ${W.at}) (i32.mul (i32.load offset=${R.at} (i32.shl (local.get $e) (i32.const 2))) (i32.const ${8 * nout}))))
      (local.set $xs (f64x2.splat (f64.load offset=${X.at} (i32.shl (local.get $e) (i32.const 3)))))
      ${loopPairs((j) => `(v128.store offset=${Y.at} (local.get ${j})
          (f64x2.add (v128.load offset=${Y.at} (local.get ${j})) (f64x2.mul (local.get $xs) (v128.load (i32.add (local.get $w) (local.get ${j}))))))`)}
      (local.set $e (i32.add (local.get $e) (i32.const 1)))
      (br $le)))
    ;; IF update of the neurons with y ≠ 0
    (local.set $vb (i32.add (i32.const ${V.at}) (i32.mul (local.get $item) (i32.const ${8 * nout}))))
    ${loopPairs((j) => `
      (local.set $yv (v128.load offset=${Y.at} (local.get ${j})))
      (local.set $nz (f64x2.ne (local.get $yv) (local.get $zero)))
      (if (v128.any_true (local.get $nz)) (then
        (local.set $vo (v128.load (i32.add (local.get $vb) (local.get ${j}))))
        (local.set $vn (f64x2.add (local.get $vo) (f64x2.mul (local.get $g) (local.get $yv))))
        (local.set $sp (v128.and (local.get $nz) (f64x2.gt (local.get $vn) (local.get $th))))
        (v128.store (i32.add (local.get $vb) (local.get ${j}))
          (v128.bitselect (v128.bitselect (local.get $vr) (local.get $vn) (local.get $sp)) (local.get $vo) (local.get $nz)))
        (if (v128.any_true (local.get $sp)) (then
          (local.set $bits (i64x2.bitmask (local.get $sp)))
          (if (i32.and (local.get $bits) (i32.const 1)) (then
            (i32.store offset=${K.at} (i32.shl (local.get $m) (i32.const 2)) (i32.shr_u (local.get ${j}) (i32.const 3)))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))))
          (if (i32.and (local.get $bits) (i32.const 2)) (then
            (i32.store offset=${K.at} (i32.shl (local.get $m) (i32.const 2)) (i32.add (i32.shr_u (local.get ${j}) (i32.const 3)) (i32.const 1)))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))))))))`)}
    (local.get $m)))`;
  });
  const isz = inp.size;
  const spikes = t.spikes;
  const step = (): void => {
    const x = inp.out, act = inp.act;
    for (let b = 0; b < B; b++) {
      const io = b * isz;
      const na = inp.nact[b];
      let c = 0;
      if (na >= 0) {
        for (let e = 0; e < na; e++) {
          const idx = act[io + e];
          const xv = x[io + idx];
          if (xv !== 0) {
            inRow[c] = idx;
            inVal[c++] = xv;
          }
        }
      } else {
        for (let idx = 0; idx < isz; idx++) {
          const xv = x[io + idx];
          if (xv !== 0) {
            inRow[c] = idx;
            inVal[c++] = xv;
          }
        }
      }
      clearItem(spikes, b);
      const m = exports.step(c, b);
      const oo = b * nout;
      const sout = spikes.out, sact = spikes.act;
      for (let k = 0; k < m; k++) {
        const kk = outK[k];
        sout[oo + kk] = 1;
        sact[oo + k] = kk;
      }
      spikes.nact[b] = m;
    }
  };
  return { step, v };
}
