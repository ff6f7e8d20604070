/**
 * The fastest kernels this engine runs: the JavaScript kernels (js.ts), with the dense parts
 * replaced by generated f32x4 WebAssembly where the engine has WebAssembly SIMD and the buffers
 * are Float32Array. The sparse parts (event-driven forward, spike-driven weight gradient) stay in
 * JavaScript, whose work is proportional to the non-zero inputs. Float64Array buffers, engines
 * without SIMD (or NIRKIT_NO_WASM=1) and geometries the generated code does not cover use the
 * JavaScript kernels throughout.
 */
import { wasmSimd } from "../../sim/wasm/instance.js";
import { checkConv } from "./geometry.js";
import { createJsKernels } from "./js.js";
import type { TrainKernels } from "./types.js";
import { convDx, convDxApplies } from "./wasm-conv-dx.js";

/** Creates the fast kernels (name "wasm-simd", or "js" without WebAssembly SIMD). */
export function createFastKernels(): TrainKernels {
  const js = createJsKernels();
  if (!wasmSimd) return js;
  return {
    ...js,
    name: "wasm-simd",
    conv2dBackward(g, W, X, dY, rows, dW, dB, dX) {
      if (!dX || !(W instanceof Float32Array && dY instanceof Float32Array && dX instanceof Float32Array) || !convDxApplies(g)) {
        js.conv2dBackward(g, W, X, dY, rows, dW, dB, dX);
        return;
      }
      checkConv(g, rows, W, null, X, dY, dX);
      js.conv2dBackward(g, W, X, dY, rows, dW, dB, null);
      convDx(g).run(W, dY, rows, dX);
    },
  };
}
