/**
 * The sparse halves of a convolution's training kernels as generated f32x4 WebAssembly: the
 * event-driven forward and the spike-driven weight gradient, both driven by the non-zero inputs.
 * - Rows go through in chunks whose buffers stay near the cache; the memory is sized once per
 *   geometry. Each chunk's X (and dY) is copied in with one copy.
 * - A row's inputs are scanned four at a time (`v128.any_true` skips four zeros at once); each
 *   non-zero input x at (ci, p) walks its taps (the shared tap table, as byte offsets) and, over
 *   the output channels of its group four at a time:
 *   - forward: acc[q][c] += x·W[c, ci', tap] into a position-major accumulator, which is then
 *     written out channel-major with the bias added (and cleared);
 *   - weight gradient: dWt[ci][tap][c] += x·dY[c, q], dY having first been copied position-major
 *     (while its per-channel sums go into the bias gradient, in double precision).
 * Weight-gradient sums are f32 within a chunk and are added into a double-precision total after
 * each chunk, so long windows do not lose precision. Needs the group's output channels to be a
 * multiple of four.
 */
import { instantiate } from "../../sim/wasm/instance.js";
import { convKey, convTaps } from "./geometry.js";
import { streamRows } from "./stream.js";
import type { Buf, ConvGeom } from "./types.js";

/** Bytes of the per-chunk buffers a chunk of rows aims at. */
const CHUNK_BYTES = 1 << 20;

/** A built sparse-conv kernel for one geometry. */
export interface WasmConvSparse {
  /** Y = conv(X, W) + bias over `rows` rows (the contract's conv2dForward). */
  forward(W: Float32Array, bias: Buf | null, X: Float32Array, rows: number, Y: Float32Array): void;
  /** dW += Σ_r ∂Y/∂W·dY, dB += Σ dY per channel (dB null = skip). */
  weightGrad(X: Float32Array, dY: Float32Array, rows: number, dW: Buf, dB: Buf | null): void;
}

/** True when the generated kernels handle the geometry (output channels per group a multiple of 4). */
export function convSparseApplies(g: ConvGeom): boolean {
  return (g.cout / g.groups) % 4 === 0;
}

const cache = new Map<string, WasmConvSparse>();

/** The kernels of a geometry (generated and instantiated once, then reused). */
export function convSparse(g: ConvGeom): WasmConvSparse {
  const key = convKey(g);
  let k = cache.get(key);
  if (!k) cache.set(key, (k = buildConvSparse(g)));
  return k;
}

interface Layout {
  wt: number; dwt: number; bias: number; db: number; acc: number; dyt: number; start: number; taps: number; x: number; y: number;
}

