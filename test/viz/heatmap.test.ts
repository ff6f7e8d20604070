import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { toSVG } from "../../src/viz/render.js";
import { heatmap } from "../../src/viz/heatmap.js";
import { refFile } from "../support/index.js";
import { axisLabels, countMarks, markTexts, parseSvg } from "./svg.js";

const experiments = refFile("reference", "paper-experiments.md");

/** The markdown table that follows `heading` in paper-experiments.md: header labels and rows (blank = null). */
function tableAfter(md: string, heading: string): { cols: string[]; rows: string[]; values: (number | null)[][] } {
  const start = md.indexOf(heading);
  if (start < 0) throw new Error(`heading not found: ${heading}`);
  const lines = md.slice(start).split("\n").filter((l) => l.startsWith("|"));
  const table: string[] = [];
  for (const l of lines) { if (table.length && !l.startsWith("|")) break; table.push(l); }
  const cells = (l: string) => l.split("|").slice(1, -1).map((c) => c.trim());
  const cols = cells(table[0]).slice(1);
  const body = table.slice(2).filter((l) => !/^\|\s*-/.test(l));
  const out = { cols, rows: [] as string[], values: [] as (number | null)[][] };
  for (const l of body) {
    const c = cells(l);
    if (!cols.includes(c[0])) break; // the next table
    out.rows.push(c[0]);
    out.values.push(c.slice(1).map((v) => (v === "" ? null : Number(v))));
  }
  return out;
}

describe.skipIf(!experiments)("heatmap", () => {
  it("draws the paper's Braille similarity table (subtract model): one cell and one value per entry", async () => {
    const md = readFileSync(experiments!, "utf8");
    const t = tableAfter(md, "Similarity for the subtract model");
    expect(t.cols).toEqual(["Nengo", "Norse", "Rockpool", "snnTorch", "SpiNNaker2", "Spyx", "Xylo"]);
    const entries = t.values.flat().filter((v) => v !== null) as number[];
    const svg = parseSvg(await toSVG(heatmap(t.values, { rowLabels: t.rows, colLabels: t.cols, title: "Braille RNN activity similarity", format: ".4f" })));
    expect(countMarks(svg, "cells", "path")).toBe(entries.length);
    expect(countMarks(svg, "values", "text")).toBe(entries.length);
    expect(markTexts(svg, "values").sort()).toEqual(entries.map((v) => v.toFixed(4)).sort());
    // Nominal axes carry the platform names as labels.
    expect(axisLabels(svg)).toEqual(expect.arrayContaining([...t.cols, ...t.rows]));
  });

  it("shows absolute values when asked (the paper plots |cosine|)", () => {
    const spec = heatmap([[1, -0.25]], { absolute: true });
    expect((spec.data as { values: { value: number }[] }).values.map((r) => r.value)).toEqual([1, 0.25]);
  });

  it("refuses labels that do not match the matrix", () => {
    expect(() => heatmap([[1, 2]], { rowLabels: ["a", "b"] })).toThrow(expect.objectContaining({ code: "viz.invalid", field: "rowLabels" }));
  });
});
