/**
 * The forward and backward loops of a spiking neuron layer whose neurons share their coefficients
 * (the usual IF/LIF layer: av, bv, cv, θ, v_reset scalars; detached reset), as generated
 * WebAssembly. Per neuron and row, forward: v' = av·v + bv·x + cv, z = H(v' − θ), v ← v' − z·θ
 * (subtract) or (1 − z)·v' + z·v_reset (zero); backward: d = v' − θ,
 * dv' = (dv or [d ≤ 0]·dv) + dz·sg(d), dv ← av·dv', dx = bv·dv'.
 * The buffers are f32 and the arithmetic is f64x2 in the order of the JavaScript loops
 * (ops/neuron.ts, which compute in double and round on store), so both give the same bits.
 * The layer's carried state v, dv and the stored v' per row live in the kernel's memory (the op
 * reads them as views), and so do whole-window buffers for x, y, dy and dx that the op offers the
 * network: a pass over buffers that are these views runs in place; any other buffer passes through
 * the memory in chunks of rows that stay in cache.
 */
import { instantiate } from "../../sim/wasm/instance.js";
import type { Surrogate } from "../surrogate.js";

/** Bytes of one chunk buffer (input or output rows). */
const CHUNK_BYTES = 1 << 16;

/** What fixes a layer's generated code: size, shared coefficients, reset and surrogate. */
export interface UniformNeuronSpec {
  n: number;
  av: number; bv: number; cv: number; theta: number; vreset: number;
  subtract: boolean;
  surrogate: Surrogate;
}

/** A built kernel with room for `rows` rows of `B` items at most. */
export interface WasmNeuron {
  rows: number;
  B: number;
  /** Carried v and dv per (item, neuron), and v' per (row, neuron): views over the kernel memory. */
  v: Float32Array; dv: Float32Array; vPre: Float32Array;
  /** Whole-window (rows·n) buffers in the kernel memory that passes read and write in place. */
  x: Float32Array; y: Float32Array; dy: Float32Array; dx: Float32Array;
  /** Rows [r0, r1) forward: y from x (both whole-window buffers), v' stored, v carried. */
  forward(x: Float32Array, y: Float32Array, r0: number, r1: number, B: number): void;
  /** Rows [r0, r1) backward, last row first: dx from dy (dx null: not wanted), dv carried. */
  backward(dy: Float32Array, dx: Float32Array | null, r0: number, r1: number, B: number): void;
}

/** The surrogate as f64x2 code on `$d` (defining `$sg`), or null when it has no SIMD form here. */
function surrogateCode(s: Surrogate): string | null {
  const probe = [-0.37, -0.01, 0, 0.002, 0.5];
  if (s.kind === "fast-sigmoid") {
    const k = s.k;
    if (probe.some((u) => s.grad(u) !== 1 / ((1 + k * Math.abs(u)) * (1 + k * Math.abs(u))))) return null;
    return `(local.set $t (f64x2.add (local.get $one) (f64x2.mul (f64x2.splat (f64.const ${k})) (f64x2.abs (local.get $d)))))
      (local.set $sg (f64x2.div (local.get $one) (f64x2.mul (local.get $t) (local.get $t))))`;
  }
  if (s.kind === "atan") {
    const c = (Math.PI / 2) * s.k, k2 = s.k / 2;
    if (probe.some((u) => s.grad(u) !== k2 / (1 + c * u * (c * u)))) return null;
    return `(local.set $t (f64x2.mul (f64x2.splat (f64.const ${c})) (local.get $d)))
      (local.set $sg (f64x2.div (f64x2.splat (f64.const ${k2})) (f64x2.add (local.get $one) (f64x2.mul (local.get $t) (local.get $t)))))`;
  }
  return null;
}

/** True when a layer of this spec runs on the generated kernel (four neurons per vector, a SIMD surrogate). */
export function wasmNeuronApplies(spec: UniformNeuronSpec): boolean {
  return spec.n % 4 === 0 && surrogateCode(spec.surrogate) !== null;
}

