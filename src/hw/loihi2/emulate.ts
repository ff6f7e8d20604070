/**
 * Bit-accurate Loihi 2 emulation of the Lava models `PyDenseModelBitAcc` + `PyLifModelBitAcc`:
 * Dense: a(t) = (W·s(t)) << exp (>> −exp when negative), delivered one step later.
 * LIF per step: u ← sign(u)·(|u·(4096 − (du+1))| >> 12) + (a << 6), wrapped to 24 bits as Lava does;
 * v ← sign(v)·(|v·(4096 − dv)| >> 12) + u + (biasMant << biasExp), clipped to ±(2^23 − 1);
 * spike when v > vThMant << 6, then v ← 0.
 */
import { NirError } from "../../ir/errors.js";
import type { Tensor } from "../../ir/tensor.js";
import { parseRecordSpec } from "../../sim/record.js";
import { flatNumbers } from "../graph.js";
import type { ChipEmulateOptions, EmulationResult } from "../types.js";
import { loihiCurrent, loihiDecay, loihiVoltage, loihiWrapU } from "../../sim/ops/loihi-fixed.js";
import type { Loihi2Config } from "./export.js";

/** Lava decay: sign(x)·((|x|·(4096 − d)) >> 12), rounding toward zero (sim/ops/loihi-fixed.ts). */
export const lavaDecay = loihiDecay;

/** Lava's 24-bit current wrap, keeping (−2^23, 2^23] (sim/ops/loihi-fixed.ts). */
export const lavaWrapU = loihiWrapU;

/** Runs a Loihi 2 config on input spikes (T, N_in) (graded values allowed). */
export function emulateLoihi2(config: Loihi2Config, input: Tensor, opts: ChipEmulateOptions = {}): EmulationResult {
  const layers = config.layer;
  if (!layers.length || layers[0].type !== "input") throw new NirError("hw.config", "Loihi 2 config must start with an input layer", { field: "layer[0]" });
  const nIn = layers[0].shape[2];
  const T = input.shape[0];
  if (input.data.length !== T * nIn) throw new NirError("sim.input_shape", `input has shape [${input.shape.join(",")}], expected (T, ${nIn})`, { field: "input" });
  const x = Float64Array.from(input.data as ArrayLike<number>, Number);
  const L = layers.length;
  const size = layers.map((l) => l.shape[2]);
  const u = layers.map((_, i) => new Float64Array(size[i]));
  const v = layers.map((_, i) => new Float64Array(size[i]));
  const s = layers.map((_, i) => new Float64Array(size[i]));
  const syn = layers.map((l) => (l.synapses ?? []).map((q) => ({ ...q, w: flatNumbers(q.weight), buf: new Float64Array(q.outFeatures) })));
  const records: Record<string, Tensor> = {};
  const recs = (opts.record ?? []).map((r) => {
    const { node, what, key } = parseRecordSpec(r);
    const li = layers.findIndex((l) => l.nirNode === node && l.type === "dense");
    if (li < 0) throw new NirError("hw.config", `cannot record "${node}": not a neuron layer of this Loihi 2 config`, { node, hint: `record one of ${layers.filter((l) => l.type === "dense").map((l) => l.nirNode).join(", ")}` });
    const t: Tensor = { dtype: "float64", shape: [T, size[li]], data: new Float64Array(T * size[li]) };
    records[key] = t;
    return { li, what, t };
  });
  const outLayers = layers.map((l, i) => (l.output ? i : -1)).filter((i) => i >= 0);
  const nOut = outLayers.reduce((a, i) => a + size[i], 0);
  const output = new Float32Array(T * nOut);
  for (let t = 0; t < T; t++) {
    s[0].set(x.subarray(t * nIn, (t + 1) * nIn));
    // neurons consume the dense buffers filled in the previous step
    for (let li = 1; li < L; li++) {
      const n = layers[li].neuron;
      if (!n) continue;
      const a = new Float64Array(size[li]);
      for (const q of syn[li]) for (let j = 0; j < a.length; j++) a[j] += q.buf[j];
      const bias = n.biasMant ?? [];
      const vth = n.vThMant * 64;
      for (let j = 0; j < size[li]; j++) {
        const uj = loihiCurrent(u[li][j], a[j], n.iDecay + 1);
        u[li][j] = uj;
        let vj = loihiVoltage(v[li][j], uj, n.vDecay, (bias[j] ?? 0) * 2 ** (n.biasExp ?? 0));
        if (vj > vth) {
          s[li][j] = 1;
          vj = 0;
        } else s[li][j] = 0;
        v[li][j] = vj;
      }
    }
    // dense processes accumulate this step's spikes for the next step
    for (let li = 1; li < L; li++) for (const q of syn[li]) {
      const src = s[q.source];
      q.buf.fill(0);
      for (let i = 0; i < q.inFeatures; i++) {
        const si = src[i];
        if (si === 0) continue;
        for (let o = 0; o < q.outFeatures; o++) q.buf[o] += q.w[o * q.inFeatures + i] * si;
      }
      const e = q.weightExponent;
      for (let o = 0; o < q.outFeatures; o++) q.buf[o] = e >= 0 ? q.buf[o] * 2 ** e : Math.floor(q.buf[o] / 2 ** -e);
    }
    let off = 0;
    for (const li of outLayers) {
      output.set(s[li], t * nOut + off);
      off += size[li];
    }
    for (const r of recs) {
      const src = r.what === "v" ? v[r.li] : r.what === "i" ? u[r.li] : s[r.li];
      (r.t.data as Float64Array).set(src, t * size[r.li]);
    }
  }
  return { chip: "loihi2", dt: config.dt, profile: "chip:loihi2", steps: T, batch: 1, output: { dtype: "float32", shape: [T, nOut], data: output }, records };
}
