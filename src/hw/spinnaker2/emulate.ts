/**
 * SpiNNaker2 emulation of an exported network (export.ts): float64 state with the int8 weights,
 * per-projection delays, the s2_nir LIF / current-based LIF updates.
 */
import { NirError } from "../../ir/errors.js";
import type { Tensor } from "../../ir/tensor.js";
import { parseRecordSpec } from "../../sim/record.js";
import type { ChipEmulateOptions, EmulationResult } from "../types.js";
import type { S2Config } from "./export.js";

/**
 * Emulates an exported SpiNNaker2 network in float64 with its int8 weights: per step, input
 * arrives after conn_delay steps (self-connections at least one step); lif_no_delay: v ← alpha·v + i_offset + Σw·s;
 * lif_curr_exp: I ← exc_decay·I + Σw·s, v ← alpha·v + I + i_offset; spike when v > threshold;
 * reset to 0 or subtract the threshold. Voltages are in population units (÷ nir_v_scale for NIR units).
 */
export function emulateSpinnaker2(config: S2Config, input: Tensor, opts: ChipEmulateOptions = {}): EmulationResult {
  const pops = config.populations;
  const idx = new Map(pops.map((p, i) => [p.name, i]));
  const inp = idx.get(config.inputPopulation) ?? 0;
  const nIn = pops[inp].size;
  const T = input.shape[0];
  if (input.data.length !== T * nIn) throw new NirError("sim.input_shape", `input has shape [${input.shape.join(",")}], expected (T, ${nIn})`, { field: "input" });
  const x = Float64Array.from(input.data as ArrayLike<number>, Number);
  const maxDelay = config.projections.reduce((a, p) => p.connections.reduce((b, c) => Math.max(b, c[3]), a), 0);
  const H = Math.max(maxDelay, 1) + 1;
  const hist = pops.map((p) => Array.from({ length: H }, () => new Float64Array(p.size)));
  const v = pops.map((p) => new Float64Array(p.size));
  const cur = pops.map((p) => new Float64Array(p.size));
  const inc = pops.map((p) => new Float64Array(p.size));
  const { records, recs } = populationRecords(config, idx, T, opts.record);
  const outIdx = config.outputPopulations.map((n) => idx.get(n) as number);
  const nOut = outIdx.reduce((a, i) => a + pops[i].size, 0);
  const output = new Float32Array(T * nOut);
  const projs = config.projections.map((p) => ({ pre: idx.get(p.pre) as number, post: idx.get(p.post) as number, c: p.connections }));
  const order = pops.map((_, i) => i).filter((i) => i !== inp);
  for (let t = 0; t < T; t++) {
    const slot = t % H;
    hist[inp][slot].set(x.subarray(t * nIn, (t + 1) * nIn));
    for (const pi of order) {
      const p = pops[pi];
      const acc = inc[pi];
      acc.fill(0);
      for (const pr of projs) {
        if (pr.post !== pi) continue;
        for (const [pre, post, w, d0] of pr.c) {
          // a population cannot see its own spikes of this step: self-connections act one step later
          const d = d0 === 0 && pr.pre === pi ? 1 : d0;
          if (t - d < 0) continue;
          const s = hist[pr.pre][(t - d) % H][pre];
          if (s !== 0) acc[post] += w * s;
        }
      }
      const pr = p.params;
      const sub = pr.reset === "reset_by_subtraction";
      const spikes = hist[pi][slot];
      for (let j = 0; j < p.size; j++) {
        let vj: number;
        if (p.neuron_model === "lif_curr_exp_no_delay") {
          cur[pi][j] = (pr.exc_decay as number[])[j] * cur[pi][j] + acc[j];
          vj = (pr.alpha_decay as number[])[j] * v[pi][j] + cur[pi][j] + (pr.i_offset as number[])[j];
        } else vj = (pr.alpha_decay as number[])[j] * v[pi][j] + (pr.i_offset as number[])[j] + acc[j];
        const th = (pr.threshold as number[])[j];
        if (vj > th) {
          spikes[j] = 1;
          vj = sub ? vj - th : (pr.v_reset ?? 0);
        } else spikes[j] = 0;
        v[pi][j] = vj;
      }
    }
    let off = 0;
    for (const pi of outIdx) {
      output.set(hist[pi][slot], t * nOut + off);
      off += pops[pi].size;
    }
    for (const r of recs) {
      const src = r.what === "v" ? v[r.pi] : r.what === "i" ? cur[r.pi] : hist[r.pi][slot];
      (r.t.data as Float64Array).set(src, t * pops[r.pi].size);
    }
  }
  return { chip: "spinnaker2", dt: config.dt, profile: "chip:spinnaker2", steps: T, batch: 1, output: { dtype: "float32", shape: [T, nOut], data: output }, records };
}

/** One requested record of a population: its index, what it records (record-spec rule) and its (T, size) tensor. */
export interface PopulationRecord {
  pi: number;
  what: ReturnType<typeof parseRecordSpec>["what"];
  t: Tensor;
}

/**
 * The tensors for `record` (sim's record-spec rule) over T steps, keyed as the simulator keys them;
 * only neuron populations (not the input) can be recorded.
 */
export function populationRecords(config: S2Config, idx: Map<string, number>, T: number, record: string[] = []): { records: Record<string, Tensor>; recs: PopulationRecord[] } {
  const pops = config.populations;
  const inp = idx.get(config.inputPopulation) ?? 0;
  const records: Record<string, Tensor> = {};
  const recs = record.map((r) => {
    const { node, what, key } = parseRecordSpec(r);
    const pi = idx.get(node);
    if (pi === undefined || pi === inp) throw new NirError("hw.config", `cannot record "${node}": not a neuron population of this SpiNNaker2 config`, { node, hint: `record one of ${pops.filter((_, i) => i !== inp).map((p) => p.name).join(", ")}` });
    const t: Tensor = { dtype: "float64", shape: [T, pops[pi].size], data: new Float64Array(T * pops[pi].size) };
    records[key] = t;
    return { pi, what, t };
  });
  return { records, recs };
}
