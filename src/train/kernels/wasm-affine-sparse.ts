/**
 * The sparse halves of an affine layer's training kernels as generated f32x4 WebAssembly:
 * - forward: y[r] = b + Σ_{i: X[r,i] ≠ 0} X[r, i]·Wᵀ[i], each non-zero input adding its row of
 *   the transposed weight (nOut contiguous values, four per vector) into the row accumulator;
 * - weight gradient: dWᵀ[i] += X[r, i]·dY[r] for each non-zero X[r, i], and dB += dY[r].
 * Inputs are scanned four at a time (`v128.any_true` skips four zeros at once). Rows go through in
 * chunks (memory sized once per geometry); weight- and bias-gradient sums are f32 within a chunk
 * and double precision across chunks. The transposed weight is built per call, so the caller uses
 * these kernels when a call has enough rows to repay that (the whole-window calls).
 */
import { instantiate } from "../../sim/wasm/instance.js";
import { streamRows } from "./stream.js";
import type { Buf, DenseGeom } from "./types.js";

/** Bytes of the per-chunk buffers a chunk of rows aims at. */
const CHUNK_BYTES = 1 << 19;

/** A built sparse-affine kernel for one geometry. */
export interface WasmAffineSparse {
  forward(W: Float32Array, bias: Buf | null, X: Float32Array, rows: number, Y: Float32Array): void;
  weightGrad(X: Float32Array, dY: Float32Array, rows: number, dW: Buf, dB: Buf | null): void;
}

const cache = new Map<string, WasmAffineSparse>();

/** The kernels of a geometry (generated and instantiated once, then reused). */
export function affineSparse(g: DenseGeom): WasmAffineSparse {
  const key = `${g.nIn},${g.nOut}`;
  let k = cache.get(key);
  if (!k) cache.set(key, (k = build(g)));
  return k;
}

function build(g: DenseGeom): WasmAffineSparse {
  const { nIn, nOut } = g;
  const nop = Math.ceil(nOut / 4) * 4;
  const R = Math.max(1, Math.floor(CHUNK_BYTES / (4 * (nIn + nOut))));
  const bytes = 4 * (2 * nIn * nop + 3 * nop) + 4 * R * (nIn + nOut) + 16 * 8;
  let wt!: Float32Array, dwt!: Float32Array, bias!: Float32Array, db!: Float32Array, xIn!: Float32Array, yBuf!: Float32Array;
  const dwTotal = new Float64Array(nIn * nop), dbTotal = new Float64Array(nop);
  const ex = instantiate<{ fwd(n: number): void; dw(n: number): void }>(bytes, (heap) => {
    const A = { wt: heap.alloc(4 * nIn * nop), dwt: heap.alloc(4 * nIn * nop), bias: heap.alloc(4 * nop), db: heap.alloc(4 * nop), acc: heap.alloc(4 * nop), x: heap.alloc(4 * R * nIn + 16), y: heap.alloc(4 * R * nOut + 16) };
    wt = new Float32Array(heap.buffer, A.wt, nIn * nop);
    dwt = new Float32Array(heap.buffer, A.dwt, nIn * nop);
    bias = new Float32Array(heap.buffer, A.bias, nop);
    db = new Float32Array(heap.buffer, A.db, nop);
    xIn = new Float32Array(heap.buffer, A.x, R * nIn);
    yBuf = new Float32Array(heap.buffer, A.y, R * nOut);
    return `(module (memory (import "env" "mem") $PAGES) ${rowFunc(g, nop, A, "fwd")} ${rowFunc(g, nop, A, "dw")})`;
  });
  return {
    forward(W, b, X, rows, Y) {
      for (let o = 0; o < nOut; o++) {
        for (let i = 0; i < nIn; i++) wt[i * nop + o] = W[o * nIn + i];
        bias[o] = b ? b[o] : 0;
      }
      streamRows(rows, R, [{ from: X, to: xIn, width: nIn }], ex.fwd, [{ from: yBuf, to: Y, width: nOut }]);
    },
    weightGrad(X, dY, rows, dW, dB) {
      dwTotal.fill(0);
      dbTotal.fill(0);
      streamRows(rows, R, [{ from: X, to: xIn, width: nIn }, { from: dY, to: yBuf, width: nOut }], (n) => {
        dwt.fill(0);
        db.fill(0);
        ex.dw(n);
        for (let i = 0; i < dwt.length; i++) dwTotal[i] += dwt[i];
        for (let o = 0; o < nOut; o++) dbTotal[o] += db[o];
      });
      for (let o = 0; o < nOut; o++) for (let i = 0; i < nIn; i++) dW[o * nIn + i] += dwTotal[i * nop + o];
      if (dB) for (let o = 0; o < nOut; o++) dB[o] += dbTotal[o];
    },
  };
}

