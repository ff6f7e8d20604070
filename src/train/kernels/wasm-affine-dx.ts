/**
 * The input gradient of an affine layer as generated f32x4 WebAssembly: dX[r, i] = Σ_o W[o, i]·dY[r, o],
 * a (rows × nOut)·(nOut × nIn) product. Four rows and eight inputs (two vectors) are computed
 * together in locals: per output o, two vectors of W's row o and four splatted dY[r, o] make
 * sixteen products, summed in f32 in ascending o. W's rows are padded with zeros to a multiple of
 * eight inputs; rows go through in chunks (a multiple of four) whose buffers stay near the cache,
 * so the memory is sized once per geometry.
 */
import { instantiate } from "../../sim/wasm/instance.js";
import type { DenseGeom } from "./types.js";

/** Bytes of the per-chunk buffers a chunk of rows aims at. */
const CHUNK_BYTES = 1 << 19;

/** A built affine dX kernel for one geometry. */
export interface WasmAffineDx {
  /** dX (rows·nIn) = dY (rows·nOut) · W (nOut·nIn). */
  run(W: Float32Array, dY: Float32Array, rows: number, dX: Float32Array): void;
}

const cache = new Map<string, WasmAffineDx>();

/** The kernel of a geometry (generated and instantiated once, then reused). */
export function affineDx(g: DenseGeom): WasmAffineDx {
  const key = `${g.nIn},${g.nOut}`;
  let k = cache.get(key);
  if (!k) cache.set(key, (k = buildAffineDx(g)));
  return k;
}

function buildAffineDx(g: DenseGeom): WasmAffineDx {
  const { nIn, nOut } = g;
  const nip = Math.ceil(nIn / 8) * 8;
  const R = Math.max(4, Math.floor(CHUNK_BYTES / (4 * (nOut + nip)) / 4) * 4);
  const bytes = 4 * nOut * nip + 4 * R * (nOut + nip) + 64;
  let wp!: Float32Array, dyIn!: Float32Array, dxOut!: Float32Array;
  const ex = instantiate<{ dx(n: number): void }>(bytes, (heap) => {
    const wAt = heap.alloc(4 * nOut * nip), yAt = heap.alloc(4 * R * nOut), xAt = heap.alloc(4 * R * nip);
    wp = new Float32Array(heap.buffer, wAt, nOut * nip);
    dyIn = new Float32Array(heap.buffer, yAt, R * nOut);
    dxOut = new Float32Array(heap.buffer, xAt, R * nip);
    const acc = [0, 1, 2, 3].flatMap((q) => [`$a${q}0`, `$a${q}1`]);
    const products = [0, 1, 2, 3].map((q) => `
            (local.set $d (v128.load32_splat offset=${4 * q * nOut} (local.get $py)))
            (local.set $a${q}0 (f32x4.add (local.get $a${q}0) (f32x4.mul (local.get $d) (local.get $w0))))
            (local.set $a${q}1 (f32x4.add (local.get $a${q}1) (f32x4.mul (local.get $d) (local.get $w1))))`).join("");
    const stores = [0, 1, 2, 3].map((q) => `(v128.store offset=${4 * q * nip} (local.get $px) (local.get $a${q}0)) (v128.store offset=${4 * q * nip + 16} (local.get $px) (local.get $a${q}1))`).join(" ");
    return `(module (memory (import "env" "mem") $PAGES)
      (func $dx (export "dx") (param $n i32) (local $r i32) (local $i i32) (local $o i32) (local $pw i32) (local $py i32) (local $px i32)
        (local $w0 v128) (local $w1 v128) (local $d v128) ${acc.map((a) => `(local ${a} v128)`).join(" ")}
        (local.set $r (i32.const 0))
        (block $done (loop $rows
          (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
          (local.set $i (i32.const 0))
          (loop $cols
            ${acc.map((a) => `(local.set ${a} (f32x4.splat (f32.const 0)))`).join(" ")}
            (local.set $pw (i32.add (i32.const ${wAt}) (i32.shl (local.get $i) (i32.const 2))))
            (local.set $py (i32.add (i32.const ${yAt}) (i32.mul (local.get $r) (i32.const ${4 * nOut}))))
            (local.set $o (i32.const 0))
            (loop $outs
              (local.set $w0 (v128.load (local.get $pw)))
              (local.set $w1 (v128.load offset=16 (local.get $pw)))
              ${products}
              (local.set $pw (i32.add (local.get $pw) (i32.const ${4 * nip})))
              (local.set $py (i32.add (local.get $py) (i32.const 4)))
              (local.set $o (i32.add (local.get $o) (i32.const 1)))
              (br_if $outs (i32.lt_u (local.get $o) (i32.const ${nOut}))))
            (local.set $px (i32.add (i32.const ${xAt}) (i32.shl (i32.add (i32.mul (local.get $r) (i32.const ${nip})) (local.get $i)) (i32.const 2))))
            ${stores}
            (local.set $i (i32.add (local.get $i) (i32.const 8)))
            (br_if $cols (i32.lt_u (local.get $i) (i32.const ${nip}))))
          (local.set $r (i32.add (local.get $r) (i32.const 4)))
          (br $rows)))))`;
  });
  return {
    run(W, dY, rows, dX) {
      for (let o = 0; o < nOut; o++) wp.set(W.subarray(o * nIn, (o + 1) * nIn), o * nip);
      for (let r0 = 0; r0 < rows; r0 += R) {
        const n = Math.min(R, rows - r0);
        dyIn.set(dY.subarray(r0 * nOut, (r0 + n) * nOut));
        ex.dx(n);
        if (nip === nIn) dX.set(dxOut.subarray(0, n * nIn), r0 * nIn);
        else for (let r = 0; r < n; r++) dX.set(dxOut.subarray(r * nip, r * nip + nIn), (r0 + r) * nIn);
      }
    },
  };
}
