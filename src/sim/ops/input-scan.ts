/**
 * The non-zero entries of a dense input, listed once per run before the time loop (event-camera
 * frames are ~99% zeros): per row (one step of one item, `n` values) the column indices with
 * x ≠ 0, ascending, as a compressed row index. Large float32/float64 inputs are scanned by a
 * WebAssembly SIMD scanner 64 bytes per compare, in chunks copied into its memory; small or
 * other inputs by a plain loop. `x ≠ 0` is the test, as in the kernels: −0 is not listed, NaN
 * is (and reported by its flat index, so the run can refuse the input before it starts).
 */
import { instantiate, wasmSimd } from "../wasm/instance.js";

/** Non-zeros of `rows` rows of `n` values: row r's columns are idx[start[r] … start[r+1]), their values val[…]. */
export interface NonZeroIndex {
  start: Int32Array;
  idx: Int32Array;
  val: Float64Array;
  /** Flat index of the first NaN, or −1. */
  nanAt: number;
}

/** Float inputs of at least this many values are scanned in wasm (fewer: a plain loop is as fast). */
const SCAN_FROM = 256;

/** Values per chunk the wasm scanner takes at once (a multiple of 16). */
const CHUNK = 16384;

interface Scanner {
  in32: Float32Array;
  in64: Float64Array;
  found: Int32Array;
  f32(n: number): number;
  f64(n: number): number;
}

let scanner: Scanner | null | undefined;

/** The shared scanner (one per thread), or null without WebAssembly SIMD. */
function getScanner(): Scanner | null {
  if (scanner !== undefined) return scanner;
  if (!wasmSimd) return (scanner = null);
  let in32!: Float32Array, in64!: Float64Array, found!: Int32Array;
  const ex = instantiate<{ f32: (n: number) => number; f64: (n: number) => number }>(12 * CHUNK + 256, (heap) => {
    const IN = heap.f64(CHUNK), IDX = heap.i32(CHUNK);
    in64 = IN.view;
    in32 = new Float32Array(heap.buffer, IN.at, CHUNK);
    found = IDX.view;
    // one function per element type of w bytes: 64-byte blocks with no non-zero are skipped
    // by four SIMD compares; in a block with one, the compare masks narrow (signed saturation keeps
    // −1) to one byte per 4-byte lane, whose bit mask lists the non-zeros (a float64 sets two bits:
    // the odd ones are dropped); the tail is tested value by value
    const fn = (name: string, w: number, cmp: string, ne: string, load: string, zero: string): string => {
      const test = (at: string): string => `
            (if (${ne} (${load} offset=${IN.at} (i32.mul (local.get ${at}) (i32.const ${w}))) (${zero} 0)) (then
              (i32.store offset=${IDX.at} (i32.shl (local.get $m) (i32.const 2)) (local.get ${at}))
              (local.set $m (i32.add (local.get $m) (i32.const 1)))))`;
      const block = (k: number): string => `(${cmp} (v128.load offset=${IN.at + 16 * k} (i32.mul (local.get $i) (i32.const ${w}))) (local.get $z))`;
      return `
  (func $scan_${name} (export "${name}") (param $n i32) (result i32)
    (local $i i32) (local $m i32) (local $end i32) (local $bits i32) (local $z v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local.set $end (i32.and (local.get $n) (i32.const ${-64 / w})))
    (block $dv (loop $lv
      (br_if $dv (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $c0 ${block(0)})
      (local.set $c1 ${block(1)})
      (local.set $c2 ${block(2)})
      (local.set $c3 ${block(3)})
      (if (v128.any_true (v128.or (v128.or (local.get $c0) (local.get $c1)) (v128.or (local.get $c2) (local.get $c3)))) (then
        (local.set $bits (i8x16.bitmask (i8x16.narrow_i16x8_s (i16x8.narrow_i32x4_s (local.get $c0) (local.get $c1)) (i16x8.narrow_i32x4_s (local.get $c2) (local.get $c3)))))${w === 8 ? `
        (local.set $bits (i32.and (local.get $bits) (i32.const 0x5555)))` : ""}
        (loop $lk
          (i32.store offset=${IDX.at} (i32.shl (local.get $m) (i32.const 2)) (i32.add (local.get $i) (i32.shr_u (i32.ctz (local.get $bits)) (i32.const ${w === 8 ? 1 : 0}))))
          (local.set $m (i32.add (local.get $m) (i32.const 1)))
          (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
          (br_if $lk (local.get $bits)))))
      (local.set $i (i32.add (local.get $i) (i32.const ${64 / w})))
      (br $lv)))
    (block $dt (loop $lt
      (br_if $dt (i32.ge_u (local.get $i) (local.get $n)))
      ${test("$i")}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $lt)))
    (local.get $m))`;
    };
    return `(module (memory (import "env" "mem") $PAGES)${fn("f32", 4, "f32x4.ne", "f32.ne", "f32.load", "f32.const")}${fn("f64", 8, "f64x2.ne", "f64.ne", "f64.load", "f64.const")})`;
  }, "input-scan");
  return (scanner = { in32, in64, found, f32: ex.f32, f64: ex.f64 });
}