/** Bytes of a kernel's memory: state (2·B rows), two chunks, v' and four whole-window buffers. */
const kernelBytes = (n: number, rows: number, B: number): number => 4 * n * (2 * B + 2 * chunkRows(n) + 5 * rows) + 9 * 16;
const chunkRows = (n: number): number => Math.max(1, Math.floor(CHUNK_BYTES / (4 * n)));

/** The most memory one layer's kernel takes (2 GiB); larger windows run the JavaScript loops. */
const MAX_KERNEL_BYTES = 2 ** 31;

/** True when a kernel for `rows` rows of `B` items fits {@link MAX_KERNEL_BYTES}. */
export function wasmNeuronFits(n: number, rows: number, B: number): boolean {
  return kernelBytes(n, rows, B) <= MAX_KERNEL_BYTES;
}

/** f32 lanes 2 and 3 of a vector moved to lanes 0 and 1 (for f64x2.promote_low_f32x4). */
const high = (v: string): string => `(i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 ${v} ${v})`;
/** Two f64x2 vectors rounded to one f32x4 vector. */
const joined = (a: string, b: string): string =>
  `(i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (f32x4.demote_f64x2_zero ${a}) (f32x4.demote_f64x2_zero ${b}))`;
const promote = (v: string): string => `(f64x2.promote_low_f32x4 ${v})`;
const f64 = (name: string, v: number): string => `(local.set ${name} (f64x2.splat (f64.const ${v})))`;

interface Layout { v: number; dv: number; a: number; b: number; p: number }

/** fwd(r, cnt, B, px, py): rows [r, r + cnt), their x from address px on, y from py on. */
function forwardFunc(spec: UniformNeuronSpec, at: Layout): string {
  const n4 = 4 * spec.n;
  const half = (h: 0 | 1): string => {
    const x = h ? promote(high("(local.get $xv)")) : promote("(local.get $xv)");
    const v = h ? promote(high("(local.get $vv)")) : promote("(local.get $vv)");
    const reset = spec.subtract
      ? `(f64x2.sub (local.get $p${h}) (f64x2.mul (local.get $z${h}) (local.get $th)))`
      : `(f64x2.add (f64x2.mul (f64x2.sub (local.get $one) (local.get $z${h})) (local.get $p${h})) (f64x2.mul (local.get $z${h}) (local.get $vr)))`;
    return `(local.set $p${h} (f64x2.add (f64x2.add (f64x2.mul (local.get $av) ${v}) (f64x2.mul (local.get $bv) ${x})) (local.get $cv)))
      (local.set $z${h} (v128.and (f64x2.gt (local.get $p${h}) (local.get $th)) (local.get $one)))
      (local.set $n${h} ${reset})`;
  };
  return `(func $fwd (export "fwd") (param $r i32) (param $cnt i32) (param $B i32) (param $px i32) (param $py i32)
    (local $end i32) (local $k i32) (local $pp i32) (local $pv i32)
    (local $xv v128) (local $vv v128) (local $p0 v128) (local $p1 v128) (local $z0 v128) (local $z1 v128) (local $n0 v128) (local $n1 v128)
    (local $av v128) (local $bv v128) (local $cv v128) (local $th v128) (local $vr v128) (local $one v128)
    ${f64("$av", spec.av)} ${f64("$bv", spec.bv)} ${f64("$cv", spec.cv)} ${f64("$th", spec.theta)} ${f64("$vr", spec.vreset)} ${f64("$one", 1)}
    (local.set $end (i32.add (local.get $r) (local.get $cnt)))
    (local.set $pp (i32.add (i32.const ${at.p}) (i32.mul (local.get $r) (i32.const ${n4}))))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $end)))
      (local.set $pv (i32.add (i32.const ${at.v}) (i32.mul (i32.rem_u (local.get $r) (local.get $B)) (i32.const ${n4}))))
      (local.set $k (i32.const 0))
      (loop $cols
        (local.set $xv (v128.load (local.get $px)))
        (local.set $vv (v128.load (local.get $pv)))
        ${half(0)}
        ${half(1)}
        (v128.store (local.get $pp) ${joined("(local.get $p0)", "(local.get $p1)")})
        (v128.store (local.get $py) ${joined("(local.get $z0)", "(local.get $z1)")})
        (v128.store (local.get $pv) ${joined("(local.get $n0)", "(local.get $n1)")})
        (local.set $px (i32.add (local.get $px) (i32.const 16)))
        (local.set $py (i32.add (local.get $py) (i32.const 16)))
        (local.set $pp (i32.add (local.get $pp) (i32.const 16)))
        (local.set $pv (i32.add (local.get $pv) (i32.const 16)))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br_if $cols (i32.lt_u (local.get $k) (i32.const ${spec.n}))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))`;
}

