/**
 * The sparse path of the fused conv→IF kernel (conv-if.ts) as generated WebAssembly SIMD: the
 * scatter adds two channels per f64x2 operation, and the IF update tests two neurons per
 * operation. The layer's sizes, gain, threshold and reset are baked into the code as constants.
 * Same arithmetic as the JavaScript loop, term for term (y += x·w, then v + g·y, spike on
 * v > θ, v ← v_reset), and spikes listed in the same order.
 */
import type { ConvIFRows } from "./conv-if.js";
import { instantiate, wasmSimd } from "../wasm/instance.js";

/** The kernel's memory and entry point (all arrays are views into the wasm memory). */
export interface ConvIFWasm {
  /** Position-major scratch of conv sums (pos·cout + channel); zero between steps. */
  y: Float64Array;
  /** Membrane potentials of all items, position-major per item (B × osz). */
  v: Float64Array;
  /** Listed input indices / values of one item (filled by the caller). */
  inIdx: Int32Array;
  inVal: Float64Array;
  /** Output: NCHW indices of the neurons that spiked (in the JavaScript kernel's order). */
  outK: Int32Array;
  /** Scatters `na` listed inputs, updates the touched neurons of item `item`; returns the spike count. */
  step(na: number, item: number, stampId: number): number;
}

const f = (x: number): string => (Object.is(x, -0) ? "-0" : String(x));

/**
 * Builds the kernel, or null when it does not apply (no wasm SIMD, an odd channel count, or
 * non-finite layer constants), in which case the JavaScript loop runs.
 */
