// show()'s MIME bundles, built outside a kernel: every kind gets vega-lite, SVG, HTML and text.
import { describe, expect, it } from "vitest";
import { read } from "../../src/io/index.js";
import { JUPYTER_DISPLAY, attachDisplay, type MimeBundle } from "../../src/ir/display.js";
import { bundleOf, parameterRows } from "../../src/notebook/index.js";
import { refFile } from "../support/index.js";

const FOUR = ["application/vnd.vegalite.v5+json", "image/svg+xml", "text/html", "text/plain"];
const cnn = refFile("paper", "02_cnn", "cnn_sinabs.nir");

function expectFull(b: MimeBundle): void {
  expect(Object.keys(b).sort()).toEqual(FOUR);
  expect(String(b["image/svg+xml"]).startsWith("<svg")).toBe(true);
}

describe("display bundles", () => {
  it.skipIf(!cnn)("lists a graph's nodes in edge order with their parameters (cnn_sinabs: input→0→…→12→output)", async () => {
    const g = await read(cnn!);
    const rows = parameterRows(g);
    // paper-experiments.md §2.1: "The edges form a simple chain: input→0→1→…→12→output."
    expect(rows.map((r) => r.node)).toEqual(["input", ...Array.from({ length: 13 }, (_, i) => String(i)), "output"]);
    const conv0 = rows[1];
    expect(conv0.type).toBe("Conv2d");
    expect(conv0.output).toBe("(16,16,16)"); // §2.1 table: output shape (16,16,16)
    expect(conv0.parameters).toBe(16 * 2 * 5 * 5 + 16); // float values: W (16,2,5,5) and bias (16); stride etc. are integers
    expect(String(conv0.values)).toContain("weight (16×2×5×5)");
    expect(typeof (g as unknown as Record<symbol, unknown>)[JUPYTER_DISPLAY]).toBe("function"); // io marks graphs displayable
    expectFull(await bundleOf(g));
  });

  it("shows a Vega-Lite spec as the spec itself plus its SVG", async () => {
    const spec = { $schema: "https://vega.github.io/schema/vega-lite/v5.json", data: { values: [{ a: 1, b: 2 }, { a: 2, b: 3 }] }, mark: "point", encoding: { x: { field: "a", type: "quantitative" }, y: { field: "b", type: "quantitative" } } };
    const b = await bundleOf(spec);
    expectFull(b);
    expect(b["application/vnd.vegalite.v5+json"]).toBe(spec);
    expect((String(b["image/svg+xml"]).match(/<path/g) ?? []).length).toBeGreaterThanOrEqual(2);
  });

  it("shows an array of records as an HTML table, a text table and a text-mark chart", async () => {
    const rows = [{ platform: "norse", accuracy: 0.93 }, { platform: "sinabs", accuracy: 0.95 }];
    const b = await bundleOf(rows);
    expectFull(b);
    expect((String(b["text/html"]).match(/<tr>/g) ?? []).length).toBe(3);
    expect(String(b["text/plain"]).split("\n")).toEqual(["platform  accuracy", "--------  --------", "norse     0.93", "sinabs    0.95"]);
    const texts = (b["application/vnd.vegalite.v5+json"] as { data: { values: unknown[] } }).data.values;
    expect(texts.length).toBe(4); // 2 rows × 2 columns
  });

  it("shows a table marked with attachDisplay through its Jupyter.display method", async () => {
    const rows = attachDisplay([{ chip: "speck", fits: true }], "table");
    const own = await (rows as unknown as Record<symbol, () => Promise<MimeBundle>>)[JUPYTER_DISPLAY]();
    expectFull(own);
    expect(String(own["text/plain"])).toContain("speck");
  });

  it("shows a simulation result as a raster of the recorded spikes plus a summary per signal", async () => {
    const steps = 10;
    const spikes = new Float64Array(steps * 3);
    const on = [[0, 0], [2, 1], [5, 2], [9, 0]]; // (step, neuron)
    for (const [t, n] of on) spikes[t * 3 + n] = 1;
    const result = {
      dt: 1e-3, profile: "norse", steps, batch: 1,
      output: { dtype: "float64" as const, shape: [steps, 3], data: spikes },
      records: { "lif.spikes": { dtype: "float64" as const, shape: [steps, 3], data: spikes }, "lif.v": { dtype: "float64" as const, shape: [steps, 3], data: new Float64Array(steps * 3).fill(0.5) } },
    };
    const b = await bundleOf(result);
    expectFull(b);
    const text = String(b["text/plain"]);
    expect(text).toContain("Simulation: norse profile, dt 1 ms, 10 steps, batch 1");
    // 4 spikes over 3 neurons × 10 ms → 4 / 3 / 0.01 s = 133.3 Hz
    expect(text).toMatch(/lif\.spikes\s+\(10, 3\)\s+4 spikes, 133\.3 Hz per neuron/);
    expect(text).toMatch(/lif\.v\s+\(10, 3\)\s+min 0\.5, mean 0\.5, max 0\.5/);
  });

  it("shows an event-count frame tensor (T, P, H, W)", async () => {
    const data = new Float64Array(1 * 2 * 4 * 4);
    data[5] = 3;
    data[16 + 10] = 2;
    const b = await bundleOf({ dtype: "float64", shape: [1, 2, 4, 4], data });
    expectFull(b);
    expect(String(b["text/plain"])).toMatch(/^frames \(1, 2, 4, 4\), 5 counts/);
  });
});

describe("show() of 2-D tensors", () => {
  it("draws 0/1 data as a spike raster and other values as a heatmap", async () => {
    const spikes = await bundleOf({ dtype: "float64", shape: [3, 2], data: new Float64Array([1, 0, 0, 1, 1, 1]) });
    expectFull(spikes);
    expect(String(spikes["text/plain"])).toMatch(/\(4 data rows\)$/); // one row per spike: 4 ones
    const heat = await bundleOf({ dtype: "float64", shape: [2, 2], data: new Float64Array([0.5, 2, 3, 4]) });
    expectFull(heat);
    expect(JSON.stringify(heat["application/vnd.vegalite.v5+json"])).not.toContain("spikes");
  });
});

describe("show() of a hardware fit report", () => {
  it("gives the verdict, a resource chart with one bar per resource, and the violations with their fixes", async () => {
    const report = attachDisplay({
      chip: "loihi2", chipLabel: "Loihi 2", fits: false,
      violations: [{ node: "lif", constraint: "shared tau per layer", limit: 1, actual: 2, fix: "give the neurons one tau" }],
      warnings: ["dt defaulted"],
      resources: [{ resource: "neurons per core", used: 2, capacity: 8192 }, { resource: "cores", used: 3, capacity: 2 }],
      neurons: 2, synapses: 0, fanOut: { used: 0, capacity: 4096 }, layers: [],
    }, "fit");
    const b = await (report as unknown as Record<symbol, () => Promise<MimeBundle>>)[JUPYTER_DISPLAY]();
    expectFull(b);
    const text = String(b["text/plain"]);
    expect(text.split("\n")[0]).toBe("Loihi 2: ✗ does not fit (1 violation) — 2 neurons, 0 synapses");
    expect(text).toContain("give the neurons one tau");
    expect(text).toContain("  - dt defaulted");
    const bars = (b["application/vnd.vegalite.v5+json"] as { data: { values: { percent: number; over: boolean }[] } }).data.values;
    expect(bars.map((v) => v.percent)).toEqual([Math.round((2 / 8192) * 1000) / 10, 150]);
    expect(bars.map((v) => v.over)).toEqual([false, true]);
  });
});
