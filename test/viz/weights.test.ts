import { describe, expect, it } from "vitest";
import { read } from "../../src/io/read.js";
import { toFloat64 } from "../../src/ir/tensor.js";
import { toSVG } from "../../src/viz/render.js";
import { weightHistogram, weightLayers } from "../../src/viz/weights.js";
import { refFile } from "../support/index.js";
import { axisTitles, countMarks, markGroups, parseSvg } from "./svg.js";

const cnnPath = refFile("paper", "02_cnn", "cnn_sinabs.nir");

describe.skipIf(!cnnPath)("weightHistogram", () => {
  it("draws one panel per CNN layer with weights and one bar per non-empty bin", async () => {
    const g = await read(cnnPath!);
    const withWeights = [...g.nodes.entries()].filter(([, n]) => "weight" in n);
    expect(withWeights.map(([k]) => k).sort()).toEqual(["0", "11", "2", "5", "9"]);
    // Input to output order (paper-experiments.md §2.1 chain).
    expect(weightLayers(g).map((l) => l.name)).toEqual(["0", "2", "5", "9", "11"]);
    const bins = 30;
    let expected = 0;
    for (const [, n] of withWeights) {
      const w = toFloat64((n as { weight: Parameters<typeof toFloat64>[0] }).weight);
      let lo = Infinity, hi = -Infinity;
      for (const v of w) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      const used = new Set<number>();
      for (const v of w) used.add(Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins)));
      expected += used.size;
    }
    const svg = parseSvg(await toSVG(weightHistogram(g, { bins })));
    expect(markGroups(svg, "bins").length).toBe(5);
    expect(countMarks(svg, "bins", "path")).toBe(expected);
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(["weight", "count"]));
  });
});
