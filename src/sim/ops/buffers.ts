/**
 * A node's output for one step, for a whole batch: dense values plus, per batch item, an
 * optional list of the indices that may be non-zero ("active"). Kernels use the list to work
 * event-driven (scatter only active inputs) and fall back to scanning when `nact[b]` is −1.
 */

/** Output buffers of one node: `out` is (B × size), `act` holds per-item index lists. */
export interface Port {
  size: number;
  batch: number;
  out: Float64Array;
  /** Active indices of item b live at act[b·size … b·size + nact[b]). */
  act: Int32Array;
  /** Count of active indices per item; −1 = unknown (consumers scan `out`). */
  nact: Int32Array;
}

/** Allocates a zeroed port; every item starts with an empty active list. */
export function makePort(size: number, batch: number): Port {
  return { size, batch, out: new Float64Array(size * batch), act: new Int32Array(Math.max(1, size * batch)), nact: new Int32Array(batch) };
}

/** Zeroes item b of a port cheaply: the listed entries when known, else the whole slice. */
export function clearItem(p: Port, b: number): void {
  const off = b * p.size;
  const n = p.nact[b];
  const out = p.out;
  if (n < 0) out.fill(0, off, off + p.size);
  else {
    const act = p.act;
    for (let k = 0; k < n; k++) out[off + act[off + k]] = 0;
  }
  p.nact[b] = 0;
}

/** A step function: runs one node for every batch item at step t. */
export type StepFn = (t: number) => void;
