/**
 * The training chart: its SVG holds one point per epoch and series at the positions the records
 * give, and `nir train --plot` writes it as a page whose table repeats the run's history.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { command as trainCmd } from "../../src/cli/commands/train.js";
import { scnn } from "../../src/train/index.js";
import { write } from "../../src/io/index.js";
import { trainingChartHtml, trainingChartSvg, trainingStatusText } from "../../src/viz/trainingChart.js";
import { refFile, runCaptured } from "../support/index.js";

const dir = mkdtempSync(join(tmpdir(), "nir-train-plot-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = [
  { epoch: 1, loss: 2, train_acc: 0.2, test_acc: 0.25 },
  { epoch: 2, loss: 1, train_acc: 0.5, test_acc: 0.75 },
];

/** The dots of the series named `name` (their tooltips name series and epoch). */
function dots(svg: string, name: string): { epoch: number; cy: number }[] {
  return [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)" r="3"[^>]*><title>([^<]*)<\/title>/g)]
    .map((m) => ({ title: m[2], cy: Number(m[1]) }))
    .filter((d) => d.title.startsWith(`${name}, `))
    .map((d) => ({ epoch: Number(/epoch (\d+)/.exec(d.title)![1]), cy: d.cy }));
}

describe("trainingChartSvg", () => {
  it("draws one dot per epoch and series, higher for larger values", () => {
    const svg = trainingChartSvg(records, { epochs: 4 });
    expect(svg.startsWith("<svg")).toBe(true);
    for (const s of ["loss", "train", "test"]) expect(dots(svg, s).map((d) => d.epoch)).toEqual([1, 2]);
    const [l1, l2] = dots(svg, "loss");
    expect(l2.cy).toBeGreaterThan(l1.cy); // loss fell: lower on the page (larger y)
    const [t1, t2] = dots(svg, "test");
    expect(t2.cy).toBeLessThan(t1.cy); // accuracy rose
    // on the 0–100 % axis, 75 % sits three times as far from the bottom as 25 %
    const [tr1] = dots(svg, "train");
    const bottom = t1.cy + (t1.cy - t2.cy) / 2; // 25 % → 0 % is half the 25 → 75 % distance
    expect((bottom - tr1.cy) / (bottom - t1.cy)).toBeCloseTo(0.2 / 0.25, 5);
  });

  it("puts the progress line and what was kept under the chart", () => {
    const status = { state: "interrupted" as const, epoch: 3, epochs: 4, batch: 5, batches: 32, batchesPerSecond: 2, message: "kept epoch 2" };
    expect(trainingStatusText(status)).toBe("interrupted: epoch 3/4 · batch 5/32 · 2.00 batches/s. kept epoch 2");
    const html = trainingChartHtml(records, status);
    expect(html).toContain('<progress value="54" max="100"'); // (2 + 5/32) / 4
    expect(html).toContain("kept epoch 2");
  });
});

const nmnist = refFile("datasets", "nmnist", "slayer_NMNISTsmall", "train1K.txt");
describe.skipIf(!nmnist)("nir train --plot", () => {
  it("writes the chart page with the history's epochs", async () => {
    const model = join(dir, "small.nir");
    await write(model, scnn({ input: [2, 34, 34], conv: [{ channels: 4, kernel: 5, stride: 2, padding: 1 }], hidden: [], classes: 10, seed: 0 }));
    const plot = join(dir, "chart.html"), history = join(dir, "h.json");
    const { code } = await runCaptured(() => trainCmd.run([model, "--data", "nmnist", "--epochs", "2", "--bin-ms", "20", "--steps", "10", "--train-limit", "16", "--test-limit", "8",
      "--batch", "8", "--out", join(dir, "out.nir"), "--history", history, "--plot", plot]));
    expect(code).toBe(0);
    const page = readFileSync(plot, "utf8");
    const h = JSON.parse(readFileSync(history, "utf8")) as { epochs: { epoch: number; test_acc: number }[] };
    expect(page).toContain("<svg");
    expect(page).toContain("done: epoch 2/2");
    expect(page).not.toContain('http-equiv="refresh"'); // finished: no more reloading
    const rows = [...page.matchAll(/<tr><td>(\d+)<\/td><td>[^<]*<\/td><td>[^<]*<\/td><td>([^<]*)<\/td><\/tr>/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(rows).toEqual(h.epochs.map((e) => [e.epoch, Number(e.test_acc.toFixed(3))]));
    for (const s of ["loss", "train", "test"]) expect(dots(page, s)).toHaveLength(2);
  });
});
