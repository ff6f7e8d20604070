/**
 * The input gradient of a 3×3, stride-1, undilated convolution by Winograd's F(2×2, 3×3) as
 * generated f32x4 WebAssembly: 16 multiplications per 2×2 outputs and channel pair instead of 36.
 * With a = 2 − ky, b = 2 − kx the transposed convolution is the correlation
 *   dX[ci, iy, ix] = Σ_c Σ_{a,b} G[ci, c, a, b]·E[c, iy + a, ix + b],  G[ci, c, a, b] = W[c, ci', 2 − a, 2 − b],
 * of E[c, y, x] = dY[c, y + ph − 2, x + pw − 2] (0 outside dY). Per 2×2 output tile, with the
 * standard F(2×2, 3×3) matrices (Lavin & Gray 2016)
 *   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G₃ = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],  Aᵀ = [1 1 1 0; 0 1 −1 −1]:
 *   U = G₃·g·G₃ᵀ per channel pair (computed in JavaScript per call), V = Bᵀ·e·B per input tile e
 *   (4×4 of E), M[ξν] = Σ_c U[ξν]·V[ξν] (sixteen products over channels), dX tile = Aᵀ·M·A.
 * Vectors hold four horizontally neighbouring tiles: E is stored with its even and odd columns
 * apart, so a tile's four columns are four contiguous loads. Per row of the window: dY is copied
 * into E (`pad`), V is formed for every channel and tile, then per pair of input channels (one
 * when a group's count is odd) the sixteen channel sums (four tile vectors of both channels in
 * locals, each V vector loaded once for the pair) and the output transform, whose even and odd
 * columns are interleaved into whole vectors where a tile vector lies inside the row.
 */
import { instantiate } from "../../sim/wasm/instance.js";
import { convKey } from "./geometry.js";
import { streamRows } from "./stream.js";
import type { ConvGeom } from "./types.js";

/** Bytes of the per-chunk dY and dX buffers a chunk of rows aims at. */
const CHUNK_BYTES = 1 << 20;

/** A built Winograd dX kernel for one geometry. */
export interface WasmConvDxWinograd {
  /** dX (rows·cin·h·w) = the transposed convolution of dY (rows·cout·oh·ow) with W. */
  run(W: Float32Array, dY: Float32Array, rows: number, dX: Float32Array): void;
}

/** True for the geometries this kernel computes: 3×3, stride 1, dilation 1, padding ≤ 2. */
export function winogradApplies(g: ConvGeom): boolean {
  return g.kh === 3 && g.kw === 3 && g.sh === 1 && g.sw === 1 && g.dh === 1 && g.dw === 1 && g.ph <= 2 && g.pw <= 2;
}

const cache = new Map<string, WasmConvDxWinograd>();

/** The kernel of a geometry (generated and instantiated once, then reused). */
export function convDxWinograd(g: ConvGeom): WasmConvDxWinograd {
  const key = convKey(g);
  let k = cache.get(key);
  if (!k) cache.set(key, (k = build(g)));
  return k;
}

/** Sizes of the tiled layout. */
function layout(g: ConvGeom) {
  const nty = Math.ceil(g.h / 2), ntx = Math.ceil(g.w / 2);
  const ntv = Math.ceil(ntx / 4), nt4 = 4 * ntv;
  const et = nt4 + 4; // floats per parity half of an E line (one tile vector of slack for the +1 column shift)
  const eh = 2 * nty + 2; // E lines per channel
  const ntt = nty * nt4;
  // floats per ξν plane of V: 16 floats past the channels' tiles, so that the sixteen planes a
  // tile's transform stores into do not sit a multiple of 4 KiB apart (the same L1 cache set)
  return { nty, ntx, ntv, nt4, et, eh, lb: 8 * et, ntt, vs: g.cout * ntt + 16 };
}
type Layout = ReturnType<typeof layout>;

