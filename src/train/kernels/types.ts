/**
 * The contract between the training engine and its dense kernels. Feed-forward layers run layer by
 * layer over the whole time window: a batch of `rows` = T·B samples (time-major, then batch item)
 * goes through one call, so one large product replaces T small ones. Recurrent layers call the same
 * kernels with `rows` = B, once per step. Arrays are row-major; a layer's per-row input and output are
 * contiguous. `Buf` is Float32Array on the default (f32) path and Float64Array on the `--float64` path;
 * an implementation may accept only Float32Array and say so in `dtypes`.
 */

import type { ConvGeometry } from "../../sim/graph.js";

/** A dense buffer of the chosen precision. */
export type Buf = Float32Array | Float64Array;

/** Affine/Linear geometry: W is (nOut, nIn), row-major, as NIR stores it. */
export interface DenseGeom {
  nIn: number;
  nOut: number;
}

/**
 * Conv2d geometry (Conv1d is h = oh = kh = 1): input (cin, h, w), output (cout, oh, ow), weight
 * (cout, cin/groups, kh, kw); stride (sh, sw), zero padding (ph, pw) before the first row/column,
 * dilation (dh, dw). Output size follows PyTorch: oh = ⌊(h + 2·ph − dh·(kh − 1) − 1)/sh⌋ + 1.
 */
export type ConvGeom = ConvGeometry;

/** One implementation of the dense kernels (plain JavaScript, or generated WebAssembly SIMD). */
export interface TrainKernels {
  /** Name shown by explain/bench ("js", "wasm-simd"). */
  name: string;
  /** Precisions the implementation accepts. */
  dtypes: ReadonlyArray<"float32" | "float64">;
  /**
   * Y[r, o] = bias[o] + Σ_i W[o, i]·X[r, i] for r < rows (bias null = 0). Overwrites Y.
   * X is typically sparse (spikes): implementations may skip zero entries.
   */
  affineForward(g: DenseGeom, W: Buf, bias: Buf | null, X: Buf, rows: number, Y: Buf): void;
  /**
   * Accumulates dW[o, i] += Σ_r dY[r, o]·X[r, i] and dB[o] += Σ_r dY[r, o] (dB null = skip);
   * overwrites dX[r, i] = Σ_o W[o, i]·dY[r, o] (dX null = skip, e.g. for the first layer).
   */
  affineBackward(g: DenseGeom, W: Buf, X: Buf, dY: Buf, rows: number, dW: Buf, dB: Buf | null, dX: Buf | null): void;
  /** Y[r] = conv2d(X[r], W) + bias per output channel, for r < rows. Overwrites Y. */
  conv2dForward(g: ConvGeom, W: Buf, bias: Buf | null, X: Buf, rows: number, Y: Buf): void;
  /**
   * Accumulates dW += Σ_r ∂Y[r]/∂W · dY[r] and dB[c] += Σ_r Σ_pos dY[r, c, pos] (dB null = skip);
   * overwrites dX[r] = the transposed convolution of dY[r] (dX null = skip).
   */
  conv2dBackward(g: ConvGeom, W: Buf, X: Buf, dY: Buf, rows: number, dW: Buf, dB: Buf | null, dX: Buf | null): void;
}
