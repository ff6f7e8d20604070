import { describe, expect, it } from "vitest";
import { loadBraille, stackBraille } from "../../src/data/braille.js";
import { read } from "../../src/io/read.js";
import { toFloat64 } from "../../src/ir/tensor.js";
import { simulate } from "../../src/sim/index.js";
import { confusionMatrix } from "../../src/viz/heatmap.js";
import { toSVG } from "../../src/viz/render.js";
import { refFile } from "../support/index.js";
import { axisTitles, countMarks, markTexts, parseSvg, titleTexts } from "./svg.js";

const graphPath = refFile("paper", "03_rnn", "braille_noDelay_bias_zero.nir");
const braillePath = refFile("datasets", "braille", "data_braille_letters_th10");

describe.skipIf(!graphPath || !braillePath)("confusionMatrix", () => {
  it("draws the Braille RNN's test-split confusion matrix: 7×7 cells whose counts match the predictions", async () => {
    const ds = loadBraille({ path: braillePath!, split: "test" });
    const { input, labels } = stackBraille(ds.samples);
    const g = await read(graphPath!);
    const res = simulate(g, input, { dt: 1e-4, profile: "snntorch", reset: "zero" });
    // Prediction = the output neuron with the most spikes (first on ties).
    const [T, B, C] = res.output.shape;
    const out = toFloat64(res.output);
    const pred = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const counts = new Array<number>(C).fill(0);
      for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) counts[c] += out[(t * B + b) * C + c];
      pred[b] = counts.indexOf(Math.max(...counts));
    }
    const expected = Array.from({ length: 7 }, () => new Array<number>(7).fill(0));
    labels.forEach((l, b) => expected[l][pred[b]]++);
    const correct = expected.reduce((s, r, i) => s + r[i], 0);

    const svg = parseSvg(await toSVG(confusionMatrix(labels, pred, { classes: ds.classes, title: "Braille RNN (snnTorch profile), test split" })));
    expect(countMarks(svg, "cells", "path")).toBe(49);
    expect(countMarks(svg, "values", "text")).toBe(49);
    expect(markTexts(svg, "values").map(Number).sort((a, b) => a - b)).toEqual(expected.flat().sort((a, b) => a - b));
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(["predicted class", "true class"]));
    expect(titleTexts(svg).join(" ")).toContain(`accuracy ${((correct / B) * 100).toFixed(2)} % (${correct} of ${B} samples)`);
  });

  it("refuses a prediction that is not a class index", () => {
    expect(() => confusionMatrix([0, 1], [0, 7], { classes: 3 })).toThrow(expect.objectContaining({ code: "viz.invalid" }));
  });
});
