/**
 * Shared pieces of the wasm chain's generated code (chain-wasm.ts): the layer type, literal
 * formatting, sizes, where a layer reads and writes, the prologue every layer function starts
 * with, spike listing, and the locals every layer function declares.
 */
import type { ConvGeometry } from "../graph.js";
import type { IFRule } from "./chain-if.js";
import { watLiteral } from "./contract.js";
import type { ConvIFRows } from "./conv-if.js";
import type { AffineParams } from "./linear.js";

/**
 * One layer of a chain (IF constants: gain g0, threshold th0, reset vr0, uniform over the layer;
 * `rule`: the profile's IF update when it is not the lazy one, see chain-if.ts).
 */
export type ChainLayer =
  | { kind: "convIF"; g: ConvGeometry; rows: ConvIFRows; g0: number; th0: number; vr0: number; rule?: IFRule }
  | { kind: "pool"; isz: number; osz: number; rowStart: Int32Array; rowOut: Int32Array; scale: number }
  | { kind: "affineIF"; p: AffineParams; g0: number; th0: number; vr0: number; rule?: IFRule };

/** True for an IF layer whose rule is not the lazy one (chain-if.ts). */
export const ruled = (l: ChainLayer): boolean => l.kind !== "pool" && !!l.rule && l.rule.kind !== "lazy";

/** A number as a WAT literal (contract.ts). */
export const f = watLiteral;
/** 0 … n − 1. */
export const range = (n: number): number[] => Array.from({ length: n }, (_, j) => j);
/** Values per step a layer reads. */
export const inSize = (l: ChainLayer): number => (l.kind === "convIF" ? l.g.cin * l.g.h * l.g.w : l.kind === "pool" ? l.isz : l.p.nin);
/** Values per step a layer writes. */
export const outSize = (l: ChainLayer): number => (l.kind === "convIF" ? l.g.cout * l.g.oh * l.g.ow : l.kind === "pool" ? l.osz : l.p.nout);

/** Where a layer reads its input and writes its output (byte addresses). */
export interface IO {
  inList: number;
  inVal: number;
  inCount: number;
  outList: number;
  outVal: number;
  outCount: number;
}

/** Clears the previous step's listed output values, then reads the input count into $na. */
export function prologue(io: IO): string {
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

/** Appends spike k (in $k) with the count in $sv (f64) to the output. */
export function emitCount(io: IO): string {
  return `
          (i32.store offset=${io.outList} (i32.shl (local.get $m) (i32.const 2)) (local.get $k))
          (f64.store offset=${io.outVal} (i32.shl (local.get $k) (i32.const 3)) (local.get $sv))
          (local.set $m (i32.add (local.get $m) (i32.const 1)))`;
}

/** Appends spike k (in $k) to the output: list entry and value 1. */
export function emitSpike(io: IO): string {
  return `
          (i32.store offset=${io.outList} (i32.shl (local.get $m) (i32.const 2)) (local.get $k))
          (f64.store offset=${io.outVal} (i32.shl (local.get $k) (i32.const 3)) (f64.const 1))
          (local.set $m (i32.add (local.get $m) (i32.const 1)))`;
}

/** The locals every layer function declares (one list for all kinds keeps the generators simple). */
export const LOCALS = `(local $na i32) (local $n i32) (local $m i32) (local $q i32) (local $e i32) (local $idx i32) (local $k i32)
    (local $r i32) (local $r1 i32) (local $fo i32) (local $o i32) (local $w i32) (local $p i32) (local $word i32) (local $po i32) (local $co i32)
    (local $yb i32) (local $vb i32) (local $bits i32) (local $c i32) (local $j i32) (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32)
    (local $xv f64) (local $val f64) (local $vs f64)
    (local $xs v128) (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $yv v128) (local $nz v128) (local $vo v128)
    (local $vn v128) (local $sp v128) (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128) (local $s5 v128) (local $s6 v128) (local $s7 v128) (local $zero v128) (local $g v128) (local $th v128) (local $vr v128) (local $one v128)`;

/** Counts a step run with direct sums in the layer's `directSteps` entry (byte address A.dc). */
export const countDirect = (A: Record<string, number>): string => `(i32.store offset=${A.dc} (i32.const 0) (i32.add (i32.load offset=${A.dc} (i32.const 0)) (i32.const 1)))`;

/** Zeroes `bytes` bytes (a multiple of 8) from byte address `at`. */
export function zeroBytes(at: number, bytes: number): string {
  return `
    (local.set $q (i32.const 0))
    (block $dz (loop $lz
      (br_if $dz (i32.ge_u (local.get $q) (i32.const ${bytes})))
      (f64.store offset=${at} (local.get $q) (f64.const 0))
      (local.set $q (i32.add (local.get $q) (i32.const 8)))
      (br $lz)))`;
}

/**
 * The touched positions of a conv→IF layer in ascending order: walks the set bits of the bitmap at
 * byte `tb` (`nv` v128 words), clearing each 32-bit word as it is read. For each set bit `$po` is the
 * position and `$yb` the address of its `cout` f64 input sums in the buffer at byte `y`; then `body`
 * runs. `$q` must be 0 on entry; uses the locals $q, $word, $po, $yb.
 */
export function touchedPositions(tb: number, nv: number, y: number, cout: number, body: string): string {
  return `
    (block $df (loop $lf
      (br_if $df (i32.ge_u (local.get $q) (i32.const ${4 * nv})))
      (local.set $word (i32.load offset=${tb} (i32.shl (local.get $q) (i32.const 2))))
      (if (local.get $word) (then
        (i32.store offset=${tb} (i32.shl (local.get $q) (i32.const 2)) (i32.const 0))
        (block $dbit (loop $lbit
          (local.set $po (i32.add (i32.shl (local.get $q) (i32.const 5)) (i32.ctz (local.get $word))))
          (local.set $word (i32.and (local.get $word) (i32.sub (local.get $word) (i32.const 1))))
          (local.set $yb (i32.add (i32.const ${y}) (i32.mul (local.get $po) (i32.const ${8 * cout}))))${body}
          (br_if $lbit (local.get $word))))))
      (local.set $q (i32.add (local.get $q) (i32.const 1)))
      (br $lf)))`;
}
