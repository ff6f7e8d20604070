import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lifExplorer } from "../../src/viz/lifExplorer.js";
import { CHROMIUM_ARGS, findChromium } from "../../src/viz/png.js";
import { compileSpec } from "../../src/viz/render.js";
import { ROOT } from "../support/index.js";

interface Row { tau: number; threshold: number; rate: number; dt: number; out: number[]; inp: number[] }

describe.skipIf(!findChromium())("lifExplorer in a browser", () => {
  it("redraws the spikes of the chosen grid point when a slider moves, without any kernel", async () => {
    const spec = lifExplorer();
    const rows = (spec.datasets as { grid: Row[] }).grid;
    const at = Object.fromEntries((spec.params as { name: string; value: number }[]).map((p) => [p.name, p.value]));
    const row = (o: Record<string, number>) => rows.find((r) => (["tau", "threshold", "rate", "dt"] as const).every((k) => Math.abs(r[k] - o[k]) < 1e-6))!;
    const vg = await compileSpec(spec);
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      await page.setContent('<!doctype html><html><body><div id="vis"></div></body></html>');
      await page.addScriptTag({ path: join(ROOT, "node_modules", "vega", "build", "vega.min.js") });
      await page.evaluate(async (s) => {
        const vega = (window as unknown as { vega: { View: new (runtime: unknown, opts: object) => { runAsync(): Promise<unknown> }; parse(spec: unknown): unknown } }).vega;
        const view = new vega.View(vega.parse(s), { renderer: "svg", container: "#vis", hover: false });
        await view.runAsync();
        (window as unknown as { view: unknown }).view = view;
      }, vg);
      const count = (name: string) => page.evaluate((n) => document.querySelectorAll(`g.${n}_marks > path`).length, name);
      const sliders = await page.evaluate(() => Array.from(document.querySelectorAll("input[type=range]")).map((e) => (e as HTMLInputElement).name));
      expect(sliders.sort()).toEqual(["dt", "rate", "tau", "threshold"]);

      const first = row(at);
      expect(await count("output_spikes")).toBe(first.out.length);
      expect(await count("input_spikes")).toBe(first.inp.length);
      const traceBefore = await page.evaluate(() => document.querySelector("g.trace_marks > path")!.getAttribute("d"));

      // Move τ to 20 ms and the rate to 200 Hz, as a user dragging the sliders would.
      for (const [name, value] of [["tau", "20"], ["rate", "200"]]) {
        await page.evaluate(([n, v]) => {
          const el = document.querySelector(`input[type=range][name="${n}"]`) as HTMLInputElement;
          el.value = v;
          el.dispatchEvent(new Event("input", { bubbles: true }));
        }, [name, value]);
      }
      await page.evaluate(async () => { await (window as unknown as { view: { runAsync(): Promise<unknown> } }).view.runAsync(); return 0; });
      const second = row({ ...at, tau: 20, rate: 200 });
      expect(second.out.length).not.toBe(first.out.length);
      expect(await count("output_spikes")).toBe(second.out.length);
      expect(await count("input_spikes")).toBe(second.inp.length);
      const traceAfter = await page.evaluate(() => document.querySelector("g.trace_marks > path")!.getAttribute("d"));
      expect(traceAfter).not.toBe(traceBefore);
    } finally {
      await browser.close();
    }
  });
});
