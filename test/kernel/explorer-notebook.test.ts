// The live explorer in the classic Notebook that `npm start` serves: the cell's HTML output runs
// the inline module (a trusted output: the test ran the cell), mounts the explorer, and a change of
// τ re-simulates in the page; nothing is fetched from outside the notebook server.
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { findJupyterUI } from "../../src/notebook/workshop.js";
import { paperLifSpikeSteps } from "../../src/notebook/paper.js";
import { refFile } from "../support/index.js";
import { closeNotebookUI, runInClassicNotebook, workspaceTempDir, type NotebookUI } from "./classic-notebook.js";
import { ensureBuilt, ensureChromium } from "./setup.js";

const chromium = ensureChromium();
const paper = refFile("paper", "01_lif", "lif_norse.nir");
const skip = "skip" in chromium ? chromium.skip : !paper ? "the paper's 01_lif files are missing" : findJupyterUI() !== "notebook" ? "the classic notebook is not the UI npm start opens here" : ensureBuilt();
if (skip) console.warn(`[skip] explorer in the classic notebook: ${skip}`);

describe.skipIf(!!skip)("the live explorer in the classic Notebook", () => {
  const dir = skip ? "" : workspaceTempDir("explorer-test-");
  const ui: NotebookUI = {};
  afterAll(async () => {
    await closeNotebookUI(ui);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it("mounts from the cell's output and redraws when τ changes", async () => {
    const { page, requests } = await runInClassicNotebook(ui, dir, "explore.ipynb", 'import * as nir from "nirkit";\nnir.useData("paper");\nawait nir.show(await nir.lifExplorer());', (chromium as { path: string }).path);
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
    expect(requests.filter((u) => !u.startsWith(`http://127.0.0.1:${ui.workshop!.port}/`) && !/^(data|blob):/.test(u))).toEqual([]);
  }, 300_000);
});
