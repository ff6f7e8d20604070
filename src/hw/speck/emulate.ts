/**
 * Speck emulator: time-stepped integer IAF per core, as sinabs' discretised DynapcnnNetwork
 * computes it (the chip itself is event-driven; event order within a step is not modelled).
 * Per step and core: v += conv(input counts) (+ bias if leak_enable); v saturates at 16 bits;
 * n = floor(v / threshold_high) spikes when v ≥ threshold_high (multi-spike); reset subtracts
 * n·threshold or sets v to 0 (return_to_zero); then v = max(v, threshold_low); spikes are
 * sum-pooled for the destination core.
 */
import { NirError } from "../../ir/errors.js";
import type { Tensor } from "../../ir/tensor.js";
import { parseRecordSpec } from "../../sim/record.js";
import { flatNumbers } from "../graph.js";
import type { ChipEmulateOptions, EmulationResult } from "../types.js";
import type { SpeckConfig } from "./export.js";

interface CoreState {
  cIn: number; hIn: number; wIn: number;
  f: number; k: number; sy: number; sx: number; py: number; px: number; hOut: number; wOut: number; pool: number;
  w: Int32Array; b: Int32Array; leak: boolean; thr: number; low: number; rtz: boolean;
  v: Int32Array; spikes: Int32Array;
}

function buildCore(l: SpeckConfig["cnnLayers"][number]): CoreState {
  const d = l.dimensions;
  const f = d.output_shape.feature_count, c = d.input_shape.feature_count, k = d.kernel_size;
  const samna = flatNumbers(l.weights);
  if (samna.length !== f * c * k * k) throw new NirError("hw.config", `core ${l.core}: ${samna.length} weights, expected ${f}·${c}·${k}·${k}`, { field: "weights" });
  const w = new Int32Array(samna.length);
  // back from [out][in][x][y] to [out][in][y][x]
  for (let o = 0; o < f; o++) for (let i = 0; i < c; i++) for (let x = 0; x < k; x++) for (let y = 0; y < k; y++) {
    w[((o * c + i) * k + y) * k + x] = samna[((o * c + i) * k + x) * k + y];
  }
  const hOut = d.output_shape.size.y, wOut = d.output_shape.size.x;
  return {
    cIn: c, hIn: d.input_shape.size.y, wIn: d.input_shape.size.x, f, k,
    sy: d.stride.y, sx: d.stride.x, py: d.padding.y, px: d.padding.x, hOut, wOut,
    pool: l.destinations[0]?.pooling ?? 1,
    w, b: Int32Array.from(l.biases), leak: l.leak_enable, thr: l.threshold_high, low: l.threshold_low, rtz: l.return_to_zero,
    v: new Int32Array(f * hOut * wOut), spikes: new Int32Array(f * hOut * wOut),
  };
}

/** Adds `n` events at input (c, iy, ix) to every output neuron its kernel reaches. */
function scatter(s: CoreState, c: number, iy: number, ix: number, n: number): void {
  const { k, sy, sx, py, px, hOut, wOut, f, cIn, w, v } = s;
  const plane = hOut * wOut;
  for (let ky = 0; ky < k; ky++) {
    const ny = iy + py - ky;
    if (ny < 0 || ny % sy !== 0) continue;
    const oy = ny / sy;
    if (oy >= hOut) continue;
    for (let kx = 0; kx < k; kx++) {
      const nx = ix + px - kx;
      if (nx < 0 || nx % sx !== 0) continue;
      const ox = nx / sx;
      if (ox >= wOut) continue;
      const pos = oy * wOut + ox;
      const wo = (c * k + ky) * k + kx;
      const wStride = cIn * k * k;
      for (let o = 0; o < f; o++) v[o * plane + pos] += n * w[o * wStride + wo];
    }
  }
}