/**
 * Lists the non-zeros of data[0 … rows·n) row by row (see the file comment). Allocates the
 * index once; the time loop then touches only the listed entries.
 */
export function nonZeroIndex(data: ArrayLike<number>, n: number, rows: number): NonZeroIndex {
  const total = n * rows;
  const sc = total >= SCAN_FROM && (data instanceof Float32Array || data instanceof Float64Array) ? getScanner() : null;
  const flat = sc ? scanFlat(sc, data as Float32Array | Float64Array, total) : data instanceof Float32Array ? loop32(data, total) : data instanceof Float64Array ? loop64(data, total) : loopAny(data, total);
  const nnz = flat.length;
  const start = new Int32Array(rows + 1);
  const idx = new Int32Array(nnz);
  const val = new Float64Array(nnz);
  let nanAt = -1;
  let r = 0;
  for (let k = 0; k < nnz; k++) {
    const p = flat[k];
    const row = (p / n) | 0;
    while (r < row) start[++r] = k;
    idx[k] = p - row * n;
    const v = data[p];
    if (nanAt < 0 && v !== v) nanAt = p;
    val[k] = v;
  }
  while (r < rows) start[++r] = nnz;
  return { start, idx, val, nanAt };
}

// one plain loop per element type (each stays monomorphic): flat positions of the non-zeros
function loop32(data: Float32Array, total: number): Int32Array {
  const buf = new Int32Array(total);
  let m = 0;
  for (let p = 0; p < total; p++) if (data[p] !== 0) buf[m++] = p;
  return buf.subarray(0, m);
}
function loop64(data: Float64Array, total: number): Int32Array {
  const buf = new Int32Array(total);
  let m = 0;
  for (let p = 0; p < total; p++) if (data[p] !== 0) buf[m++] = p;
  return buf.subarray(0, m);
}
function loopAny(data: ArrayLike<number>, total: number): Int32Array {
  const buf = new Int32Array(total);
  let m = 0;
  for (let p = 0; p < total; p++) if (data[p] !== 0) buf[m++] = p;
  return buf.subarray(0, m);
}

/** Flat index of the first NaN in data[0 … total), or −1 (for inputs small enough to scan per step). */
export function firstNaN(data: ArrayLike<number>, total: number): number {
  if (data instanceof Float32Array) return nan32(data, total);
  if (data instanceof Float64Array) return nan64(data, total);
  for (let p = 0; p < total; p++) if (data[p] !== data[p]) return p;
  return -1;
}
function nan32(data: Float32Array, total: number): number {
  for (let p = 0; p < total; p++) if (data[p] !== data[p]) return p;
  return -1;
}
function nan64(data: Float64Array, total: number): number {
  for (let p = 0; p < total; p++) if (data[p] !== data[p]) return p;
  return -1;
}

/** Flat positions of the non-zeros of a large float input, scanned chunk by chunk in wasm. */
function scanFlat(sc: Scanner, data: Float32Array | Float64Array, total: number): Int32Array {
  const f32 = data instanceof Float32Array;
  let flat = new Int32Array(Math.max(1024, total >> 6));
  let nnz = 0;
  for (let c0 = 0; c0 < total; c0 += CHUNK) {
    const len = Math.min(CHUNK, total - c0);
    let m: number;
    if (f32) {
      sc.in32.set((data as Float32Array).subarray(c0, c0 + len));
      m = sc.f32(len);
    } else {
      sc.in64.set((data as Float64Array).subarray(c0, c0 + len));
      m = sc.f64(len);
    }
    if (nnz + m > flat.length) {
      const grown = new Int32Array(Math.min(total, Math.max(2 * flat.length, nnz + m)));
      grown.set(flat.subarray(0, nnz));
      flat = grown;
    }
    const found = sc.found;
    for (let k = 0; k < m; k++) flat[nnz++] = c0 + found[k];
  }
  return flat.subarray(0, nnz);
}
