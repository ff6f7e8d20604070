/**
 * Listing the non-zero entries of one dense input step (event-camera frames are ~99% zeros):
 * the step is copied into a small WebAssembly memory and scanned 64 bytes at a time with SIMD
 * compares, so the zeros cost a fraction of a nanosecond each. `x ≠ 0` is the test, as in the
 * JavaScript loop: −0 is not listed, NaN is (the caller reports it).
 */
import { instantiate, wasmSimd } from "../wasm/instance.js";

/** Scanner of steps of `n` values: `scan(data, offset)` lists the non-zeros of data[offset … offset+n) in `idx`, ascending. */
export interface InputScanner {
  idx: Int32Array;
  scan(data: Float32Array | Float64Array, offset: number): number;
}

/** Builds a scanner for steps of n values, or null without WebAssembly SIMD. */
export function inputScanner(n: number): InputScanner | null {
  if (!wasmSimd || n < 1) return null;
  let in32!: Float32Array, in64!: Float64Array, idx!: Int32Array;
  const ex = instantiate<{ f32: (n: number) => number; f64: (n: number) => number }>(12 * n + 256, (heap) => {
    const IN = heap.f64(n + 8), IDX = heap.i32(n);
    in64 = IN.view;
    in32 = new Float32Array(heap.buffer, IN.at, n);
    idx = IDX.view;
    // one scan function per element type: `w` bytes per value, `l` lanes per v128
    const fn = (name: string, w: number, cmp: string, ne: string, load: string): string => `
  (func (export "${name}") (param $n i32) (result i32)
    (local $i i32) (local $m i32) (local $end i32) (local $k i32) (local $z v128)
    (local.set $end (i32.and (local.get $n) (i32.const ${-64 / w})))
    (block $dv (loop $lv
      (br_if $dv (i32.ge_u (local.get $i) (local.get $end)))
      (if (v128.any_true (v128.or
            (v128.or (${cmp} (v128.load offset=${IN.at} (i32.mul (local.get $i) (i32.const ${w}))) (local.get $z))
                     (${cmp} (v128.load offset=${IN.at + 16} (i32.mul (local.get $i) (i32.const ${w}))) (local.get $z)))
            (v128.or (${cmp} (v128.load offset=${IN.at + 32} (i32.mul (local.get $i) (i32.const ${w}))) (local.get $z))
                     (${cmp} (v128.load offset=${IN.at + 48} (i32.mul (local.get $i) (i32.const ${w}))) (local.get $z)))))
        (then
          (local.set $k (local.get $i))
          (block $dk (loop $lk
            (br_if $dk (i32.ge_u (local.get $k) (i32.add (local.get $i) (i32.const ${64 / w}))))
            (if (${ne} (${load} offset=${IN.at} (i32.mul (local.get $k) (i32.const ${w}))) (${load === "f32.load" ? "f32.const" : "f64.const"} 0)) (then
              (i32.store offset=${IDX.at} (i32.shl (local.get $m) (i32.const 2)) (local.get $k))
              (local.set $m (i32.add (local.get $m) (i32.const 1)))))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $lk)))))
      (local.set $i (i32.add (local.get $i) (i32.const ${64 / w})))
      (br $lv)))
    (block $dt (loop $lt
      (br_if $dt (i32.ge_u (local.get $i) (local.get $n)))
      (if (${ne} (${load} offset=${IN.at} (i32.mul (local.get $i) (i32.const ${w}))) (${load === "f32.load" ? "f32.const" : "f64.const"} 0)) (then
        (i32.store offset=${IDX.at} (i32.shl (local.get $m) (i32.const 2)) (local.get $i))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $lt)))
    (local.get $m))`;
    return `(module (memory (import "env" "mem") $PAGES)${fn("f32", 4, "f32x4.ne", "f32.ne", "f32.load")}${fn("f64", 8, "f64x2.ne", "f64.ne", "f64.load")})`;
  });
  return {
    idx,
    scan(data, offset) {
      if (data instanceof Float32Array) {
        in32.set(data.subarray(offset, offset + n));
        return ex.f32(n);
      }
      in64.set(data.subarray(offset, offset + n));
      return ex.f64(n);
    },
  };
}
