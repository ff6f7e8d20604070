/**
 * The input gradient of a stride-1 convolution as generated f32x4 WebAssembly: the transposed
 * convolution dX[ci, iy, ix] = Σ_{c in ci's group} Σ_{ky, kx} W[c, ci', ky, kx]·dY[c, iy + ph − ky·dh,
 * ix + pw − kx·dw], with dY read as 0 outside its extent. Stride 1 makes the dY positions of one
 * dX line one contiguous, shifted dY line per tap, so four neighbouring ix are one vector:
 * - rows go through in chunks sized so the chunk's buffers stay near the cache (the memory is
 *   sized once per geometry, whatever the number of rows); each chunk's dY is copied in, then
 *   copied into a zero-bordered layout (`pad`), so every shifted load is in range and needs no test;
 * - a dX line is computed in blocks of up to four vectors held in locals: per output channel c and
 *   tap, one splatted weight times the shifted dY vectors, summed in f32 (channel by channel, taps
 *   in (ky, kx) order). The sixteen products per tap keep both f32x4 arithmetic ports busy, which
 *   bounds this kernel; blocking two input channels (sharing the dY loads) is no faster;
 * - whole vectors inside the line are stored as vectors, a last partial one lane by lane.
 */
import { instantiate } from "../../sim/wasm/instance.js";
import { convKey } from "./geometry.js";
import { streamRows } from "./stream.js";
import type { ConvGeom } from "./types.js";

/** Bytes of the per-chunk buffers a chunk of rows aims at. */
const CHUNK_BYTES = 1 << 20;
/** Vectors (of four dX positions) computed together in locals. */
const BLOCK = 4;

/** A built dX kernel for one geometry. */
export interface WasmConvDx {
  /** dX (rows·cin·h·w) = the transposed convolution of dY (rows·cout·oh·ow) with W. */
  run(W: Float32Array, dY: Float32Array, rows: number, dX: Float32Array): void;
}

/** True when the generated kernel handles the geometry (stride 1 in both axes). */
export function convDxApplies(g: ConvGeom): boolean {
  return g.sh === 1 && g.sw === 1;
}

/** The padded dY layout of a stride-1 geometry: rows above/left of the data and the line sizes. */
function padLayout(g: ConvGeom) {
  const nv = Math.ceil(g.w / 4);
  const top = Math.max(0, (g.kh - 1) * g.dh - g.ph), left = Math.max(0, (g.kw - 1) * g.dw - g.pw);
  const lines = top + Math.max(g.oh, g.h + g.ph), width = left + Math.max(g.ow, 4 * nv + g.pw);
  return { nv, top, left, lines, width };
}

const cache = new Map<string, WasmConvDx>();

/** The kernel of a geometry (generated and instantiated once, then reused). */
export function convDx(g: ConvGeom): WasmConvDx {
  const key = convKey(g);
  let k = cache.get(key);
  if (!k) cache.set(key, (k = buildConvDx(g)));
  return k;
}

