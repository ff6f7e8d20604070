// The live explorer in the classic Notebook that `npm start` serves: the cell's HTML output runs
// the inline module (a trusted output: the test ran the cell), mounts the explorer, and a change of
// τ re-simulates in the page; nothing is fetched from outside the notebook server.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findJupyterUI, startWorkshop, type Workshop } from "../../src/notebook/workshop.js";
import { paperLifSpikeSteps } from "../../src/notebook/paper.js";
import { refFile, ROOT } from "../support/index.js";
import { ensureBuilt, ensureChromium } from "./setup.js";

const chromium = ensureChromium();
const paper = refFile("paper", "01_lif", "lif_norse.nir");
const skip = "skip" in chromium ? chromium.skip : !paper ? "the paper's 01_lif files are missing" : findJupyterUI() !== "notebook" ? "the classic notebook is not the UI npm start opens here" : ensureBuilt();
if (skip) console.warn(`[skip] explorer in the classic notebook: ${skip}`);

describe.skipIf(!!skip)("the live explorer in the classic Notebook", () => {
  const dir = skip ? "" : mkdtempSync(join(ROOT, "workspace", "explorer-test-"));
  let w: Workshop | undefined;
  let browser: { close(): Promise<void> } | undefined;
  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await w?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("mounts from the cell's output and redraws when τ changes", async () => {
    process.env.NIR_WORKSPACE = dir;
    try {
      w = await startWorkshop({ cullIdleSeconds: 0, log: () => undefined });
    } finally {
      delete process.env.NIR_WORKSPACE;
    }
    writeFileSync(join(dir, "explore.ipynb"), JSON.stringify({
      cells: [{ cell_type: "code", metadata: {}, source: 'import * as nir from "nirkit";\nnir.useData("paper");\nawait nir.show(await nir.lifExplorer());', outputs: [], execution_count: null }],
      metadata: { kernelspec: { name: "nirkit", display_name: "TypeScript (NIR)", language: "typescript" } },
      nbformat: 4, nbformat_minor: 5,
    }));
    const { chromium: pw } = await import("playwright-core");
    const b = await pw.launch({ executablePath: (chromium as { path: string }).path, args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"] });
    browser = b;
    const page = await b.newPage({ viewport: { width: 1280, height: 1000 } });
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(`http://127.0.0.1:${w.port}/notebooks/explore.ipynb?token=${w.token}`);
    await page.waitForFunction(() => (window as unknown as { Jupyter?: { notebook?: { kernel?: { is_connected(): boolean } } } }).Jupyter?.notebook?.kernel?.is_connected(), undefined, { timeout: 120_000 });
    await page.evaluate(() => (window as unknown as { Jupyter: { notebook: { execute_all_cells(): void } } }).Jupyter.notebook.execute_all_cells());
    const root = ".nirkit-explorer[data-mounted='1']";
    await page.waitForSelector(`${root} [data-role=spike-steps]`, { timeout: 180_000 });
    const steps = () => page.textContent(`${root} [data-role=spike-steps]`);
    const before = await steps();
    const after = await page.evaluate((r) => {
      const el = document.querySelector(r) as HTMLElement;
      const box = el.querySelector('input[data-key="p0"]') as HTMLInputElement; // tau [ms]
      box.value = "7.1";
      box.dispatchEvent(new Event("input", { bubbles: true }));
      return el.querySelector("[data-role=spike-steps]")!.textContent;
    }, root);
    // the default setting is the paper's Norse run: its spike steps are the paper CSV's
    expect(before).toBe(paperLifSpikeSteps("norse")!.steps.join(", "));
    expect(after).not.toBe(before);
    expect(requests.filter((u) => !u.startsWith(`http://127.0.0.1:${w!.port}/`) && !/^(data|blob):/.test(u))).toEqual([]);
  }, 300_000);
});
