/** Chooses the dense kernels the training engine runs on, by precision. */
import { createFastKernels } from "./fast.js";
import { referenceKernels } from "./reference.js";
import type { TrainKernels } from "./types.js";

let fast: TrainKernels | null = null;

/**
 * The kernels for a precision: float32 runs the fast set (event-driven JavaScript plus generated
 * WebAssembly SIMD where available); float64 runs the plain reference loops, which are also the
 * oracle the fast set is tested against.
 */
export function trainKernels(dtype: "float32" | "float64"): TrainKernels {
  if (dtype === "float64") return referenceKernels;
  fast ??= createFastKernels();
  return fast;
}

export type { Buf, ConvGeom, DenseGeom, TrainKernels } from "./types.js";
