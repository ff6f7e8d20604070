/**
 * Experiment 3 of the NIR paper: the two Braille RNN graphs on the recovered ds_test[0]
 * sample (256 steps × 12 taxels). snnTorch semantics must reproduce snnTorch's own hidden
 * activity with 0 mismatching entries; the zero model's output counts and both predictions
 * come from paper-experiments §3.2.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readNpy } from "../../src/io/npy.js";
import { read } from "../../src/io/index.js";
import { activitySimilarity, argmax, compile, spikeCounts, type ProfileName, type ResetMode } from "../../src/sim/index.js";
import type { Tensor } from "../../src/ir/tensor.js";
import { refFile } from "../support/index.js";

const RNN = ["paper", "03_rnn"];
// The .npy copy is Fortran-ordered (readNpy refuses that); the .csv holds the same 256×12 values.
const inputPath = refFile(...RNN, "derived", "ds_test0_input_256x12.csv");

function brailleInput(): Tensor {
  const rows = readFileSync(inputPath!, "utf8").trim().split("\n").map((l) => l.split(",").map(Number));
  const data = Float64Array.from(rows.flat());
  expect(rows.length).toBe(256);
  expect(data.reduce((a, b) => a + b, 0)).toBe(539); // spikes of ds_test[0] (§3.2)
  return { dtype: "float64", shape: [256, 12], data };
}

function mismatches(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let n = 0;
  for (let k = 0; k < a.data.length; k++) if (Number(a.data[k]) !== Number(b.data[k])) n++;
  return n;
}

async function runModel(file: string, profile: ProfileName, reset: ResetMode) {
  const graph = await read(refFile(...RNN, file)!);
  const input = brailleInput();
  const plan = compile(graph, { dt: 1e-4, profile, reset });
  return plan.run(input, { record: ["lif1.lif:spikes"] });
}

const MODELS = [
  { name: "bias_zero", file: "braille_noDelay_bias_zero.nir", reset: "zero" as const },
  { name: "noBias_subtract", file: "braille_noDelay_noBias_subtract.nir", reset: "subtract" as const },
];

describe.skipIf(!inputPath)("Braille RNN experiment (paper/03_rnn)", () => {
  for (const m of MODELS) {
    const ref = refFile(...RNN, `snntorch_activity_noDelay_${m.name}.npy`);
    it.skipIf(!ref)(`snntorch profile with reset ${m.reset} reproduces snntorch_activity_noDelay_${m.name}.npy with 0 mismatches`, async () => {
      const res = await runModel(m.file, "snntorch", m.reset);
      const hidden = res.records["lif1.lif.spikes"];
      const want = readNpy(ref!);
      const bad = mismatches(hidden, want);
      const counts = Array.from(spikeCounts(res.output));
      console.log(`${m.name}: ${bad} mismatches of ${want.data.length}; hidden spikes ${spikeCounts(hidden, 0)[0]}; output counts [${counts}] → class ${argmax(counts)}`);
      expect(bad).toBe(0);
      // both models predict class 1 ("A"), the label of ds_test[0]
      expect(argmax(counts)).toBe(1);
      if (m.reset === "zero") expect(counts).toEqual([10, 160, 112, 113, 103, 68, 121]);
      else expect(counts).toEqual([0, 51, 21, 18, 3, 17, 22]);
    });
  }

  const zeroRef = refFile(...RNN, "snntorch_activity_noDelay_bias_zero.npy");
  it.skipIf(!zeroRef)("norse profile (no recurrent bias at step 0) differs from snnTorch in the paper's 23 entries, 118 hidden spikes", async () => {
    // paper-experiments §3.3/§3.4: Norse's zero-model activity has 118 spikes and differs from snnTorch in 23 entries
    const res = await runModel(MODELS[0].file, "norse", "zero");
    const hidden = res.records["lif1.lif.spikes"];
    expect(spikeCounts(hidden, 0)[0]).toBe(118);
    expect(mismatches(hidden, readNpy(zeroRef!))).toBe(23);
  });

  // Hidden-spike totals and activity similarities to snnTorch from the paper's §3.4 tables
  // (paper-experiments: Norse's subtract file = subtract graph with zero reset; Spyx = Euler
  // CubaLIF with subtract reset; Nengo = ZOH LIF with zero reset).
  const subRef = refFile(...RNN, "snntorch_activity_noDelay_noBias_subtract.npy");
  it.skipIf(!zeroRef || !subRef)("other profiles reproduce the paper's hidden-spike totals and similarities to snnTorch", async () => {
    const cases: [number, ProfileName, ResetMode, number, number][] = [
      [0, "norse", "zero", 118, 0.9986],
      [1, "norse", "zero", 103, 0.9929],
      [1, "spyx", "subtract", 120, 0.9976],
      [1, "nengo", "zero", 150, 0.9569],
    ];
    for (const [k, profile, reset, total, sim] of cases) {
      const res = await runModel(MODELS[k].file, profile, reset);
      const hidden = res.records["lif1.lif.spikes"];
      const s = activitySimilarity(hidden, readNpy(k === 0 ? zeroRef! : subRef!));
      console.log(`${MODELS[k].name} ${profile}: ${spikeCounts(hidden, 0)[0]} hidden spikes, similarity to snnTorch ${s.toFixed(4)}`);
      expect(spikeCounts(hidden, 0)[0]).toBe(total);
      expect(s).toBeCloseTo(sim, 4);
    }
  });

  const sub = refFile(...RNN, "extras", "braille_noDelay_bias_zero_subgraph.nir");
  it.skipIf(!sub)("runs the nested-subgraph version like the flat graph (same output spikes)", async () => {
    const flat = await runModel("braille_noDelay_bias_zero.nir", "snntorch", "zero");
    const graph = await read(sub);
    const res = compile(graph, { dt: 1e-4, profile: "snntorch", reset: "zero" }).run(brailleInput());
    expect(mismatches(res.output, flat.output)).toBe(0);
  });

  // Activity files of other platforms (kept back from shared/ for acceptance): semantics per §3.3.
  const OTHER: { file: string; model: (typeof MODELS)[number]; profile: ProfileName; reset: ResetMode }[] = [
    { file: "norse_activity_noDelay_noBias_subtract.npy", model: MODELS[1], profile: "norse", reset: "zero" },
    { file: "spyx_activity_noDelay_bias_zero.npy", model: MODELS[0], profile: "spyx", reset: "subtract" },
    { file: "spyx_activity_noDelay_noBias_subtract.npy", model: MODELS[1], profile: "spyx", reset: "subtract" },
  ];
  for (const o of OTHER) {
    const path = refFile(...RNN, o.file);
    it.skipIf(!path)(`${o.profile} profile (reset ${o.reset}) reproduces ${o.file}`, async () => {
      const res = await runModel(o.model.file, o.profile, o.reset);
      const want = readNpy(path!);
      // the spyx profile emits the hidden spikes one step late itself (row 0 silent), §3.3
      const got = res.records["lif1.lif.spikes"];
      const bad = mismatches(got, want);
      console.log(`${o.file}: ${bad} mismatches; similarity ${activitySimilarity(got, want)}`);
      expect(bad).toBe(0);
    });
  }
});