function buildConvSparse(g: ConvGeom): WasmConvSparse {
  const cinG = g.cin / g.groups, coutG = g.cout / g.groups, kk = g.kh * g.kw;
  const hw = g.h * g.w, P = g.oh * g.ow, inSize = g.cin * hw, outSize = g.cout * P, nW = g.cin * kk * coutG;
  const t = convTaps(g);
  const R = Math.max(1, Math.floor(CHUNK_BYTES / (4 * (inSize + outSize))));
  const bytes = 8 * nW + 4 * g.cout + 8 * g.cout + 8 * outSize + 4 * (hw + 1) + 8 * t.tap.length + 4 * R * (inSize + outSize) + 16 * 12;
  let wt!: Float32Array, dwt!: Float32Array, bias!: Float32Array, db!: Float64Array, xIn!: Float32Array, yBuf!: Float32Array;
  const dwTotal = new Float64Array(nW);
  const ex = instantiate<{ fwd(n: number): void; dw(n: number): void }>(bytes, (heap) => {
    const L: Layout = {
      wt: heap.alloc(4 * nW), dwt: heap.alloc(4 * nW), bias: heap.alloc(4 * g.cout), db: heap.alloc(8 * g.cout), acc: heap.alloc(4 * outSize), dyt: heap.alloc(4 * outSize),
      start: heap.alloc(4 * (hw + 1)), taps: heap.alloc(8 * t.tap.length), x: heap.alloc(4 * R * inSize), y: heap.alloc(4 * R * outSize),
    };
    wt = new Float32Array(heap.buffer, L.wt, nW);
    dwt = new Float32Array(heap.buffer, L.dwt, nW);
    bias = new Float32Array(heap.buffer, L.bias, g.cout);
    db = new Float64Array(heap.buffer, L.db, g.cout);
    xIn = new Float32Array(heap.buffer, L.x, R * inSize);
    yBuf = new Float32Array(heap.buffer, L.y, R * outSize);
    // taps as byte offsets: (tap·coutG) into a channel's weight block, (q·cout) into a position-major row
    new Int32Array(heap.buffer, L.start, hw + 1).set(t.start.map((e) => L.taps + 8 * e));
    const taps = new Int32Array(heap.buffer, L.taps, 2 * t.tap.length);
    for (let e = 0; e < t.tap.length; e++) {
      taps[2 * e] = 4 * t.tap[e] * coutG;
      taps[2 * e + 1] = 4 * t.out[e] * g.cout;
    }
    return `(module (memory (import "env" "mem") $PAGES)
      ${rowFunc(g, L, "fwd")}
      ${rowFunc(g, L, "dw")})`;
  });
  const loadWeights = (W: Float32Array): void => {
    for (let co = 0; co < g.cout; co++) {
      const grp = (co / coutG) | 0, c = co - grp * coutG;
      for (let cl = 0; cl < cinG; cl++) {
        for (let k = 0; k < kk; k++) wt[((grp * cinG + cl) * kk + k) * coutG + c] = W[(co * cinG + cl) * kk + k];
      }
    }
  };
  return {
    forward(W, b, X, rows, Y) {
      loadWeights(W);
      for (let co = 0; co < g.cout; co++) bias[co] = b ? b[co] : 0;
      streamRows(rows, R, [{ from: X, to: xIn, width: inSize }], ex.fwd, [{ from: yBuf, to: Y, width: outSize }]);
    },
    weightGrad(X, dY, rows, dW, dB) {
      dwTotal.fill(0);
      db.fill(0);
      streamRows(rows, R, [{ from: X, to: xIn, width: inSize }, { from: dY, to: yBuf, width: outSize }], (n) => {
        dwt.fill(0);
        ex.dw(n);
        for (let i = 0; i < nW; i++) dwTotal[i] += dwt[i];
      });
      for (let co = 0; co < g.cout; co++) {
        const grp = (co / coutG) | 0, c = co - grp * coutG;
        for (let cl = 0; cl < cinG; cl++) {
          for (let k = 0; k < kk; k++) dW[(co * cinG + cl) * kk + k] += dwTotal[((grp * cinG + cl) * kk + k) * coutG + c];
        }
      }
      if (dB) for (let co = 0; co < g.cout; co++) dB[co] += db[co];
    },
  };
}

/** The scan of one row's inputs (four at a time), running each non-zero input's taps (see {@link rowFunc}). */
function inputScan(g: ConvGeom, L: Layout, kind: "fwd" | "dw"): string {
  const cinG = g.cin / g.groups, coutG = g.cout / g.groups, kk = g.kh * g.kw, hw = g.h * g.w;
  // one non-zero input: $x at position $p of channel $ci ($wci: its weight block, $aci: its group's accumulator)
  const vecs = Array.from({ length: coutG / 4 }, (_, j) => 16 * j);
  const body = kind === "fwd"
    ? vecs.map((o) => `(v128.store offset=${o} (local.get $ao) (f32x4.add (v128.load offset=${o} (local.get $ao)) (f32x4.mul (local.get $xs) (v128.load offset=${o} (local.get $wo)))))`)
    : vecs.map((o) => `(v128.store offset=${o} (local.get $wo) (f32x4.add (v128.load offset=${o} (local.get $wo)) (f32x4.mul (local.get $xs) (v128.load offset=${o} (local.get $ao)))))`);
  const event = `
        (local.set $xs (f32x4.splat (local.get $x)))
        (local.set $e (i32.load (i32.add (i32.const ${L.start}) (i32.shl (local.get $p) (i32.const 2)))))
        (local.set $eEnd (i32.load offset=4 (i32.add (i32.const ${L.start}) (i32.shl (local.get $p) (i32.const 2)))))
        (block $noTaps (loop $taps
          (br_if $noTaps (i32.ge_u (local.get $e) (local.get $eEnd)))
          (local.set $wo (i32.add (local.get $wci) (i32.load (local.get $e))))
          (local.set $ao (i32.add (local.get $aci) (i32.load offset=4 (local.get $e))))
          ${body.join("\n          ")}
          (local.set $e (i32.add (local.get $e) (i32.const 8)))
          (br $taps)))`;
  const vec4 = Math.floor(hw / 4);
  const scan = `
      (local.set $ci (i32.const 0))
      (loop $chans
        (local.set $wci (i32.add (i32.const ${kind === "fwd" ? L.wt : L.dwt}) (i32.mul (local.get $ci) (i32.const ${4 * kk * coutG}))))
        (local.set $aci (i32.add (i32.const ${kind === "fwd" ? L.acc : L.dyt}) (i32.mul (i32.div_u (local.get $ci) (i32.const ${cinG})) (i32.const ${4 * coutG}))))
        (local.set $p (i32.const 0))
        (block $scanned (loop $scan
          (br_if $scanned (i32.ge_u (local.get $p) (i32.const ${hw})))
          (if (i32.or (i32.ge_u (local.get $p) (i32.const ${4 * vec4})) (v128.any_true (v128.load (local.get $xp))))
            (then
              (local.set $pEnd (i32.add (local.get $p) (i32.const 4)))
              (if (i32.gt_u (local.get $pEnd) (i32.const ${hw})) (then (local.set $pEnd (i32.const ${hw}))))
              (loop $lanes
                (local.set $x (f32.load (local.get $xp)))
                (if (f32.ne (local.get $x) (f32.const 0)) (then ${event}))
                (local.set $xp (i32.add (local.get $xp) (i32.const 4)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br_if $lanes (i32.lt_u (local.get $p) (local.get $pEnd)))))
            (else
              (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
              (local.set $p (i32.add (local.get $p) (i32.const 4)))))
          (br $scan)))
        (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
        (br_if $chans (i32.lt_u (local.get $ci) (i32.const ${g.cin}))))`;
  return scan;
}

