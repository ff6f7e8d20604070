/**
 * The fastest kernels this engine runs: the JavaScript kernels (js.ts), with the dense parts
 * replaced by generated f32x4 WebAssembly where the engine has WebAssembly SIMD and the buffers
 * are Float32Array. The sparse parts (event-driven forward, spike-driven weight gradient) stay in
 * JavaScript, whose work is proportional to the non-zero inputs. Float64Array buffers, engines
 * without SIMD (or NIRKIT_NO_WASM=1) and geometries the generated code does not cover use the
 * JavaScript kernels throughout.
 */
import { wasmSimd } from "../../sim/wasm/instance.js";
import { checkConv, checkDense } from "./geometry.js";
import { createJsKernels } from "./js.js";
import type { Buf, TrainKernels } from "./types.js";
import { affineDx } from "./wasm-affine-dx.js";
import { convDx, convDxApplies } from "./wasm-conv-dx.js";
import { convSparse, convSparseApplies } from "./wasm-conv-sparse.js";

const f32 = (b: Buf): b is Float32Array => b instanceof Float32Array;

/** Creates the fast kernels (name "wasm-simd", or "js" without WebAssembly SIMD). */
export function createFastKernels(): TrainKernels {
  const js = createJsKernels();
  if (!wasmSimd) return js;
  return {
    ...js,
    name: "wasm-simd",
    affineBackward(g, W, X, dY, rows, dW, dB, dX) {
      if (!dX || !(f32(W) && f32(dY) && f32(dX))) return js.affineBackward(g, W, X, dY, rows, dW, dB, dX);
      checkDense(g, rows, W, null, X, dY, dX);
      js.affineBackward(g, W, X, dY, rows, dW, dB, null);
      affineDx(g).run(W, dY, rows, dX);
    },
    conv2dForward(g, W, bias, X, rows, Y) {
      if (!(f32(W) && f32(X) && f32(Y)) || !convSparseApplies(g)) return js.conv2dForward(g, W, bias, X, rows, Y);
      checkConv(g, rows, W, bias, X, Y);
      convSparse(g).forward(W, bias, X, rows, Y);
    },
    conv2dBackward(g, W, X, dY, rows, dW, dB, dX) {
      if (!(f32(W) && f32(X) && f32(dY) && (dX === null || f32(dX)))) return js.conv2dBackward(g, W, X, dY, rows, dW, dB, dX);
      checkConv(g, rows, W, null, X, dY, dX);
      const sparse = convSparseApplies(g), dense = dX !== null && convDxApplies(g);
      if (sparse) convSparse(g).weightGrad(X, dY, rows, dW, dB);
      if (!sparse || (dX && !dense)) js.conv2dBackward(g, W, X, dY, rows, sparse ? new Float32Array(dW.length) : dW, sparse ? null : dB, dense ? null : dX);
      if (dX && dense) convDx(g).run(W, dY, rows, dX);
    },
  };
}
