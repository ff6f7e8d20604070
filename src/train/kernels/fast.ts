/**
 * The fastest kernels this engine runs: generated f32x4 WebAssembly where the engine has
 * WebAssembly SIMD and the buffers are Float32Array, the JavaScript kernels (js.ts) elsewhere.
 * - conv forward and weight gradient: event- and spike-driven wasm (wasm-conv-sparse.ts) when a
 *   group's output channels are a multiple of four;
 * - conv dX: Winograd F(2×2, 3×3) for 3×3 stride-1 layers, a direct kernel for other stride-1
 *   layers; strided layers compute their whole backward in JavaScript;
 * - affine: event- and spike-driven wasm forward and weight gradient for whole-window calls (they
 *   build a transposed weight per call; calls of few rows, as a recurrent layer's per-step calls,
 *   use JavaScript), and a blocked wasm product for dX.
 * Float64Array buffers, engines without SIMD and NIRKIT_NO_WASM=1 use the JavaScript kernels throughout.
 */
import { wasmSimd } from "../../sim/wasm/instance.js";
import { checkConv, checkDense } from "./geometry.js";
import { createJsKernels } from "./js.js";
import type { Buf, TrainKernels } from "./types.js";
import { affineDx } from "./wasm-affine-dx.js";
import { affineSparse } from "./wasm-affine-sparse.js";
import { convDx, convDxApplies } from "./wasm-conv-dx.js";
import { convDxWinograd, winogradApplies } from "./wasm-conv-dx-winograd.js";
import { convSparse, convSparseApplies } from "./wasm-conv-sparse.js";

const f32 = (b: Buf): b is Float32Array => b instanceof Float32Array;

/** Rows from which the wasm affine forward and weight gradient repay building the transposed weight. */
const AFFINE_SPARSE_ROWS = 64;

/** Creates the fast kernels (name "wasm-simd", or "js" without WebAssembly SIMD). */
export function createFastKernels(): TrainKernels {
  const js = createJsKernels();
  if (!wasmSimd) return js;
  return {
    ...js,
    name: "wasm-simd",
    affineForward(g, W, bias, X, rows, Y) {
      if (rows < AFFINE_SPARSE_ROWS || !(f32(W) && f32(X) && f32(Y))) return js.affineForward(g, W, bias, X, rows, Y);
      checkDense(g, rows, W, bias, X, Y);
      affineSparse(g).forward(W, bias, X, rows, Y);
    },
    affineBackward(g, W, X, dY, rows, dW, dB, dX) {
      if (!(f32(W) && f32(X) && f32(dY) && (dX === null || f32(dX)))) return js.affineBackward(g, W, X, dY, rows, dW, dB, dX);
      checkDense(g, rows, W, null, X, dY, dX);
      if (rows >= AFFINE_SPARSE_ROWS) affineSparse(g).weightGrad(X, dY, rows, dW, dB);
      else js.affineBackward(g, W, X, dY, rows, dW, dB, null);
      if (dX) affineDx(g).run(W, dY, rows, dX);
    },
    conv2dForward(g, W, bias, X, rows, Y) {
      if (!(f32(W) && f32(X) && f32(Y)) || !convSparseApplies(g)) return js.conv2dForward(g, W, bias, X, rows, Y);
      checkConv(g, rows, W, bias, X, Y);
      convSparse(g).forward(W, bias, X, rows, Y);
    },
    conv2dBackward(g, W, X, dY, rows, dW, dB, dX) {
      if (!(f32(W) && f32(X) && f32(dY) && (dX === null || (f32(dX) && convDxApplies(g))))) return js.conv2dBackward(g, W, X, dY, rows, dW, dB, dX);
      checkConv(g, rows, W, null, X, dY, dX);
      if (convSparseApplies(g)) convSparse(g).weightGrad(X, dY, rows, dW, dB);
      else js.conv2dBackward(g, W, X, dY, rows, dW, dB, null);
      if (dX) (winogradApplies(g) ? convDxWinograd(g) : convDx(g)).run(W, dY, rows, dX);
    },
  };
}

/** The fast kernels, shared (their scratch and generated modules are per geometry, made on first use). */
export const fastKernels: TrainKernels = createFastKernels();
