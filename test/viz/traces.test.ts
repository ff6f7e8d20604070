import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PLATFORM_COLORS } from "../../src/viz/colors.js";
import { toSVG } from "../../src/viz/render.js";
import { traces, type TraceRun } from "../../src/viz/traces.js";
import { refFile } from "../support/index.js";
import { axisTitles, countMarks, markGroups, parseSvg } from "./svg.js";

const lifDir = refFile("paper", "01_lif");

/** Every lif_*.csv: columns (input, voltage, spike), 1000 rows, no header (paper-experiments.md §1.3). */
function readLifCsvs(dir: string): { platform: string; cols: number[][] }[] {
  return readdirSync(dir)
    .filter((f) => /^lif_.*\.csv$/.test(f))
    .sort()
    .map((f) => {
      const rows = readFileSync(join(dir, f), "utf8").trim().split("\n").map((l) => l.split(",").map(Number));
      return { platform: f.slice(4, -4), cols: [0, 1, 2].map((c) => rows.map((r) => r[c])) };
    });
}

describe.skipIf(!lifDir)("traces", () => {
  it("draws the paper's LIF comparison: one line per platform, one tick per output spike, the 34 input spikes", async () => {
    const csvs = readLifCsvs(lifDir!);
    expect(csvs.length).toBeGreaterThanOrEqual(2);
    const runs: TraceRun[] = csvs.map((c) => ({ platform: c.platform, values: c.cols[1], spikes: c.cols[2] }));
    const norse = csvs.find((c) => c.platform === "norse")!;
    const spec = traces(runs, { dt: 1e-4, normalize: "max", input: norse.cols[0] });
    const svg = parseSvg(await toSVG(spec));
    expect(countMarks(svg, "traces", "path")).toBe(csvs.length);
    const spikeTotal = csvs.reduce((s, c) => s + c.cols[2].filter((v) => v === 1).length, 0);
    expect(countMarks(svg, "spikes", "path")).toBe(spikeTotal);
    const inputSpikes = norse.cols[0].filter((v) => v !== 0).length;
    expect(inputSpikes).toBe(34); // §1.2: 34 input spikes
    expect(countMarks(svg, "input", "path")).toBe(inputSpikes);
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(["time [ms]", "output spikes"]));

    // Each trace is divided by its own maximum (§1.4), so every run peaks at exactly 1.
    const rows = ((spec.vconcat as Record<string, unknown>[])[1].data as { values: { run: string; v: number }[] }).values;
    for (const c of csvs) {
      const label = runs[csvs.indexOf(c)].platform!;
      const mine = rows.filter((r) => r.run.toLowerCase().replace(/[^a-z0-9]/g, "") === label.replace(/[^a-z0-9]/g, "") || r.run === label);
      expect(mine.length).toBe(1000);
      expect(Math.max(...mine.map((r) => r.v))).toBeCloseTo(1, 12);
    }
  });

  it("overlays up to three runs in one panel with the platform colours", async () => {
    const csvs = readLifCsvs(lifDir!).filter((c) => ["norse", "sinabs"].includes(c.platform));
    const spec = traces(csvs.map((c) => ({ platform: c.platform, values: c.cols[1] })), { dt: 1e-4, threshold: 0.1 });
    const svg = parseSvg(await toSVG(spec));
    const lines = markGroups(svg, "traces").flatMap((g) => g.children);
    expect(lines.length).toBe(2);
    expect(lines.map((l) => l.attrs.stroke).sort()).toEqual([PLATFORM_COLORS.norse, PLATFORM_COLORS.sinabs].sort());
    expect(countMarks(svg, "threshold", "line")).toBe(1);
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(["time [ms]", "membrane voltage"]));
  });

  it("keeps min and max per bucket for traces longer than maxPoints", () => {
    const v = Float64Array.from({ length: 10_000 }, (_, i) => Math.sin(i / 50) + (i === 5001 ? 9 : 0));
    const spec = traces({ label: "long", values: v }, { maxPoints: 1000 });
    const rows = (spec.data as { values: { v: number }[] }).values;
    expect(rows.length).toBeLessThanOrEqual(1000);
    expect(Math.max(...rows.map((r) => r.v))).toBeCloseTo(Math.max(...v), 5); // the spike survives decimation (7 significant digits embedded)
    expect(JSON.stringify(spec.title)).toContain("min/max per bucket");
  });
});