/** The per-channel copy between position-major acc and channel-major y/dY of one row (see {@link rowFunc}). */
function channelCopy(g: ConvGeom, L: Layout, kind: "fwd" | "dw"): string {
  const P = g.oh * g.ow;
  // position-major acc[q][co] ↔ channel-major y[co][q]
  const transpose = kind === "fwd"
    ? `(local.set $bv (f32.load (i32.add (i32.const ${L.bias}) (i32.shl (local.get $co) (i32.const 2)))))
          (local.set $q (i32.const 0))
          (loop $pos
            (local.set $ao (i32.add (i32.const ${L.acc}) (i32.shl (i32.add (i32.mul (local.get $q) (i32.const ${g.cout})) (local.get $co)) (i32.const 2))))
            (f32.store (local.get $yp) (f32.add (local.get $bv) (f32.load (local.get $ao))))
            (f32.store (local.get $ao) (f32.const 0))
            (local.set $yp (i32.add (local.get $yp) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br_if $pos (i32.lt_u (local.get $q) (i32.const ${P}))))`
    : `(local.set $sum (f64.const 0))
          (local.set $q (i32.const 0))
          (loop $pos
            (local.set $x (f32.load (local.get $yp)))
            (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (local.get $x))))
            (f32.store (i32.add (i32.const ${L.dyt}) (i32.shl (i32.add (i32.mul (local.get $q) (i32.const ${g.cout})) (local.get $co)) (i32.const 2))) (local.get $x))
            (local.set $yp (i32.add (local.get $yp) (i32.const 4)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br_if $pos (i32.lt_u (local.get $q) (i32.const ${P}))))
          (local.set $ao (i32.add (i32.const ${L.db}) (i32.shl (local.get $co) (i32.const 3))))
          (f64.store (local.get $ao) (f64.add (f64.load (local.get $ao)) (local.get $sum)))`;
  const channels = P % 4 === 0 ? vectorChannels(g, L, kind) : `
      (local.set $co (i32.const 0))
      (loop $outChans
        ${transpose}
        (local.set $co (i32.add (local.get $co) (i32.const 1)))
        (br_if $outChans (i32.lt_u (local.get $co) (i32.const ${g.cout}))))`;
  return channels;
}

/**
 * `fwd(n)` or `dw(n)` over n rows of the chunk: per row, the dw variant first copies dY
 * position-major into `acc` (summing each channel into db); both then scan the inputs and run
 * each non-zero one's taps; fwd finally writes acc channel-major into y with the bias, clearing acc.
 */
function rowFunc(g: ConvGeom, L: Layout, kind: "fwd" | "dw"): string {
  const scan = inputScan(g, L, kind), channels = channelCopy(g, L, kind);
  return `(func $${kind} (export "${kind}") (param $n i32) (local $r i32) (local $ci i32) (local $co i32) (local $p i32) (local $pEnd i32) (local $q i32)
    (local $xp i32) (local $yp i32) (local $wci i32) (local $aci i32) (local $e i32) (local $eEnd i32) (local $wo i32) (local $ao i32)
    (local $x f32) (local $bv f32) (local $sum f64) (local $xs v128)
    ${["r", "t", "k"].flatMap((n) => [0, 1, 2, 3].map((i) => `(local $${n}${i} v128)`)).join(" ")}
    (local.set $xp (i32.const ${L.x}))
    (local.set $yp (i32.const ${L.y}))
    (local.set $r (i32.const 0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
      ${kind === "fwd" ? scan + channels : channels + scan}
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))`;
}

