/**
 * Affine / Linear / Scale kernels. Affine and Linear scatter the transposed weight row of
 * every non-zero input (event-driven when the input port lists its active entries; a scan of
 * the dense input otherwise), so cost follows input activity. Weights of shape (..., out, in)
 * are handled as independent blocks over the leading dims.
 */
import { clearItem, type Port, type StepFn } from "./buffers.js";

/** Weight prepared for scattering: WT[l][i][o] per leading block l. */
export interface AffineParams {
  blocks: number;
  nin: number;
  nout: number;
  /** float64 (no conversion per load); float32 for matrices over 256k entries whose weights it holds exactly (halves memory traffic). */
  wt: Float64Array | Float32Array;
  /** (blocks × nout) bias, or null when all zero. */
  bias: Float64Array | null;
}

/** Transposes W (blocks, out, in) into WT (blocks, in, out). */
export function transposeWeight(w: ArrayLike<number>, blocks: number, nout: number, nin: number): Float64Array | Float32Array {
  // small matrices stay cache-resident either way: float64 saves a conversion per weight read
  let exact32 = w.length > 262144;
  for (let k = 0; k < w.length && exact32; k++) exact32 = Math.fround(w[k]) === w[k];
  const wt = exact32 ? new Float32Array(blocks * nin * nout) : new Float64Array(blocks * nin * nout);
  for (let l = 0; l < blocks; l++) {
    const base = l * nin * nout;
    for (let o = 0; o < nout; o++) for (let i = 0; i < nin; i++) wt[base + i * nout + o] = w[base + o * nin + i];
  }
  return wt;
}

/**
 * y = W·x (+ b): event-driven scatter over the non-zero inputs. `clean[b]` = 1 records that
 * item b's output holds just the bias (or zeros) from a step without input, so further steps
 * without input leave it as it is; whoever else writes the output must zero the flag.
 */
export function affineStep(p: AffineParams, inp: Port, outp: Port, clean: Uint8Array = new Uint8Array(inp.batch)): StepFn {
  const isz0 = inp.size;
  const osz0 = outp.size;
  const B = inp.batch;
  // ports keep their arrays for life: hold them here, not as property loads per step
  const x0 = inp.out, act0 = inp.act, nact0 = inp.nact;
  const y0 = outp.out, onact0 = outp.nact;
  const zero = clean;
  // scratch: weight-row offsets and values of the non-zero inputs of one item
  const rows = new Int32Array(Math.max(1, isz0));
  const vals = new Float64Array(Math.max(1, isz0));
  const zeros = new Float64Array(p.nout);
  return () => {
    // parameters as locals of this call (registers), not loads from the closure context
    const { blocks, nout, wt, bias } = p;
    const isz = isz0, osz = osz0;
    const x = x0, y = y0, act = act0, nact = nact0;
    for (let b = 0; b < B; b++) {
      const io = b * isz;
      const oo = b * osz;
      const n = nact[b];
      onact0[b] = -1;
      if (n === 0) {
        // no input: y = b (written once, then left as is)
        if (!zero[b]) {
          if (bias) for (let k = 0; k < osz; k++) y[oo + k] = bias[k];
          else for (let k = 0; k < osz; k++) y[oo + k] = 0;
          zero[b] = 1;
        }
        continue;
      }
      zero[b] = 0;
      if (blocks === 1) {
        // one matrix: list the non-zero inputs, then one pass over the outputs per (up to)
        // four of them, the first pass starting from the bias. Per output the additions are
        // those of the one-input-at-a-time scatter in the same order: the same sums.
        const m = listNonZeros(x, act, n, io, isz, nout, rows, vals);
        scatterRows(y, oo, nout, wt, bias, zeros, rows, vals, m);
      } else scatterBlocks(p, x, act, n, io, isz, y, oo, osz);
    }
  };
}

/**
 * Lists the non-zero inputs of one item (those `act` lists when `n` ≥ 0, else a scan of the
 * dense item) as weight-row offsets (`rows`, index·nout) and values (`vals`); returns how many.
 */
function listNonZeros(x: Float64Array, act: Int32Array, n: number, io: number, isz: number, nout: number, rows: Int32Array, vals: Float64Array): number {
  let m = 0;
  if (n >= 0) {
    for (let k = 0; k < n; k++) {
      const idx = act[io + k];
      const v = x[io + idx];
      if (v === 0) continue;
      rows[m] = idx * nout;
      vals[m++] = v;
    }
  } else {
    for (let idx = 0; idx < isz; idx++) {
      const v = x[io + idx];
      if (v === 0) continue;
      rows[m] = idx * nout;
      vals[m++] = v;
    }
  }
  return m;
}