export function convIFWasm(rows: ConvIFRows, cin: number, hw: number, cout: number, coutG: number, ohw: number, batch: number,
  g0: number, th0: number, vr0: number): ConvIFWasm | null {
  if (!wasmSimd || cout % 2 || coutG % 2 || ![g0, th0, vr0].every(Number.isFinite)) return null;
  const osz = cout * ohw;
  const nrow = rows.start[cin * hw];
  const bytes = 16 * 12 + 4 * (cin * hw + 1) + 3 * 4 * nrow + 8 * rows.wc.length + 8 * osz * (batch + 1) + 4 * ohw * 2 + 12 * cin * hw + 4 * osz;
  let v!: Float64Array, y!: Float64Array, inIdx!: Int32Array, inVal!: Float64Array, outK!: Int32Array;
  let A: Record<string, number> = {};
  const pairsG = coutG / 2, pairs = cout / 2;
  // scatter of one (event, row): unrolled over the channel pairs of its group
  // x = 1 (a spike) adds the weights themselves: x·w = w exactly, one operation fewer per pair
  const scatterBody = (unit: boolean): string => Array.from({ length: pairsG }, (_, j) => {
    const wv = `(v128.load offset=${16 * j} (local.get $w))`;
    return `(v128.store offset=${16 * j} (local.get $o) (f64x2.add (v128.load offset=${16 * j} (local.get $o)) ${unit ? wv : `(f64x2.mul (local.get $xs) ${wv})`}))`;
  }).join("\n");
  const taps = (unit: boolean): string => `
      (block $done1 (loop $taps
        (br_if $done1 (i32.ge_u (local.get $r) (local.get $r1)))
        (local.set $o (i32.load offset=${A.yOff} (i32.shl (local.get $r) (i32.const 2))))
        (local.set $w (i32.load offset=${A.wOff} (i32.shl (local.get $r) (i32.const 2))))
        ${scatterBody(unit)}
        (local.set $p (i32.load offset=${A.pos} (i32.shl (local.get $r) (i32.const 2))))
        (if (i32.ne (i32.load offset=${A.stamp} (i32.shl (local.get $p) (i32.const 2))) (local.get $sid)) (then
          (i32.store offset=${A.stamp} (i32.shl (local.get $p) (i32.const 2)) (local.get $sid))
          (i32.store offset=${A.touched} (i32.shl (local.get $nt) (i32.const 2)) (local.get $p))
          (local.set $nt (i32.add (local.get $nt) (i32.const 1)))))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $taps)))
`;
  // IF update of two channels at byte offset 16·j of the position's block. A lane with y = 0
  // gets v + g·0, which equals v (up to the sign of a zero) and, since v ≤ θ between steps
  // (lazy IF), cannot spike: so no masking is needed, and the spikes are those of the JS loop.
  // (v of a conv-fused layer is never recorded: recording it unfuses the pair.)
  const fireBody = Array.from({ length: pairs }, (_, j) => `
      (local.set $yv (v128.load offset=${16 * j} (local.get $yb)))
      (local.set $vn (f64x2.add (v128.load offset=${16 * j} (local.get $vb)) (f64x2.mul (local.get $g) (local.get $yv))))
      (local.set $sp (f64x2.gt (local.get $vn) (local.get $th)))
      (v128.store offset=${16 * j} (local.get $yb) (local.get $zero))
      (v128.store offset=${16 * j} (local.get $vb) (v128.bitselect (local.get $vr) (local.get $vn) (local.get $sp)))
      (if (v128.any_true (local.get $sp)) (then
        (local.set $bits (i64x2.bitmask (local.get $sp)))
        (if (i32.and (local.get $bits) (i32.const 1)) (then
          (i32.store (i32.add (i32.const ${"$OUTK"}) (i32.shl (local.get $m) (i32.const 2))) (i32.add (local.get $po) (i32.const ${2 * j * ohw})))
          (local.set $m (i32.add (local.get $m) (i32.const 1)))))
        (if (i32.and (local.get $bits) (i32.const 2)) (then
          (i32.store (i32.add (i32.const ${"$OUTK"}) (i32.shl (local.get $m) (i32.const 2))) (i32.add (local.get $po) (i32.const ${(2 * j + 1) * ohw})))
          (local.set $m (i32.add (local.get $m) (i32.const 1)))))))`).join("");
  const wat = () => `(module (memory (import "env" "mem") $PAGES)
  (func $conv_if_${cin}x${cout} (export "step") (param $na i32) (param $item i32) (param $sid i32) (result i32)
    (local $e i32) (local $idx i32) (local $r i32) (local $r1 i32) (local $o i32) (local $w i32) (local $p i32) (local $nt i32)
    (local $q i32) (local $po i32) (local $yb i32) (local $vb i32) (local $m i32) (local $bits i32) (local $vbase i32)
    (local $xv f64) (local $xs v128) (local $yv v128) (local $vn v128) (local $sp v128)
    (local $zero v128) (local $g v128) (local $th v128) (local $vr v128)
    (local.set $g (f64x2.splat (f64.const ${f(g0)})))
    (local.set $th (f64x2.splat (f64.const ${f(th0)})))
    (local.set $vr (f64x2.splat (f64.const ${f(vr0)})))
    (block $done0 (loop $events
      (br_if $done0 (i32.ge_u (local.get $e) (local.get $na)))
      (local.set $idx (i32.load offset=${A.inIdx} (i32.shl (local.get $e) (i32.const 2))))
      (local.set $xv (f64.load offset=${A.inVal} (i32.shl (local.get $e) (i32.const 3))))
      (local.set $xs (f64x2.splat (local.get $xv)))
      (local.set $r (i32.load offset=${A.start} (i32.shl (local.get $idx) (i32.const 2))))
      (local.set $r1 (i32.load offset=${A.start + 4} (i32.shl (local.get $idx) (i32.const 2))))
      (if (f64.eq (local.get $xv) (f64.const 1)) (then ${taps(true)}) (else ${taps(false)}))
      (local.set $e (i32.add (local.get $e) (i32.const 1)))
      (br $events)))
    (local.set $vbase (i32.add (i32.const ${A.v}) (i32.mul (local.get $item) (i32.const ${8 * osz}))))
    (block $done2 (loop $fire
      (br_if $done2 (i32.ge_u (local.get $q) (local.get $nt)))
      (local.set $po (i32.load offset=${A.touched} (i32.shl (local.get $q) (i32.const 2))))
      (local.set $yb (i32.add (i32.const ${A.y}) (i32.mul (local.get $po) (i32.const ${8 * cout}))))
      (local.set $vb (i32.add (local.get $vbase) (i32.mul (local.get $po) (i32.const ${8 * cout}))))
      ${fireBody}
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $fire)))
    (local.get $m)))`.replaceAll("$OUTK", String(A.outK));
  const { step } = instantiate<{ step: (na: number, item: number, sid: number) => number }>(bytes + 64, (heap) => {
    const start = heap.i32(cin * hw + 1), yOff = heap.i32(nrow), wOff = heap.i32(nrow), pos = heap.i32(nrow);
    const wc = heap.f64(rows.wc.length);
    const yR = heap.f64(osz), vR = heap.f64(batch * osz);
    const stamp = heap.i32(ohw), touched = heap.i32(ohw);
    const inI = heap.i32(cin * hw), inV = heap.f64(cin * hw), out = heap.i32(osz);
    start.view.set(rows.start);
    wc.view.set(rows.wc);
    pos.view.set(rows.pos.subarray(0, nrow));
    for (let r = 0; r < nrow; r++) {
      yOff.view[r] = yR.at + 8 * rows.yOff[r];
      wOff.view[r] = wc.at + 8 * rows.wOff[r];
    }
    stamp.view.fill(-1);
    A = { start: start.at, yOff: yOff.at, wOff: wOff.at, pos: pos.at, y: yR.at, v: vR.at, stamp: stamp.at, touched: touched.at, inIdx: inI.at, inVal: inV.at, outK: out.at };
    y = yR.view;
    v = vR.view;
    inIdx = inI.view;
    inVal = inV.view;
    outK = out.view;
    return wat();
  });
  return { y, v, inIdx, inVal, outK, step };
}