/** `fwd(n)` or `dw(n)` over n rows of the chunk (see the file comment). */
function rowFunc(g: DenseGeom, nop: number, A: Record<"wt" | "dwt" | "bias" | "db" | "acc" | "x" | "y", number>, kind: "fwd" | "dw"): string {
  const { nIn, nOut } = g;
  const vecs = Array.from({ length: nop / 4 }, (_, j) => 16 * j);
  const event = kind === "fwd"
    ? vecs.map((o) => `(v128.store offset=${A.acc + o} (i32.const 0) (f32x4.add (v128.load offset=${A.acc + o} (i32.const 0)) (f32x4.mul (local.get $xs) (v128.load offset=${o} (local.get $wo)))))`)
    : vecs.map((o) => `(v128.store offset=${o} (local.get $wo) (f32x4.add (v128.load offset=${o} (local.get $wo)) (f32x4.mul (local.get $xs) (v128.load offset=${o} (local.get $yp)))))`);
  const before = kind === "fwd"
    ? vecs.map((o) => `(v128.store offset=${A.acc + o} (i32.const 0) (v128.load offset=${A.bias + o} (i32.const 0)))`).join(" ")
    : vecs.map((o) => `(v128.store offset=${A.db + o} (i32.const 0) (f32x4.add (v128.load offset=${A.db + o} (i32.const 0)) (v128.load offset=${o} (local.get $yp))))`).join(" ");
  // fwd: the row's outputs, whole vectors then the last lanes (nothing past the row)
  const after: string[] = [];
  if (kind === "fwd") {
    for (let o = 0; o < nOut; o += 4) {
      if (o + 4 <= nOut) after.push(`(v128.store offset=${4 * o} (local.get $yp) (v128.load offset=${A.acc + 4 * o} (i32.const 0)))`);
      else for (let l = o; l < nOut; l++) after.push(`(f32.store offset=${4 * l} (local.get $yp) (f32.load offset=${A.acc + 4 * l} (i32.const 0)))`);
    }
  }
  const vec4 = Math.floor(nIn / 4);
  return `(func $${kind} (export "${kind}") (param $n i32) (local $r i32) (local $p i32) (local $pEnd i32) (local $xp i32) (local $yp i32) (local $wo i32) (local $x f32) (local $xs v128)
    (local.set $xp (i32.const ${A.x}))
    (local.set $yp (i32.const ${A.y}))
    (local.set $r (i32.const 0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
      ${before}
      (local.set $p (i32.const 0))
      (block $scanned (loop $scan
        (br_if $scanned (i32.ge_u (local.get $p) (i32.const ${nIn})))
        (if (i32.or (i32.ge_u (local.get $p) (i32.const ${4 * vec4})) (v128.any_true (v128.load (local.get $xp))))
          (then
            (local.set $pEnd (i32.add (local.get $p) (i32.const 4)))
            (if (i32.gt_u (local.get $pEnd) (i32.const ${nIn})) (then (local.set $pEnd (i32.const ${nIn}))))
            (loop $lanes
              (local.set $x (f32.load (local.get $xp)))
              (if (f32.ne (local.get $x) (f32.const 0)) (then
                (local.set $xs (f32x4.splat (local.get $x)))
                (local.set $wo (i32.add (i32.const ${kind === "fwd" ? A.wt : A.dwt}) (i32.mul (local.get $p) (i32.const ${4 * nop}))))
                ${event.join("\n                ")}))
              (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br_if $lanes (i32.lt_u (local.get $p) (local.get $pEnd)))))
          (else
            (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))))
        (br $scan)))
      ${after.join(" ")}
      (local.set $yp (i32.add (local.get $yp) (i32.const ${4 * nOut})))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))`;
}
