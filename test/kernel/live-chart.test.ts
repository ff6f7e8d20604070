// Live charts in the classic Notebook that `npm start` serves: a chart with a slider (a Vega-Lite
// param bound to a range input) loads vega from the server's _nirkit/ folder (no network) and
// swaps its static SVG for the live view; the static SVG (what other front ends show) says it is
// static.
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { findJupyterUI } from "../../src/notebook/workshop.js";
import { bundleOf } from "../../src/notebook/show.js";
import type { VegaLiteSpec } from "../../src/viz/spec.js";
import { closeNotebookUI, runInClassicNotebook, workspaceTempDir, type NotebookUI } from "./classic-notebook.js";
import { ensureBuilt, ensureChromium } from "./setup.js";

const chromium = ensureChromium();
const skip = "skip" in chromium ? chromium.skip : findJupyterUI() !== "notebook" ? "the classic notebook is not the UI npm start opens here" : ensureBuilt();
if (skip) console.warn(`[skip] live chart in the notebook: ${skip}`);

/** A small chart with one slider: point size = 40 + 40·k. */
const SLIDER_SPEC: VegaLiteSpec = {
  $schema: "https://vega.github.io/schema/vega-lite/v5.json",
  params: [{ name: "k", value: 1, bind: { input: "range", min: 0, max: 4, step: 1, name: "k" } }],
  data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 4 }] },
  name: "dots",
  title: "one slider",
  mark: { type: "point", filled: true, size: { expr: "40 + 40 * k" } },
  encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
};

describe("a slider chart's bundle outside a live page", () => {
  it("says in its SVG that the sliders need the live chart, and keeps the live spec unchanged", async () => {
    const spec = SLIDER_SPEC;
    const b = await bundleOf(spec);
    expect(b["image/svg+xml"]).toContain("static picture: the sliders need the live chart");
    expect(b["application/vnd.vegalite.v5+json"]).toBe(spec);
    expect(b["text/html"]).toContain("files/_nirkit/");
    expect(b["text/plain"]).toContain("sliders in the live chart");
  });
});

describe.skipIf(!!skip)("a live chart in the classic Notebook", () => {
  const dir = workspaceTempDir("live-test-");
  const ui: NotebookUI = {};
  afterAll(async () => {
    await closeNotebookUI(ui);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("replaces the static chart with the live one and its slider", async () => {
    const { page, requests } = await runInClassicNotebook(ui, dir, "live.ipynb", `import * as nir from "nirkit";\nawait nir.show(${JSON.stringify(SLIDER_SPEC)});`, (chromium as { path: string }).path);
    await page.waitForSelector('.nirkit-live[data-live="1"]', { timeout: 180_000 });
    const sliders = await page.evaluate(() => Array.from(document.querySelectorAll(".nirkit-live input[type=range]")).map((e) => (e as HTMLInputElement).name).sort());
    expect(sliders).toEqual(["k"]);
    expect(await page.evaluate(() => document.querySelectorAll('.nirkit-live g[class*="dots_marks"] > path').length)).toBe(3);
    // everything came from the notebook server itself
    expect(requests.filter((u) => !u.startsWith(`http://127.0.0.1:${ui.workshop!.port}/`) && !u.startsWith("data:") && !u.startsWith("blob:"))).toEqual([]);
  }, 300_000);
});