/** f32 lanes → the byte lanes of an i8x16.shuffle (lanes 0–3: first operand, 4–7: second). */
const shuffle = (lanes: number[], a: string, b: string): string =>
  `(i8x16.shuffle ${lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]).join(" ")} (local.get ${a}) (local.get ${b}))`;

/** Transposes the 4×4 block in $r0…$r3 in place (rows become columns), through $t0…$t3. */
function transpose4(): string {
  return `(local.set $t0 ${shuffle([0, 4, 1, 5], "$r0", "$r1")}) (local.set $t1 ${shuffle([2, 6, 3, 7], "$r0", "$r1")})
            (local.set $t2 ${shuffle([0, 4, 1, 5], "$r2", "$r3")}) (local.set $t3 ${shuffle([2, 6, 3, 7], "$r2", "$r3")})
            (local.set $r0 ${shuffle([0, 1, 4, 5], "$t0", "$t2")}) (local.set $r1 ${shuffle([2, 3, 6, 7], "$t0", "$t2")})
            (local.set $r2 ${shuffle([0, 1, 4, 5], "$t1", "$t3")}) (local.set $r3 ${shuffle([2, 3, 6, 7], "$t1", "$t3")})`;
}

/**
 * The channel-major ↔ position-major copy in 4×4 blocks (positions per row a multiple of four):
 * fwd reads four positions × four channels of acc, clears them, and stores four channel vectors
 * plus their bias into y; dw reads four channel vectors of dY, adds them into per-channel lane sums
 * (reduced into db, in double precision, once per row and channel), and stores them position-major.
 */
function vectorChannels(g: ConvGeom, L: Layout, kind: "fwd" | "dw"): string {
  const P = g.oh * g.ow, cB = 4 * g.cout, pB = 4 * P;
  const q4 = [0, 1, 2, 3];
  const body = kind === "fwd"
    ? `(local.set $ao (i32.add (i32.const ${L.acc}) (i32.shl (i32.add (i32.mul (local.get $q) (i32.const ${g.cout})) (local.get $co)) (i32.const 2))))
            ${q4.map((j) => `(local.set $r${j} (v128.load offset=${j * cB} (local.get $ao))) (v128.store offset=${j * cB} (local.get $ao) (f32x4.splat (f32.const 0)))`).join("\n            ")}
            ${transpose4()}
            ${q4.map((i) => `(v128.store offset=${i * pB} (local.get $yp) (f32x4.add (local.get $r${i}) (local.get $k${i})))`).join(" ")}`
    : `${q4.map((i) => `(local.set $r${i} (v128.load offset=${i * pB} (local.get $yp))) (local.set $k${i} (f32x4.add (local.get $k${i}) (local.get $r${i})))`).join("\n            ")}
            ${transpose4()}
            (local.set $ao (i32.add (i32.const ${L.dyt}) (i32.shl (i32.add (i32.mul (local.get $q) (i32.const ${g.cout})) (local.get $co)) (i32.const 2))))
            ${q4.map((j) => `(v128.store offset=${j * cB} (local.get $ao) (local.get $r${j}))`).join(" ")}`;
  const before = kind === "fwd"
    ? q4.map((i) => `(local.set $k${i} (f32x4.splat (f32.load offset=${4 * i} (i32.add (i32.const ${L.bias}) (i32.shl (local.get $co) (i32.const 2))))))`).join(" ")
    : q4.map((i) => `(local.set $k${i} (f32x4.splat (f32.const 0)))`).join(" ");
  const lane = (i: number, l: number): string => `(f64.promote_f32 (f32x4.extract_lane ${l} (local.get $k${i})))`;
  const after = kind === "fwd" ? "" : q4.map((i) => `
        (local.set $ao (i32.add (i32.const ${L.db}) (i32.shl (i32.add (local.get $co) (i32.const ${i})) (i32.const 3))))
        (f64.store (local.get $ao) (f64.add (f64.load (local.get $ao)) (f64.add (f64.add ${lane(i, 0)} ${lane(i, 1)}) (f64.add ${lane(i, 2)} ${lane(i, 3)}))))`).join("");
  return `
      (local.set $co (i32.const 0))
      (loop $outChans
        ${before}
        (local.set $q (i32.const 0))
        (loop $pos
          ${body}
          (local.set $yp (i32.add (local.get $yp) (i32.const 16)))
          (local.set $q (i32.add (local.get $q) (i32.const 4)))
          (br_if $pos (i32.lt_u (local.get $q) (i32.const ${P}))))
        (local.set $yp (i32.add (local.get $yp) (i32.const ${3 * pB})))${after}
        (local.set $co (i32.add (local.get $co) (i32.const 4)))
        (br_if $outChans (i32.lt_u (local.get $co) (i32.const ${g.cout}))))`;
}