function buildConvDx(g: ConvGeom): WasmConvDx {
  const cinG = g.cin / g.groups, coutG = g.cout / g.groups, kk = g.kh * g.kw;
  const inSize = g.cin * g.h * g.w, outSize = g.cout * g.oh * g.ow;
  const L = padLayout(g);
  const chanB = L.lines * L.width * 4, rowPadB = g.cout * chanB;
  const perRow = 4 * (inSize + outSize) + rowPadB;
  const R = Math.max(1, Math.floor(CHUNK_BYTES / perRow));
  const wsN = g.cin * coutG * kk;
  const bytes = 4 * wsN + R * perRow + 64 + 4 * 16;
  let ws!: Float32Array, dyIn!: Float32Array, dxOut!: Float32Array;
  const ex = instantiate<{ pad(n: number): void; dx(n: number): void }>(bytes, (heap) => {
    const wsAt = heap.alloc(4 * wsN), inAt = heap.alloc(4 * R * outSize), padAt = heap.alloc(R * rowPadB), outAt = heap.alloc(4 * R * inSize + 16);
    ws = new Float32Array(heap.buffer, wsAt, wsN);
    dyIn = new Float32Array(heap.buffer, inAt, R * outSize);
    dxOut = new Float32Array(heap.buffer, outAt, R * inSize);
    return `(module (memory (import "env" "mem") $PAGES)
      ${padFunc(g, L, inAt, padAt, chanB)}
      ${dxFunc(g, L, wsAt, padAt, outAt, chanB, rowPadB, cinG, coutG)})`;
  });
  return {
    run(W, dY, rows, dX) {
      for (let ci = 0; ci < g.cin; ci++) {
        const grp = (ci / cinG) | 0, cl = ci - grp * cinG;
        for (let c = 0; c < coutG; c++) {
          for (let k = 0; k < kk; k++) ws[(ci * coutG + c) * kk + k] = W[((grp * coutG + c) * cinG + cl) * kk + k];
        }
      }
      streamRows(rows, R, [{ from: dY, to: dyIn, width: outSize }], (n) => {
        ex.pad(n);
        ex.dx(n);
      }, [{ from: dxOut, to: dX, width: inSize }]);
    },
  };
}

/** `pad(n)`: copies n rows of compact dY lines into the zero-bordered layout (borders never written). */
function padFunc(g: ConvGeom, L: ReturnType<typeof padLayout>, inAt: number, padAt: number, chanB: number): string {
  const vecs = Math.floor(g.ow / 4), rest = g.ow % 4;
  const copy: string[] = [];
  for (let v = 0; v < vecs; v++) copy.push(`(v128.store offset=${16 * v} (local.get $d) (v128.load offset=${16 * v} (local.get $s)))`);
  for (let e = 0; e < rest; e++) copy.push(`(f32.store offset=${16 * vecs + 4 * e} (local.get $d) (f32.load offset=${16 * vecs + 4 * e} (local.get $s)))`);
  return `(func $pad (export "pad") (param $n i32) (local $s i32) (local $d i32) (local $ch i32) (local $chEnd i32) (local $y i32)
    (local.set $s (i32.const ${inAt}))
    (local.set $d (i32.const ${padAt + 4 * (L.top * L.width + L.left)}))
    (local.set $chEnd (i32.mul (local.get $n) (i32.const ${g.cout})))
    (local.set $ch (i32.const 0))
    (block $done (loop $chans
      (br_if $done (i32.ge_u (local.get $ch) (local.get $chEnd)))
      (local.set $y (i32.const 0))
      (loop $lines
        ${copy.join("\n        ")}
        (local.set $s (i32.add (local.get $s) (i32.const ${4 * g.ow})))
        (local.set $d (i32.add (local.get $d) (i32.const ${4 * L.width})))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br_if $lines (i32.lt_u (local.get $y) (i32.const ${g.oh}))))
      (local.set $d (i32.add (local.get $d) (i32.const ${chanB - 4 * L.width * g.oh})))
      (local.set $ch (i32.add (local.get $ch) (i32.const 1)))
      (br $chans))))`;
}

