/**
 * The WebAssembly layer of the simulator: the WAT assembler (src/sim/wasm/assemble.ts) runs
 * what it assembles with the arithmetic the text says, and the dense-input non-zero index lists
 * exactly the entries `x !== 0` selects (−0 excluded, NaN included) for both float types and
 * sizes that do and do not fill its 64-byte blocks or its chunks.
 */
import { describe, expect, it } from "vitest";
import { assemble } from "../../src/sim/wasm/assemble.js";
import { instantiate, wasmSimd } from "../../src/sim/wasm/instance.js";
import { nonZeroIndex } from "../../src/sim/ops/input-scan.js";
import { rng } from "../support/index.js";


describe("wasm assembler", () => {
  it("this engine runs WebAssembly SIMD (Node ≥ 16.4)", () => {
    expect(wasmSimd).toBe(true);
  });

  it("assembles a loop of f64x2 multiply-adds that computes y += a·x pairwise, as JavaScript does", () => {
    const n = 10;
    let X!: Float64Array, Y!: Float64Array;
    const ex = instantiate<{ axpy: (a: number, n2: number) => void }>(1024, (heap) => {
      const x = heap.f64(n), y = heap.f64(n);
      X = x.view;
      Y = y.view;
      return `(module (memory (import "env" "mem") $PAGES)
        (func (export "axpy") (param $a f64) (param $pairs i32) (local $i i32) (local $av v128)
          (local.set $av (f64x2.splat (local.get $a)))
          (block $done (loop $next
            (br_if $done (i32.ge_u (local.get $i) (i32.mul (local.get $pairs) (i32.const 16))))
            (v128.store offset=${y.at} (local.get $i)
              (f64x2.add (v128.load offset=${y.at} (local.get $i)) (f64x2.mul (local.get $av) (v128.load offset=${x.at} (local.get $i)))))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $next)))))`;
    });
    const r = rng(5);
    const x = Float64Array.from({ length: n }, () => r() - 0.5);
    const y = Float64Array.from({ length: n }, () => r() * 3);
    X.set(x);
    Y.set(y);
    ex.axpy(0.3, n / 2);
    expect(Array.from(Y)).toEqual(Array.from(y, (q, k) => q + 0.3 * x[k]));
  });

  it("encodes negative constants, nested blocks and labels by depth (a branchy integer function)", () => {
    const bytes = assemble(`(module (func (export "f") (param $x i32) (result i32)
      (block $out (result i32)
        (if (i32.lt_s (local.get $x) (i32.const -100000)) (then (br $out (i32.const -1))))
        (block $inner (br_if $inner (i32.eqz (local.get $x))) (br $out (i32.mul (local.get $x) (i32.const 3))))
        (i32.const 77))))`);
    const WA = (globalThis as unknown as { WebAssembly: { Instance: new (m: object) => { exports: { f: (x: number) => number } }; Module: new (b: Uint8Array) => object } }).WebAssembly;
    const f = new WA.Instance(new WA.Module(bytes)).exports.f;
    expect([f(-200000), f(0), f(5), f(-7)]).toEqual([-1, 77, 15, -21]);
  });

  it("refuses an instruction it does not know, naming it", () => {
    expect(() => assemble(`(module (func (export "f") (i32.popcnt (i32.const 1))))`)).toThrow(/i32\.popcnt/);
  });
});

describe("non-zero index of a dense input", () => {
  // sizes below and above the wasm threshold (4096 values), and across its 16384-value chunks
  for (const [n, rows] of [[12, 5], [17, 70], [2312, 31], [100, 1], [1000, 70]] as const) {
    for (const T of [Float32Array, Float64Array]) {
      it(`${T.name}, ${rows} rows of ${n}: lists per row the columns with x !== 0 in order (−0 not, NaN yes, first NaN reported)`, () => {
        const r = rng(n * rows);
        const data = new T(n * rows);
        for (let k = 0; k < data.length; k++) {
          const u = r();
          data[k] = u < 0.05 ? 1 + Math.floor(r() * 3) : u < 0.07 ? -0 : u < 0.075 ? NaN : u < 0.1 ? -2.5 : 0;
        }
        const nz = nonZeroIndex(data, n, rows);
        let firstNaN = -1;
        for (let row = 0; row < rows; row++) {
          const want: number[] = [];
          for (let i = 0; i < n; i++) {
            const v = data[row * n + i];
            if (v !== 0) want.push(i);
            if (firstNaN < 0 && Number.isNaN(v)) firstNaN = row * n + i;
          }
          expect(Array.from(nz.idx.subarray(nz.start[row], nz.start[row + 1]))).toEqual(want);
          expect(Array.from(nz.val.subarray(nz.start[row], nz.start[row + 1]))).toEqual(want.map((i) => data[row * n + i]));
        }
        expect(nz.nanAt).toBe(firstNaN);
      });
    }
  }
  // dense rows: scanned blocks with most or all of their lanes non-zero
  for (const T of [Float32Array, Float64Array]) {
    it(`${T.name}, 300 rows of 2312, all but every 7th value non-zero: every non-zero listed, in order`, () => {
      const n = 2312, rows = 300;
      const data = new T(n * rows).map((_, k) => (k % 7 ? (k % 5) + 0.5 : 0));
      const nz = nonZeroIndex(data, n, rows);
      const want = [...Array(n * rows).keys()].filter((k) => k % 7);
      expect(nz.start[rows]).toBe(want.length);
      expect(Array.from(nz.idx)).toEqual(want.map((k) => k % n));
      expect(Array.from(nz.val)).toEqual(want.map((k) => (k % 5) + 0.5));
    });
  }
});