/** F(2×2, 3×3) weight transform: U[ξν][ci][c] = (G₃·g·G₃ᵀ)[ξ][ν] with g[a][b] = W[c, ci', 2 − a, 2 − b]. */
function transformWeights(g: ConvGeom, W: Float32Array, U: Float32Array): void {
  const cinG = g.cin / g.groups, coutG = g.cout / g.groups;
  const G3 = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]];
  const gg = [0, 0, 0, 0, 0, 0, 0, 0, 0], t = new Array<number>(12).fill(0);
  for (let ci = 0; ci < g.cin; ci++) {
    const grp = (ci / cinG) | 0, cl = ci - grp * cinG;
    for (let c = 0; c < coutG; c++) {
      const base = ((grp * coutG + c) * cinG + cl) * 9;
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) gg[a * 3 + b] = W[base + (2 - a) * 3 + (2 - b)];
      for (let x = 0; x < 4; x++) for (let b = 0; b < 3; b++) t[x * 3 + b] = G3[x][0] * gg[b] + G3[x][1] * gg[3 + b] + G3[x][2] * gg[6 + b];
      for (let x = 0; x < 4; x++) {
        for (let n = 0; n < 4; n++) U[((x * 4 + n) * g.cin + ci) * coutG + c] = t[x * 3] * G3[n][0] + t[x * 3 + 1] * G3[n][1] + t[x * 3 + 2] * G3[n][2];
      }
    }
  }
}

function build(g: ConvGeom): WasmConvDxWinograd {
  const coutG = g.cout / g.groups;
  const inSize = g.cin * g.h * g.w, outSize = g.cout * g.oh * g.ow;
  const T = layout(g);
  const R = Math.max(1, Math.floor(CHUNK_BYTES / (4 * (inSize + outSize))));
  const uN = 16 * g.cin * coutG, planeB = g.cout * T.eh * T.lb, vN = 16 * T.vs, mN = 16 * T.ntt * channelBlock(g);
  const bytes = 4 * uN + 4 * R * (inSize + outSize) + planeB + 4 * (vN + mN) + 16 * 8;
  let U!: Float32Array, dyIn!: Float32Array, dxOut!: Float32Array;
  const ex = instantiate<{ dx(n: number): void }>(bytes, (heap) => {
    const A = { u: heap.alloc(4 * uN), y: heap.alloc(4 * R * outSize), x: heap.alloc(4 * R * inSize), e: heap.alloc(planeB), v: heap.alloc(4 * vN), m: heap.alloc(4 * mN) };
    U = new Float32Array(heap.buffer, A.u, uN);
    dyIn = new Float32Array(heap.buffer, A.y, R * outSize);
    dxOut = new Float32Array(heap.buffer, A.x, R * inSize);
    return `(module (memory (import "env" "mem") $PAGES) ${dxFunc(g, T, A)})`;
  });
  return {
    run(W, dY, rows, dX) {
      transformWeights(g, W, U);
      streamRows(rows, R, [{ from: dY, to: dyIn, width: outSize }], ex.dx, [{ from: dxOut, to: dX, width: inSize }]);
    },
  };
}

const add = (a: string, b: string): string => `(f32x4.add ${a} ${b})`;
const sub = (a: string, b: string): string => `(f32x4.sub ${a} ${b})`;
/** Bᵀ applied to four values (rows of a tile, or columns). */
const bt = (d: string[]): string[] => [sub(d[0], d[2]), add(d[1], d[2]), sub(d[2], d[1]), sub(d[1], d[3])];
/** Aᵀ applied to four values. */
const at = (m: string[]): string[] => [add(add(m[0], m[1]), m[2]), sub(sub(m[1], m[2]), m[3])];

/** Input channels whose sums share each loaded V vector: 2 when a group's input channels pair up. */
const channelBlock = (g: ConvGeom): number => ((g.cin / g.groups) % 2 === 0 ? 2 : 1);

type Addresses = { u: number; y: number; x: number; e: number; v: number; m: number };
const get = (n: string): string => `(local.get ${n})`;

/** Stores of one dY line into E's even/odd halves (E column x' = ox + 2 − pw). */
function padCode(g: ConvGeom, T: Layout): string {
  const padLine: string[] = [];
  for (let ox = 0; ox < g.ow; ox++) {
    const xe = ox + 2 - g.pw;
    padLine.push(`(f32.store offset=${4 * ((xe & 1) * T.et + (xe >> 1))} (local.get $d) (f32.load offset=${4 * ox} (local.get $s)))`);
  }
  return padLine.join("\n          ");
}