/** Runs a Speck config on input counts (T, C, H, W) (or (T, N) for flat inputs). */
export function emulateSpeck(config: SpeckConfig, input: Tensor, opts: ChipEmulateOptions = {}): EmulationResult {
  const cores = config.cnnLayers.map(buildCore);
  const [C, H, W] = config.inputShape;
  const T = input.shape[0];
  const per = C * H * W;
  if (input.data.length !== T * per) {
    throw new NirError("sim.input_shape", `input has shape [${input.shape.join(",")}], expected (T, ${C}, ${H}, ${W})`, { field: "input", hint: "give event counts per time step, channel, row, column" });
  }
  const x = input.data instanceof Float32Array || input.data instanceof Float64Array ? input.data : Float64Array.from(input.data as ArrayLike<number>, Number);
  const recs = (opts.record ?? []).map(parseRecordSpec);
  const records: Record<string, Tensor> = {};
  const recOf = recs.map((r) => {
    const li = config.cnnLayers.findIndex((l) => l.nirNodes.neuron === r.node || l.nirNodes.weight === r.node || l.nirNodes.pool === r.node);
    if (li < 0) throw new NirError("hw.config", `cannot record "${r.node}": not a layer of this Speck config`, { node: r.node, hint: `record one of ${config.cnnLayers.map((l) => l.nirNodes.neuron).join(", ")}` });
    const s = cores[li];
    const key = r.key;
    const t: Tensor = { dtype: "float32", shape: [T, s.f, s.hOut, s.wOut], data: new Float32Array(T * s.f * s.hOut * s.wOut) };
    records[key] = t;
    return { li, what: r.what, t };
  });
  const last = cores[cores.length - 1];
  const outPer = last.f * Math.floor(last.hOut / last.pool) * Math.floor(last.wOut / last.pool);
  const output = new Float32Array(T * outPer);
  const S_MAX = 32767, S_MIN = -32768;
  for (let t = 0; t < T; t++) {
    // events entering core 0: (c, y, x, n)
    let evC: number[] = [], evY: number[] = [], evX: number[] = [], evN: number[] = [];
    let i = t * per;
    for (let c = 0; c < C; c++) for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++, i++) {
      const n = x[i];
      if (n !== 0) {
        evC.push(c);
        evY.push(y);
        evX.push(xx);
        evN.push(n);
      }
    }
    for (let li = 0; li < cores.length; li++) {
      const s = cores[li];
      for (let e = 0; e < evC.length; e++) scatter(s, evC[e], evY[e], evX[e], evN[e]);
      const plane = s.hOut * s.wOut;
      const { v, spikes, thr, low, rtz, leak, b } = s;
      for (let o = 0; o < s.f; o++) {
        const bias = leak ? b[o] : 0;
        const end = (o + 1) * plane;
        for (let i = o * plane; i < end; i++) {
          let vi = v[i] + bias;
          if (vi > S_MAX) vi = S_MAX;
          else if (vi < S_MIN) vi = S_MIN;
          let n = 0;
          if (vi >= thr) {
            n = Math.floor(vi / thr);
            vi = rtz ? 0 : vi - n * thr;
          }
          if (vi < low) vi = low;
          v[i] = vi;
          spikes[i] = n;
        }
      }
      // pool for the destination
      const p = s.pool;
      const ph = Math.floor(s.hOut / p), pw = Math.floor(s.wOut / p);
      const nc: number[] = [], ny: number[] = [], nx: number[] = [], nn: number[] = [];
      const pooled = new Int32Array(s.f * ph * pw);
      for (let o = 0; o < s.f; o++) for (let y = 0; y < ph * p; y++) {
        const row = o * plane + y * s.wOut;
        const prow = (o * ph + Math.floor(y / p)) * pw;
        for (let xx = 0; xx < pw * p; xx++) {
          const c = spikes[row + xx];
          if (c !== 0) pooled[prow + Math.floor(xx / p)] += c;
        }
      }
      for (let o = 0; o < s.f; o++) for (let y = 0; y < ph; y++) for (let xx = 0; xx < pw; xx++) {
        const c = pooled[(o * ph + y) * pw + xx];
        if (c === 0) continue;
        nc.push(o);
        ny.push(y);
        nx.push(xx);
        nn.push(c);
      }
      for (const r of recOf) {
        if (r.li !== li) continue;
        const src = r.what === "v" ? v : spikes;
        (r.t.data as Float32Array).set(src, t * src.length);
      }
      if (li === cores.length - 1) output.set(pooled, t * outPer);
      evC = nc; evY = ny; evX = nx; evN = nn;
    }
  }
  return {
    chip: "speck",
    dt: config.dt,
    profile: "chip:speck",
    steps: T,
    batch: 1,
    output: { dtype: "float32", shape: [T, ...config.outputShape], data: output },
    records,
  };
}
