import { createJsKernels } from "./js.js";
import type { TrainKernels } from "./types.js";
export function createFastKernels(): TrainKernels {
  return createJsKernels();
}