/** One item of a multi-block affine: y = bias (or 0), then each non-zero input's weight row added onto its block. */
function scatterBlocks(p: AffineParams, x: Float64Array, act: Int32Array, n: number, io: number, isz: number, y: Float64Array, oo: number, osz: number): void {
  const { nin, nout, wt, bias } = p;
  if (bias) for (let k = 0; k < osz; k++) y[oo + k] = bias[k];
  else for (let k = 0; k < osz; k++) y[oo + k] = 0;
  if (n >= 0) {
    for (let k = 0; k < n; k++) {
      const idx = act[io + k];
      const v = x[io + idx];
      if (v === 0) continue;
      const l = Math.floor(idx / nin);
      const row = (l * nin + (idx - l * nin)) * nout;
      const ob = oo + l * nout;
      let o = 0;
      // four outputs per iteration, then the rest (same sums, fewer loop tests)
      for (; o + 3 < nout; o += 4) {
        y[ob + o] += v * wt[row + o];
        y[ob + o + 1] += v * wt[row + o + 1];
        y[ob + o + 2] += v * wt[row + o + 2];
        y[ob + o + 3] += v * wt[row + o + 3];
      }
      for (; o < nout; o++) y[ob + o] += v * wt[row + o];
    }
  } else {
    for (let idx = 0; idx < isz; idx++) {
      const v = x[io + idx];
      if (v === 0) continue;
      const l = Math.floor(idx / nin);
      const row = idx * nout;
      const ob = oo + l * nout;
      for (let o = 0; o < nout; o++) y[ob + o] += v * wt[row + o];
    }
  }
}

/**
 * y[oo + o] = (bias[o] or 0) + Σ_q vals[q]·wt[rows[q] + o], added in the order q = 0, 1, …,
 * visiting the outputs once per four inputs (fewer loads and stores than one pass each).
 */
function scatterRows(y: Float64Array, oo: number, nout: number, wt: Float64Array | Float32Array, bias: Float64Array | null, zeros: Float64Array, rows: Int32Array, vals: Float64Array, m: number): void {
  // the first pass starts from the bias (or from 0, as the scatter onto a zeroed output)
  let base = bias ?? zeros;
  let bo = 0;
  for (let q = 0; q < m; q += 4) {
    const c = m - q;
    if (c >= 4) {
      const r0 = rows[q], r1 = rows[q + 1], r2 = rows[q + 2], r3 = rows[q + 3];
      const v0 = vals[q], v1 = vals[q + 1], v2 = vals[q + 2], v3 = vals[q + 3];
      for (let o = 0; o < nout; o++) y[oo + o] = base[bo + o] + v0 * wt[r0 + o] + v1 * wt[r1 + o] + v2 * wt[r2 + o] + v3 * wt[r3 + o];
    } else if (c === 3) {
      const r0 = rows[q], r1 = rows[q + 1], r2 = rows[q + 2];
      const v0 = vals[q], v1 = vals[q + 1], v2 = vals[q + 2];
      for (let o = 0; o < nout; o++) y[oo + o] = base[bo + o] + v0 * wt[r0 + o] + v1 * wt[r1 + o] + v2 * wt[r2 + o];
    } else if (c === 2) {
      const r0 = rows[q], r1 = rows[q + 1];
      const v0 = vals[q], v1 = vals[q + 1];
      for (let o = 0; o < nout; o++) y[oo + o] = base[bo + o] + v0 * wt[r0 + o] + v1 * wt[r1 + o];
    } else {
      const r0 = rows[q];
      const v0 = vals[q];
      for (let o = 0; o < nout; o++) y[oo + o] = base[bo + o] + v0 * wt[r0 + o];
    }
    base = y;
    bo = oo;
  }
  if (m === 0) for (let o = 0; o < nout; o++) y[oo + o] = base[o];
}

/** y = s ⊙ x; keeps the input's active list (sparse in, sparse out). */
export function scaleStep(scale: Float64Array, inp: Port, outp: Port): StepFn {
  const n = inp.size;
  return () => {
    const x = inp.out;
    const y = outp.out;
    for (let b = 0; b < inp.batch; b++) {
      const off = b * n;
      const na = inp.nact[b];
      if (na >= 0) {
        clearItem(outp, b);
        const act = inp.act;
        for (let k = 0; k < na; k++) {
          const i = act[off + k];
          y[off + i] = scale[i] * x[off + i];
          outp.act[off + k] = i;
        }
        outp.nact[b] = na;
      } else {
        for (let i = 0; i < n; i++) y[off + i] = scale[i] * x[off + i];
        outp.nact[b] = -1;
      }
    }
  };
}
