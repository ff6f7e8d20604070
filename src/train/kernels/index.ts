/** Chooses the dense kernels the training engine runs on, by precision. */
import { referenceKernels } from "./reference.js";
import type { TrainKernels } from "./types.js";

/** The kernels for a precision: the plain JavaScript reference for both (the fast f32 set plugs in here). */
export function trainKernels(dtype: "float32" | "float64"): TrainKernels {
  void dtype;
  return referenceKernels;
}

export type { Buf, ConvGeom, DenseGeom, TrainKernels } from "./types.js";