/** `dx(n)`: the dX of n padded rows into the output region (see the file comment). */
function dxFunc(g: ConvGeom, L: ReturnType<typeof padLayout>, wsAt: number, padAt: number, outAt: number, chanB: number, rowPadB: number, cinG: number, coutG: number): string {
  const kk = g.kh * g.kw;
  const blocks: string[] = [];
  for (let b0 = 0; b0 < L.nv; b0 += BLOCK) {
    const nb = Math.min(BLOCK, L.nv - b0);
    const acc = (m: number, j: number): string => `$a${m}${j}`;
    const all = Array.from({ length: nb }, (_, j) => acc(0, j));
    const taps: string[] = [];
    for (let ky = 0; ky < g.kh; ky++) {
      for (let kx = 0; kx < g.kw; kx++) {
        const off = 4 * ((g.kh - 1 - ky) * g.dh * L.width + (g.kw - 1 - kx) * g.dw);
        taps.push(`(local.set $w0 (v128.load32_splat offset=${4 * (ky * g.kw + kx)} (local.get $pw)))`);
        for (let j = 0; j < nb; j++) {
          taps.push(`(local.set $v (v128.load offset=${off + 16 * j} (local.get $py)))`);
          taps.push(`(local.set ${acc(0, j)} (f32x4.add (local.get ${acc(0, j)}) (f32x4.mul (local.get $w0) (local.get $v))))`);
        }
      }
    }
    // whole vectors inside the line; the line's last, partial vector lane by lane (nothing past the line)
    const stores: string[] = [];
    for (let j = 0; j < nb; j++) {
      const x0 = 4 * (b0 + j);
      if (x0 + 4 <= g.w) stores.push(`(v128.store offset=${4 * x0} (local.get $out) (local.get ${acc(0, j)}))`);
      else for (let l = 0; x0 + l < g.w; l++) stores.push(`(f32.store offset=${4 * (x0 + l)} (local.get $out) (f32x4.extract_lane ${l} (local.get ${acc(0, j)})))`);
    }
    // lowest-address tap of the block: line iy + ph − (kh−1)·dh, column 4·b0 + pw − (kw−1)·dw (padded)
    const start = 4 * ((L.top + g.ph - (g.kh - 1) * g.dh) * L.width + L.left + g.pw - (g.kw - 1) * g.dw + 4 * b0);
    blocks.push(`
        ${all.map((a) => `(local.set ${a} (f32x4.splat (f32.const 0)))`).join(" ")}
        (local.set $pw (local.get $wrow))
        (local.set $py (i32.add (local.get $yline) (i32.const ${start})))
        (local.set $c (i32.const 0))
        (loop $chan${b0}
          ${taps.join("\n          ")}
          (local.set $pw (i32.add (local.get $pw) (i32.const ${4 * kk})))
          (local.set $py (i32.add (local.get $py) (i32.const ${chanB})))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br_if $chan${b0} (i32.lt_u (local.get $c) (i32.const ${coutG}))))
        ${stores.join(" ")}`);
  }
  const locals = Array.from({ length: Math.min(BLOCK, L.nv) }, (_, j) => `(local $a0${j} v128)`).join(" ");
  return `(func $dx (export "dx") (param $n i32) (local $r i32) (local $ci i32) (local $iy i32) (local $c i32)
    (local $pw i32) (local $py i32) (local $out i32) (local $row i32) (local $wrow i32) (local $yline i32) (local $v v128)
    (local $w0 v128) ${locals}
    (local.set $out (i32.const ${outAt}))
    (local.set $row (i32.const ${padAt}))
    (local.set $r (i32.const 0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $n)))
      (local.set $ci (i32.const 0))
      (loop $chans
        (local.set $wrow (i32.add (i32.const ${wsAt}) (i32.mul (local.get $ci) (i32.const ${4 * coutG * kk}))))
        (local.set $yline (i32.add (local.get $row) (i32.mul (i32.div_u (local.get $ci) (i32.const ${cinG})) (i32.const ${coutG * chanB}))))
        (local.set $iy (i32.const 0))
        (loop $lines
          ${blocks.join("\n")}
          (local.set $out (i32.add (local.get $out) (i32.const ${4 * g.w})))
          (local.set $yline (i32.add (local.get $yline) (i32.const ${4 * L.width})))
          (local.set $iy (i32.add (local.get $iy) (i32.const 1)))
          (br_if $lines (i32.lt_u (local.get $iy) (i32.const ${g.h}))))
        (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
        (br_if $chans (i32.lt_u (local.get $ci) (i32.const ${g.cin}))))
      (local.set $row (i32.add (local.get $row) (i32.const ${rowPadB})))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))`;
}
