import { describe, expect, it } from "vitest";
import { loadBraille, stackBraille } from "../../src/data/braille.js";
import { readNpy } from "../../src/io/npy.js";
import { read } from "../../src/io/read.js";
import { toFloat64 } from "../../src/ir/tensor.js";
import { simulate } from "../../src/sim/index.js";
import { accuracyBars } from "../../src/viz/accuracy.js";
import { PLATFORM_COLORS } from "../../src/viz/colors.js";
import { toSVG } from "../../src/viz/render.js";
import { refFile } from "../support/index.js";
import { axisLabels, axisTitles, countMarks, markGroups, markTexts, parseSvg } from "./svg.js";

const cnnDir = refFile("paper", "02_cnn");
const PLATFORMS = ["lava", "nengo", "norse", "s2", "sinabs", "snntorch", "speck", "spyx"];

describe.skipIf(!cnnDir)("accuracyBars", () => {
  it("draws one bar per platform of the paper's CNN accuracy files, in platform colours", async () => {
    const paper: Record<string, number> = {};
    for (const p of PLATFORMS) paper[p] = Number(readNpy(refFile("paper", "02_cnn", `${p}_accuracy.npy`)!).data[0]);
    expect(paper.sinabs).toBeCloseTo(0.9847, 4); // paper-experiments.md §2.4
    const svg = parseSvg(await toSVG(accuracyBars(paper, { zoom: true, title: "N-MNIST CNN accuracy as published" })));
    expect(countMarks(svg, "bars", "path")).toBe(PLATFORMS.length);
    expect(countMarks(svg, "paper")).toBe(0); // no separate paper marks when only one set of numbers is given
    expect(markTexts(svg, "bar_values").sort()).toEqual(PLATFORMS.map((p) => (paper[p] * 100).toFixed(1)).sort());
    const fills = markGroups(svg, "bars").flatMap((g) => g.children.map((c) => c.attrs.fill));
    expect(fills).toEqual(expect.arrayContaining([PLATFORM_COLORS["lava-float"], PLATFORM_COLORS.spinnaker2, PLATFORM_COLORS.speck]));
    expect(axisTitles(svg)).toContain("accuracy [%]");
    expect(axisLabels(svg)).toEqual(expect.arrayContaining(["Lava CPU float", "SpiNNaker2", "Sinabs", "Speck"]));
  });

  it("refuses percentages passed as fractions", () => {
    expect(() => accuracyBars({ norse: 98.1 })).toThrow(expect.objectContaining({ code: "viz.invalid", field: "accuracy" }));
  });
});

const rnnPath = refFile("paper", "03_rnn", "braille_noDelay_bias_zero.nir");
const braillePath = refFile("datasets", "braille", "data_braille_letters_th10");

describe.skipIf(!rnnPath || !braillePath)("accuracyBars with nirkit's own numbers", () => {
  it("compares the Braille RNN accuracy nirkit measures per profile with the paper's accuracy files", async () => {
    const ds = loadBraille({ path: braillePath!, split: "test" });
    const { input, labels } = stackBraille(ds.samples);
    const g = await read(rnnPath!);
    const measured: Record<string, number> = {};
    for (const profile of ["snntorch", "norse"] as const) {
      const out = simulate(g, input, { dt: 1e-4, profile, reset: "zero" }).output;
      const [T, B, C] = out.shape;
      const y = toFloat64(out);
      let correct = 0;
      for (let b = 0; b < B; b++) {
        const counts = new Array<number>(C).fill(0);
        for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) counts[c] += y[(t * B + b) * C + c];
        if (counts.indexOf(Math.max(...counts)) === labels[b]) correct++;
      }
      measured[profile] = correct / B;
    }
    // The paper's files: snnTorch as a fraction, Norse in % (paper-experiments.md §3.4).
    const paper = {
      snntorch: Number(readNpy(refFile("paper", "03_rnn", "snntorch_accuracy_noDelay_bias_zero.npy")!).data[0]),
      norse: Number(readNpy(refFile("paper", "03_rnn", "norse_accuracy_noDelay_bias_zero.npy")!).data[0]) / 100,
    };
    expect(paper.snntorch).toBeCloseTo(0.95, 4);
    expect(paper.norse).toBeCloseTo(0.9429, 4);
    const entries = Object.keys(measured).map((p) => ({ platform: p, accuracy: measured[p], paper: paper[p as keyof typeof paper] }));
    const svg = parseSvg(await toSVG(accuracyBars(entries, { title: "Braille RNN (bias, zero reset), θ = 10 recordings" })));
    expect(countMarks(svg, "bars", "path")).toBe(2);
    expect(countMarks(svg, "paper", "path")).toBe(2);
    expect(markTexts(svg, "bar_values").sort()).toEqual(entries.map((e) => (e.accuracy * 100).toFixed(1)).sort());
    expect(axisLabels(svg)).toEqual(expect.arrayContaining(["snnTorch", "Norse"]));
  });
});