/** bwd(r, cnt, B, dy0, dx0): rows [r, r + cnt) last first, their dy from address dy0 on, dx from dx0 on. */
function backwardFunc(spec: UniformNeuronSpec, at: Layout): string {
  const n4 = 4 * spec.n;
  const sg = surrogateCode(spec.surrogate)!;
  const half = (h: 0 | 1): string => {
    const pick = (v: string): string => (h ? promote(high(v)) : promote(v));
    const carry = spec.subtract ? "(local.get $c)" : "(f64x2.mul (v128.and (f64x2.le (local.get $d) (local.get $zero)) (local.get $one)) (local.get $c))";
    return `(local.set $d (f64x2.sub ${pick("(local.get $pv)")} (local.get $th)))
      (local.set $c ${pick("(local.get $dvv)")})
      ${sg}
      (local.set $g${h} (f64x2.add ${carry} (f64x2.mul ${pick("(local.get $gv)")} (local.get $sg))))`;
  };
  return `(func $bwd (export "bwd") (param $r i32) (param $cnt i32) (param $B i32) (param $dy0 i32) (param $dx0 i32)
    (local $row i32) (local $k i32) (local $pg i32) (local $px i32) (local $pp i32) (local $pdv i32)
    (local $pv v128) (local $gv v128) (local $dvv v128) (local $d v128) (local $c v128) (local $t v128) (local $sg v128) (local $g0 v128) (local $g1 v128)
    (local $av v128) (local $bv v128) (local $th v128) (local $one v128) (local $zero v128)
    ${f64("$av", spec.av)} ${f64("$bv", spec.bv)} ${f64("$th", spec.theta)} ${f64("$one", 1)} ${f64("$zero", 0)}
    (local.set $row (local.get $cnt))
    (block $done (loop $rows
      (br_if $done (i32.eqz (local.get $row)))
      (local.set $row (i32.sub (local.get $row) (i32.const 1)))
      (local.set $pg (i32.add (local.get $dy0) (i32.mul (local.get $row) (i32.const ${n4}))))
      (local.set $px (i32.add (local.get $dx0) (i32.mul (local.get $row) (i32.const ${n4}))))
      (local.set $pp (i32.add (i32.const ${at.p}) (i32.mul (i32.add (local.get $r) (local.get $row)) (i32.const ${n4}))))
      (local.set $pdv (i32.add (i32.const ${at.dv}) (i32.mul (i32.rem_u (i32.add (local.get $r) (local.get $row)) (local.get $B)) (i32.const ${n4}))))
      (local.set $k (i32.const 0))
      (loop $cols
        (local.set $pv (v128.load (local.get $pp)))
        (local.set $gv (v128.load (local.get $pg)))
        (local.set $dvv (v128.load (local.get $pdv)))
        ${half(0)}
        ${half(1)}
        (v128.store (local.get $pdv) ${joined("(f64x2.mul (local.get $av) (local.get $g0))", "(f64x2.mul (local.get $av) (local.get $g1))")})
        (v128.store (local.get $px) ${joined("(f64x2.mul (local.get $bv) (local.get $g0))", "(f64x2.mul (local.get $bv) (local.get $g1))")})
        (local.set $pg (i32.add (local.get $pg) (i32.const 16)))
        (local.set $px (i32.add (local.get $px) (i32.const 16)))
        (local.set $pp (i32.add (local.get $pp) (i32.const 16)))
        (local.set $pdv (i32.add (local.get $pdv) (i32.const 16)))
        (local.set $k (i32.add (local.get $k) (i32.const 4)))
        (br_if $cols (i32.lt_u (local.get $k) (i32.const ${spec.n}))))
      (br $rows))))`;
}