/** V for one channel: every tile vector (ty, tv), from E lines 2ty..2ty+3. */
function vTransformCode(T: Layout): string {
  const vt: string[] = [];
  for (let ty = 0; ty < T.nty; ty++) {
    for (let tv = 0; tv < T.ntv; tv++) {
      for (let i = 0; i < 4; i++) {
        const line = (2 * ty + i) * T.lb + 16 * tv;
        [0, 4 * T.et, 4, 4 * T.et + 4].forEach((o, j) => vt.push(`(local.set $d${i}${j} (v128.load offset=${line + o} (local.get $p)))`));
      }
      for (let j = 0; j < 4; j++) bt([0, 1, 2, 3].map((i) => get(`$d${i}${j}`))).forEach((e, x) => vt.push(`(local.set $t${x}${j} ${e})`));
      for (let x = 0; x < 4; x++) {
        bt([0, 1, 2, 3].map((j) => get(`$t${x}${j}`))).forEach((e, n) => vt.push(`(v128.store offset=${4 * ((x * 4 + n) * T.vs + ty * T.nt4 + 4 * tv)} (local.get $q) ${e})`));
      }
    }
  }
  return vt.join("\n        ");
}

/**
 * Channel sums for one ξν and CB input channels: four tile vectors at a time, so that each
 * loaded V vector serves CB channels and CB·4 independent sums are in flight.
 */
function sumsCode(g: ConvGeom, T: Layout, CB: number): string {
  const coutG = g.cout / g.groups, mN = 16 * T.ntt;
  const sums: string[] = [];
  for (let b0 = 0; b0 < T.ntt / 4; b0 += 4) {
    const nb = Math.min(4, T.ntt / 4 - b0);
    const acc = Array.from({ length: CB }, (_, j) => Array.from({ length: nb }, (_, i) => `$s${j}${i}`));
    sums.push(`${acc.flat().map((a) => `(local.set ${a} (f32x4.splat (f32.const 0)))`).join(" ")}
          (local.set $up (local.get $ub)) (local.set $vp (i32.add (local.get $vb) (i32.const ${16 * b0})))
          (local.set $c (i32.const 0))
          (loop $sum${b0}
            ${acc.map((_, j) => `(local.set $w${j} (v128.load32_splat offset=${4 * j * coutG} (local.get $up)))`).join(" ")}
            ${acc[0].map((_, i) => `(local.set $v${i} (v128.load offset=${16 * i} (local.get $vp)))`).join(" ")}
            ${acc.flatMap((row, j) => row.map((a, i) => `(local.set ${a} (f32x4.add (local.get ${a}) (f32x4.mul (local.get $w${j}) (local.get $v${i}))))`)).join("\n            ")}
            (local.set $up (i32.add (local.get $up) (i32.const 4)))
            (local.set $vp (i32.add (local.get $vp) (i32.const ${4 * T.ntt})))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br_if $sum${b0} (i32.lt_u (local.get $c) (i32.const ${coutG}))))
          ${acc.flatMap((row, j) => row.map((a, i) => `(v128.store offset=${16 * (b0 + i) + 4 * j * mN} (local.get $mb) (local.get ${a}))`)).join(" ")}`);
  }
  return sums.join("\n          ");
}

/** Output transform of the block's input channels: Aᵀ·M·A per tile vector, stored into dX. */
function outTransformCode(g: ConvGeom, T: Layout, A: Addresses, CB: number): string {
  const mN = 16 * T.ntt;
  const outT: string[] = [];
  for (let cb = 0; cb < CB; cb++) for (let ty = 0; ty < T.nty; ty++) {
    for (let tv = 0; tv < T.ntv; tv++) {
      for (let x = 0; x < 4; x++) for (let n = 0; n < 4; n++) outT.push(`(local.set $d${x}${n} (v128.load offset=${4 * (cb * mN + (x * 4 + n) * T.ntt + ty * T.nt4 + 4 * tv)} (i32.const ${A.m})))`);
      for (let n = 0; n < 4; n++) at([0, 1, 2, 3].map((x) => get(`$d${x}${n}`))).forEach((e, i) => outT.push(`(local.set $t${i}${n} ${e})`));
      for (let i = 0; i < 2; i++) {
        const iy = 2 * ty + i, line = cb * g.h * g.w + iy * g.w + 8 * tv;
        at([0, 1, 2, 3].map((n) => get(`$t${i}${n}`))).forEach((e, j) => outT.push(`(local.set $a${j} ${e})`));
        if (iy >= g.h) continue;
        if (8 * tv + 8 <= g.w) {
          // the even (a0) and odd (a1) columns interleaved into eight contiguous values
          outT.push(`(v128.store offset=${4 * line} (local.get $o) (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1)))`);
          outT.push(`(v128.store offset=${4 * line + 16} (local.get $o) (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1)))`);
          continue;
        }
        for (let j = 0; j < 2; j++) {
          for (let l = 0; l < 4; l++) {
            const ix = 2 * (4 * tv + l) + j;
            if (ix < g.w) outT.push(`(f32.store offset=${4 * (line + ix - 8 * tv)} (local.get $o) (f32x4.extract_lane ${l} (local.get $a${j})))`);
          }
        }
      }
    }
  }
  return outT.join("\n        ");
}

