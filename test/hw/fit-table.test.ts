/**
 * Must show: the fit table gives the right verdict for every paper graph and refuses a
 * deliberately oversize graph (2000 hidden neurons; a 20×20 kernel) with reasons.
 */
import { describe, expect, it } from "vitest";
import { read } from "../../src/io/index.js";
import { Conv2d, CubaLIF, IF, Input, Linear, NIRGraph, Output } from "../../src/ir/index.js";
import { tensor } from "../../src/ir/tensor.js";
import { checkFit, fitTable, maxBipartiteMatching, type Chip } from "../../src/hw/index.js";
import { refFiles } from "../support/index.js";

const verdicts = async (file: string): Promise<Record<Chip, boolean>> => {
  const g = await read(file);
  const cols = fitTable(g, { dt: 1e-4 });
  for (const c of cols) console.log(`[fit] ${file.split("/").pop()} ${c.chip}: ${c.verdict}${c.reason ? ` — ${c.reason}` : ""}`);
  return Object.fromEntries(cols.map((c) => [c.chip, c.verdict === "fits"])) as Record<Chip, boolean>;
};

const paperGraphs = refFiles(["paper", "01_lif", "lif_norse.nir"], ["paper", "02_cnn", "cnn_sinabs.nir"], ["paper", "03_rnn", "braille_noDelay_bias_zero.nir"],
  ["paper", "03_rnn", "braille_noDelay_noBias_subtract.nir"], ["paper", "01_lif", "debug_spike_representation", "two_lif_neurons.nir"]);
const paper = (...parts: string[]): string => paperGraphs!.find((p) => p.endsWith(parts.join("/"))) as string;

describe.skipIf(!paperGraphs)("fit table for the paper graphs", () => {
  it("lif_norse: Loihi 2 and SpiNNaker2 yes; Speck (IAF only) and Xylo (needs hidden + readout CubaLIF) no", async () => {
    expect(await verdicts(paper("01_lif", "lif_norse.nir"))).toEqual({ speck: false, xylo: false, loihi2: true, spinnaker2: true });
  });
  it("cnn_sinabs: fits Speck, Loihi 2 (netx conv) and SpiNNaker2; not Xylo (no convolutions)", async () => {
    expect(await verdicts(paper("02_cnn", "cnn_sinabs.nir"))).toEqual({ speck: true, xylo: false, loihi2: true, spinnaker2: true });
  });
  it("braille RNNs: fit Xylo, Loihi 2 and SpiNNaker2; not Speck (CubaLIF, recurrence)", async () => {
    for (const f of ["braille_noDelay_noBias_subtract.nir", "braille_noDelay_bias_zero.nir"]) {
      expect(await verdicts(paper("03_rnn", f))).toEqual({ speck: false, xylo: true, loihi2: true, spinnaker2: true });
    }
  });
  it("two_lif_neurons: v_leak ≠ 0 refused by Loihi 2, accepted by SpiNNaker2 (folded into i_offset)", async () => {
    const v = await verdicts(paper("01_lif", "debug_spike_representation", "two_lif_neurons.nir"));
    expect(v).toEqual({ speck: false, xylo: false, loihi2: false, spinnaker2: true });
  });
});

describe("oversize graphs are refused with reasons", () => {
  const ones = (n: number, m: number): number[][] => Array.from({ length: n }, () => new Array<number>(m).fill(0.1));
  const cuba = (n: number) => CubaLIF({
    tau_syn: new Array(n).fill(4e-4), tau_mem: new Array(n).fill(8e-4), r: new Array(n).fill(8), v_leak: new Array(n).fill(0),
    v_threshold: new Array(n).fill(1), w_in: new Array(n).fill(4),
  });
  it("2000 hidden neurons: Xylo refuses (hidden ≤ 1000, fan-out ≤ 64)", () => {
    const g = NIRGraph({
      nodes: { input: Input({ shape: [16] }), fc1: Linear({ weight: ones(2000, 16) }), hid: cuba(2000), fc2: Linear({ weight: ones(8, 2000) }), out: cuba(8), output: Output({ shape: [8] }) },
      edges: [["input", "fc1"], ["fc1", "hid"], ["hid", "fc2"], ["fc2", "out"], ["out", "output"]],
    });
    const r = checkFit(g, "xylo", { dt: 1e-4 });
    console.log("[fit] 2000 hidden on xylo:", r.violations.map((v) => `${v.node}: ${v.constraint} (limit ${v.limit}, actual ${v.actual})`).join("; "));
    expect(r.fits).toBe(false);
    const hidden = r.violations.find((v) => v.constraint === "hidden neurons ≤ 1000");
    expect(hidden).toMatchObject({ node: "hid", limit: 1000, actual: 2000 });
    expect(r.violations.find((v) => v.constraint === "fan-out ≤ 64")?.actual).toBe(2000);
    expect(hidden?.fix).toMatch(/1000/);
  });
  it("a 20×20 kernel: Speck refuses (kernel ≤ 16×16)", () => {
    const g = NIRGraph({
      nodes: {
        input: Input({ shape: [2, 34, 34] }),
        conv: Conv2d({ input_shape: [34, 34], weight: tensor(new Float64Array(4 * 2 * 20 * 20).fill(0.01), "float64", [4, 2, 20, 20]), stride: 1, padding: 0, dilation: 1, groups: 1, bias: new Array(4).fill(0) }),
        spk: IF({ r: tensor(new Float64Array(4 * 15 * 15).fill(1), "float64", [4, 15, 15]), v_threshold: tensor(new Float64Array(4 * 15 * 15).fill(1), "float64", [4, 15, 15]) }),
        output: Output({ shape: [4, 15, 15] }),
      },
      edges: [["input", "conv"], ["conv", "spk"], ["spk", "output"]],
    });
    const r = checkFit(g, "speck");
    console.log("[fit] 20x20 kernel on speck:", r.violations.map((v) => `${v.node}: ${v.constraint} (limit ${v.limit}, actual ${v.actual})`).join("; "));
    expect(r.fits).toBe(false);
    expect(r.violations.find((v) => v.constraint === "kernel ≤ 16×16")).toMatchObject({ node: "conv", limit: "16×16", actual: "20×20" });
  });
});

describe("max bipartite matching", () => {
  it("finds a perfect matching that greedy first-fit misses", () => {
    // layer 0 fits cores 0,1; layer 1 fits core 0 only: greedy gives 0→0 and leaves 1 unmatched
    const m = maxBipartiteMatching([[0, 1], [0]], 2);
    expect(m.size).toBe(2);
    expect(m.match).toEqual([1, 0]);
  });
});
