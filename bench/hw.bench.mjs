// hw benchmarks: chip emulators on the paper workloads (compiled dist/ required).
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as nir from "../dist/index.js";

const shared = process.env.NIR_SHARED ?? resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared");
const csv = (p) => readFileSync(p, "utf8").trim().split("\n").map((l) => l.split(",").map(Number));

/** Emulator timings: Speck CNN per N-MNIST sample, Xylo braille RNN, Loihi 2 and SpiNNaker2 LIF. */
export async function bench({ timeIt, log }) {
  const rows = [];
  const cnn = await nir.read(join(shared, "paper", "02_cnn", "cnn_sinabs.nir"));
  const speck = nir.exportTo("speck", cnn, { dt: 1e-3, reset: "subtract" });
  const ds = nir.loadNmnist({ split: "test", limit: 5 });
  const frames = ds.samples.map((s) => nir.toFrame(s.events, { timeWindow: 1000 }));
  const ms = await timeIt(() => { for (const f of frames) nir.emulate(speck, f); }, { repeat: 3 });
  rows.push({ name: "speck: cnn_sinabs emulation (int8, multi-spike)", median_ms: ms, per_sample_ms: ms / frames.length, batch: 1, steps: frames[0].shape[0] });
  log(`speck ${(ms / frames.length).toFixed(1)} ms/sample`);

  const rnn = await nir.read(join(shared, "paper", "03_rnn", "braille_noDelay_noBias_subtract.nir"));
  const xylo = nir.exportTo("xylo", rnn, { dt: 1e-4, reset: "subtract" });
  const rows256 = csv(join(shared, "paper", "03_rnn", "derived", "ds_test0_input_256x12.csv"));
  const x = { dtype: "float64", shape: [256, 12], data: Float64Array.from(rows256.flat()) };
  rows.push({ name: "xylo: braille RNN emulation (bit-exact)", median_ms: await timeIt(() => nir.emulate(xylo, x)), batch: 1, steps: 256 });

  const lif = await nir.read(join(shared, "paper", "01_lif", "lif_norse.nir"));
  const stim = Float64Array.from(csv(join(shared, "paper", "01_lif", "lif_norse.csv")).map((r) => r[0]));
  const inp = { dtype: "float64", shape: [1000, 1], data: stim };
  const loihi = nir.exportTo("loihi2", lif, { dt: 1e-4, reset: "zero" });
  rows.push({ name: "loihi2: LIF emulation (bit-accurate)", median_ms: await timeIt(() => nir.emulate(loihi, inp)), batch: 1, steps: 1000 });
  const s2 = nir.exportTo("spinnaker2", lif, { dt: 1e-4, reset: "zero", connDelay: 0, weightScale: 102.02 });
  rows.push({ name: "spinnaker2: LIF emulation", median_ms: await timeIt(() => nir.emulate(s2, inp)), batch: 1, steps: 1000 });
  rows.push({ name: "fit table: cnn_sinabs on 4 chips", median_ms: await timeIt(() => nir.fitTable(cnn)) });
  return rows;
}