type Exports = {
  fwd(r: number, cnt: number, B: number, px: number, py: number): void;
  bwd(r: number, cnt: number, B: number, dy0: number, dx0: number): void;
};

/** Generates and instantiates the kernel of a spec with room for `rows` rows of at most `B` items. */
export function wasmNeuron(spec: UniformNeuronSpec, rows: number, B: number): WasmNeuron {
  const { n } = spec;
  const R = chunkRows(n), bytes = kernelBytes(n, rows, B);
  let memory!: ArrayBuffer, at!: Layout, whole!: { x: number; y: number; dy: number; dx: number };
  const ex = instantiate<Exports>(bytes, (heap) => {
    memory = heap.buffer;
    at = { v: heap.alloc(4 * n * B), dv: heap.alloc(4 * n * B), a: heap.alloc(4 * n * R), b: heap.alloc(4 * n * R), p: heap.alloc(4 * n * rows) };
    whole = { x: heap.alloc(4 * n * rows), y: heap.alloc(4 * n * rows), dy: heap.alloc(4 * n * rows), dx: heap.alloc(4 * n * rows) };
    return `(module (memory (import "env" "mem") $PAGES) ${forwardFunc(spec, at)} ${backwardFunc(spec, at)})`;
  }, "train-neuron");
  const view = (o: number, len: number): Float32Array => new Float32Array(memory, o, len);
  const a = view(at.a, n * R), b = view(at.b, n * R);
  const own = (buf: Float32Array): boolean => buf.buffer === memory;
  return {
    rows, B, v: view(at.v, n * B), dv: view(at.dv, n * B), vPre: view(at.p, n * rows),
    x: view(whole.x, n * rows), y: view(whole.y, n * rows), dy: view(whole.dy, n * rows), dx: view(whole.dx, n * rows),
    forward(x, y, r0, r1, items) {
      if (own(x) && own(y)) return ex.fwd(r0, r1 - r0, items, x.byteOffset + 4 * n * r0, y.byteOffset + 4 * n * r0);
      for (let r = r0; r < r1; r += R) {
        const c = Math.min(R, r1 - r);
        if (!own(x)) a.set(x.subarray(r * n, (r + c) * n));
        ex.fwd(r, c, items, own(x) ? x.byteOffset + 4 * n * r : at.a, own(y) ? y.byteOffset + 4 * n * r : at.b);
        if (!own(y)) y.set(b.subarray(0, c * n), r * n);
      }
    },
    backward(dy, dx, r0, r1, items) {
      const dxOwn = dx !== null && own(dx);
      if (own(dy) && (dx === null || dxOwn)) return ex.bwd(r0, r1 - r0, items, dy.byteOffset + 4 * n * r0, dxOwn ? dx.byteOffset + 4 * n * r0 : whole.dx + 4 * n * r0);
      for (let r = r1; r > r0;) {
        const c = Math.min(R, r - r0);
        r -= c;
        if (!own(dy)) a.set(dy.subarray(r * n, (r + c) * n));
        ex.bwd(r, c, items, own(dy) ? dy.byteOffset + 4 * n * r : at.a, dxOwn ? dx.byteOffset + 4 * n * r : at.b);
        if (dx && !dxOwn) dx.set(b.subarray(0, c * n), r * n);
      }
    },
  };
}
