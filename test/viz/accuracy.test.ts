import { describe, expect, it } from "vitest";
import { readNpy } from "../../src/io/npy.js";
import { accuracyBars } from "../../src/viz/accuracy.js";
import { PLATFORM_COLORS } from "../../src/viz/colors.js";
import { toSVG } from "../../src/viz/render.js";
import { sharedFile } from "../support.js";
import { axisLabels, axisTitles, countMarks, markGroups, markTexts, parseSvg } from "./svg.js";

const cnnDir = sharedFile("paper", "02_cnn");
const PLATFORMS = ["lava", "nengo", "norse", "s2", "sinabs", "snntorch", "speck", "spyx"];

describe.skipIf(!cnnDir)("accuracyBars", () => {
  it("draws one bar per platform of the paper's CNN accuracies, with the paper marks", async () => {
    const paper: Record<string, number> = {};
    for (const p of PLATFORMS) paper[p] = Number(readNpy(sharedFile("paper", "02_cnn", `${p}_accuracy.npy`)!).data[0]);
    expect(paper.sinabs).toBeCloseTo(0.9847, 4); // paper-experiments.md §2.4
    // "This run": the paper's numbers rounded to 2 decimals, so bars and marks differ visibly.
    const entries = PLATFORMS.map((p) => ({ platform: p, accuracy: Math.round(paper[p] * 100) / 100, paper: paper[p] }));
    const svg = parseSvg(await toSVG(accuracyBars(entries, { zoom: true })));
    expect(countMarks(svg, "bars", "path")).toBe(PLATFORMS.length);
    expect(countMarks(svg, "paper", "path")).toBe(PLATFORMS.length);
    expect(markTexts(svg, "bar_values").sort()).toEqual(entries.map((e) => (e.accuracy * 100).toFixed(1)).sort());
    const fills = markGroups(svg, "bars").flatMap((g) => g.children.map((c) => c.attrs.fill));
    expect(fills).toEqual(expect.arrayContaining([PLATFORM_COLORS["lava-float"], PLATFORM_COLORS.spinnaker2, PLATFORM_COLORS.speck]));
    expect(axisTitles(svg)).toContain("accuracy [%]");
    expect(axisLabels(svg)).toEqual(expect.arrayContaining(["Lava CPU float", "SpiNNaker2", "Sinabs", "Speck"]));
  });

  it("refuses percentages passed as fractions", () => {
    expect(() => accuracyBars({ norse: 98.1 })).toThrow(expect.objectContaining({ code: "viz.invalid", field: "accuracy" }));
  });
});
