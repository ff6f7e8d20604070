/**
 * The workshop's two live explorers on the paper's networks (see viz/explore): the LIF neuron of
 * experiment 1 with its stimulus, and the Braille RNN of experiment 3 on its first test sample.
 */
import { readFileSync } from "node:fs";
import { tensor } from "../ir/tensor.js";
import { read } from "../io/read.js";
import { BRAILLE_PAPER_LETTERS, BRAILLE_TAXELS } from "../data/braille.js";
import { explore, type Explorer, type ExploreOptions } from "../viz/explore/explore.js";
import { paperPath, readLifCsv } from "./paper.js";

/**
 * The paper's LIF graph (`01_lif/lif_norse.nir`: weight 1, τ 2.5 ms, threshold 0.1) driven by its
 * stimulus (the input column of `lif_norse.csv`, 1000 steps of dt = 0.1 ms), Norse profile.
 * Options override the explorer's (e.g. `{profile: "loihi2"}`).
 */
export async function lifExplorer(opts: ExploreOptions = {}): Promise<Explorer> {
  const graph = await read(paperPath("01_lif", "lif_norse.nir"));
  const csv = readLifCsv(paperPath("01_lif", "lif_norse.csv"));
  return explore(graph, {
    dt: 1e-4,
    input: tensor(csv.input, "float64", [csv.input.length, 1]),
    title: "One LIF neuron (lif_norse.nir) and the paper's stimulus",
    source: 'nir.paperPath("01_lif", "lif_norse.nir")',
    ...opts,
  });
}

/**
 * The paper's Braille RNN (`03_rnn/braille_noDelay_bias_zero.nir`) on test sample 0 (letter A,
 * 256 steps of 0.1 ms), snnTorch profile with reset to zero as the paper ran it; the recurrent
 * weights get a scale control, the thresholds are value controls, and the page shows the hidden
 * raster and the predicted letter.
 */
export async function brailleExplorer(opts: ExploreOptions = {}): Promise<Explorer> {
  const graph = await read(paperPath("03_rnn", "braille_noDelay_bias_zero.nir"));
  const rows = readFileSync(paperPath("03_rnn", "derived", "ds_test0_input_256x12.csv"), "utf8").trim().split(/\r?\n/);
  const x = Float64Array.from(rows.flatMap((r) => r.split(",").map(Number)));
  return explore(graph, {
    dt: 1e-4,
    profile: "snntorch",
    reset: "zero",
    input: tensor(x, "float64", [rows.length, BRAILLE_TAXELS]),
    record: ["lif1.lif"],
    scales: [{ node: "lif1.w_rec", field: "weight" }],
    labels: [...BRAILLE_PAPER_LETTERS],
    title: "The Braille RNN (braille_noDelay_bias_zero.nir) on test sample 0 (letter A)",
    source: 'nir.paperPath("03_rnn", "braille_noDelay_bias_zero.nir")',
    ...opts,
  });
}
