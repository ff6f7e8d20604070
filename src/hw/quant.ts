/** Per-layer quantisation error rows (shared by every exporter). */
import type { QuantError } from "./types.js";

/** Compares integers `q` (meaning q/scale) with floats `w`; `clipped` counts saturated entries. */
export function quantError(layer: string, field: string, w: ArrayLike<number>, q: ArrayLike<number>, scale: number | ArrayLike<number>, clipped = 0, scaleIndex?: (i: number) => number): QuantError {
  let maxAbs = 0;
  let maxW = 0;
  let se = 0;
  for (let i = 0; i < w.length; i++) {
    const s = typeof scale === "number" ? scale : scale[scaleIndex ? scaleIndex(i) : i];
    const e = Math.abs(q[i] / s - w[i]);
    if (e > maxAbs) maxAbs = e;
    se += e * e;
    if (Math.abs(w[i]) > maxW) maxW = Math.abs(w[i]);
  }
  const rms = w.length ? Math.sqrt(se / w.length) : 0;
  const scalar = typeof scale === "number" ? scale : scale.length ? scale[0] : 1;
  return { layer, field, scale: scalar, maxAbsError: maxAbs, relRmsError: maxW > 0 ? rms / maxW : 0, clipped };
}
