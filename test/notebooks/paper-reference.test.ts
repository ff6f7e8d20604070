// The paper's numbers as nirkit reads them from shared/ (CSVs, .npy, reference tables). Each expected
// value is checked against an independent reading of the same reference file in the test itself.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT, refFile } from "../support/index.js";
import * as paper from "../../src/notebook/paper.js";

const md = refFile("reference", "paper-experiments.md");
const norseCsv = refFile("paper", "01_lif", "lif_norse.csv");

describe.skipIf(!md || !norseCsv)("paper reference readers", () => {
  it("reads LIF spike steps from the CSV spike column when the CSV is present", () => {
    const rows = readFileSync(norseCsv!, "utf8").trim().split("\n").map((l) => l.split(",").map(Number));
    const expected = rows.flatMap((r, i) => (r[2] === 1 ? [i] : []));
    const got = paper.paperLifSpikeSteps("norse")!;
    expect(got.source).toBe("csv");
    expect(got.steps).toEqual(expected);
  });

  it("falls back to the reference table for kept-back CSVs (Rockpool fires at 450 and 500)", () => {
    const got = paper.paperLifSpikeSteps("rockpool");
    if (paper.hasPaperFile("01_lif", "lif_rockpool.csv")) expect(got?.source).toBe("csv");
    else expect(got?.source).toBe("reference table");
    const row = readFileSync(md!, "utf8").split("\n").find((l) => l.startsWith("| Rockpool"))!;
    const expected = (row.split("|").at(-2)!.match(/\d+/g) ?? []).map(Number);
    expect(got?.steps).toEqual(expected);
  });

  it("reads accuracies from the .npy files and converts percent to fractions", () => {
    const cnn = paper.paperCnnAccuracies();
    for (const v of Object.values(cnn)) expect(v).toBeGreaterThan(0.9);
    expect(Object.keys(cnn).length).toBeGreaterThanOrEqual(8);
    const zero = paper.paperRnnAccuracies("bias_zero");
    for (const v of Object.values(zero)) expect(v).toBeLessThanOrEqual(1);
  });

  it("parses the CNN similarity table with the Speck column", () => {
    const m = paper.paperCnnSimilarity();
    expect(m.cols).toContain("Speck");
    const line = readFileSync(md!, "utf8").split("\n").find((l) => l.startsWith("| Sinabs | 0.66"))!;
    const speckIdx = m.cols.indexOf("Speck");
    expect(paper.paperMatrixValue(m, "Sinabs", "Speck")).toBe(Number(line.split("|")[speckIdx + 2]));
  });

  it("fills the upper-triangular RNN tables symmetrically", () => {
    const m = paper.paperRnnSimilarity("noBias_subtract");
    expect(paper.paperMatrixValue(m, "Spyx", "Norse")).toBe(paper.paperMatrixValue(m, "Norse", "Spyx"));
    expect(paper.paperMatrixValue(m, "Norse", "Spyx")).not.toBeNull();
  });

  it("reads the CNN probe totals and the RNN sample counts from the prose", () => {
    const p = paper.paperCnnProbeSpikes();
    expect(p.perDigit.reduce((a, b) => a + b, 0)).toBe(p.total);
    const r = paper.paperRnnSample("bias_zero");
    expect(r.outputCounts).toHaveLength(7);
  });
});

describe.skipIf(!md)("paper prose numbers", () => {
  it("reads Speck's probe spike total", () => {
    const text = readFileSync(md!, "utf8");
    const i = text.indexOf("Values are spike counts");
    expect(text.slice(i, i + 60)).toContain(paper.paperSpeckProbeSpikes().toLocaleString("en-US"));
  });
});

describe.skipIf(!md)("paper-numbers.md (shipped) is the extract of the reference notes", () => {
  it("equals what scripts/paper-numbers.mjs extracts from paper-experiments.md now", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "scripts", "paper-numbers.mjs"), md!, "--check"], { encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