function dxFunc(g: ConvGeom, T: Layout, A: Addresses): string {
  const cinG = g.cin / g.groups, coutG = g.cout / g.groups, outSize = g.cout * g.oh * g.ow;
  const CB = channelBlock(g);
  const vlocals = [0, 1, 2, 3].flatMap((i) => [0, 1, 2, 3].map((j) => `(local $d${i}${j} v128) (local $t${i}${j} v128)`)).join(" ");
  return `(func $dx (export "dx") (param $n i32) (local $r i32) (local $c i32) (local $ci i32) (local $y i32) (local $k i32)
    (local $s i32) (local $d i32) (local $p i32) (local $q i32) (local $o i32) (local $ub i32) (local $vb i32) (local $mb i32) (local $up i32) (local $vp i32)
    ${Array.from({ length: CB }, (_, j) => `(local $w${j} v128)`).join(" ")} ${[0, 1, 2, 3].map((i) => `(local $v${i} v128)`).join(" ")}
    ${Array.from({ length: CB }, (_, j) => [0, 1, 2, 3].map((i) => `(local $s${j}${i} v128)`).join(" ")).join(" ")} (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128) ${vlocals}
    (local.set $s (i32.const ${A.y}))
    (local.set $o (i32.const ${A.x}))
    (local.set $r (i32.const 0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
      ;; dY of this row into E
      (local.set $c (i32.const 0))
      (loop $padChans
        (local.set $d (i32.add (i32.const ${A.e + (2 - g.ph) * T.lb}) (i32.mul (local.get $c) (i32.const ${T.eh * T.lb}))))
        (local.set $y (i32.const 0))
        (loop $padLines
          ${padCode(g, T)}
          (local.set $s (i32.add (local.get $s) (i32.const ${4 * g.ow})))
          (local.set $d (i32.add (local.get $d) (i32.const ${T.lb})))
          (local.set $y (i32.add (local.get $y) (i32.const 1)))
          (br_if $padLines (i32.lt_u (local.get $y) (i32.const ${g.oh}))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br_if $padChans (i32.lt_u (local.get $c) (i32.const ${g.cout}))))
      ;; V = Bᵀ·e·B for every channel and tile
      (local.set $c (i32.const 0))
      (loop $vChans
        (local.set $p (i32.add (i32.const ${A.e}) (i32.mul (local.get $c) (i32.const ${T.eh * T.lb}))))
        (local.set $q (i32.add (i32.const ${A.v}) (i32.mul (local.get $c) (i32.const ${4 * T.ntt}))))
        ${vTransformCode(T)}
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br_if $vChans (i32.lt_u (local.get $c) (i32.const ${g.cout}))))
      ;; per input channel: M[ξν] = Σ_c U·V, then dX = Aᵀ·M·A
      (local.set $ci (i32.const 0))
      (loop $inChans
        (local.set $k (i32.const 0))
        (loop $xinu
          (local.set $ub (i32.add (i32.const ${A.u}) (i32.shl (i32.add (i32.mul (local.get $k) (i32.const ${g.cin * coutG})) (i32.mul (local.get $ci) (i32.const ${coutG}))) (i32.const 2))))
          (local.set $vb (i32.add (i32.const ${A.v}) (i32.shl (i32.add (i32.mul (local.get $k) (i32.const ${T.vs})) (i32.mul (i32.div_u (local.get $ci) (i32.const ${cinG})) (i32.const ${coutG * T.ntt}))) (i32.const 2))))
          (local.set $mb (i32.add (i32.const ${A.m}) (i32.mul (local.get $k) (i32.const ${4 * T.ntt}))))
          ${sumsCode(g, T, CB)}
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $xinu (i32.lt_u (local.get $k) (i32.const 16))))
        ${outTransformCode(g, T, A, CB)}
        (local.set $o (i32.add (local.get $o) (i32.const ${4 * CB * g.h * g.w})))
        (local.set $ci (i32.add (local.get $ci) (i32.const ${CB})))
        (br_if $inChans (i32.lt_u (local.get $ci) (i32.const ${g.cin}))))
      (local.set $s (i32.add (i32.const ${A.y}) (i32.mul (i32.add (local.get $r) (i32.const 1)) (i32.const ${4 * outSize}))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))`;
}
