// The curated notebooks, executed once through `reproduce()` (the headless runner on the nirkit
// kernel), then checked by reading the executed notebooks' display data: the reproduced numbers
// each notebook showed, against values read here from the paper's reference files. Each executed
// notebook is also rendered in headless Chromium and must show its charts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, datasetFile, refFile } from "../support/index.js";
import { reproduce, type ReproduceResult } from "../../src/notebook/reproduce.js";
import { REPORT_MIME, type ReproducedEntry, type ReproducedValues } from "../../src/notebook/report-values.js";
import type { NotebookJson } from "../../src/notebook/report.js";
import { ensureBuilt, ensureChromium, ensureJupyterServer } from "../kernel/setup.js";

/** The chart (by its title) each notebook's README thumbnail shows. */
const THUMBNAIL_CHART: Record<string, string> = {
  "00_welcome": "membrane voltage of the two LIF neurons",
  "01_lif": "LIF membrane voltage on every platform",
  "02_scnn_nmnist": "first-layer activity similarity",
  "03_rnn_braille": "hidden layer, bias_zero",
  "04_train_your_own": "SCNN on N-MNIST",
};
/** 04_train_your_own runs 1 epoch here (its default, 15, takes minutes per epoch on a CI machine). */
const TRAIN_PARAMS = { epochs: 1, braille_epochs: 1 };
const skipReason =
  ensureJupyterServer() ??
  ensureBuilt() ??
  (refFile("paper", "01_lif", "lif_norse.nir") && refFile("reference", "paper-experiments.md") && datasetFile("nmnist", "slayer_NMNISTsmall", "test100.txt") && datasetFile("braille")
    ? ""
    : "the paper's files, the reference notes or the N-MNIST/Braille recordings are missing (printed above)");
if (skipReason) console.warn(`[skip] notebook execution tests: ${skipReason}`);

/** Reads the 0/1 spike column of a paper LIF CSV and returns the steps where it is 1. */
function csvSpikeSteps(file: string): number[] {
  return readFileSync(file, "utf8").trim().split("\n").flatMap((l, i) => (Number(l.split(",")[2]) === 1 ? [i] : []));
}

describe.skipIf(!!skipReason)("curated notebooks (executed by nir reproduce)", () => {
  let result: ReproduceResult;
  const nbs: Record<string, NotebookJson> = {};
  const entries: Record<string, ReproducedEntry> = {};

  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), "nirkit-reproduce-"));
    result = await reproduce({ outDir: out, params: TRAIN_PARAMS });
    for (const r of result.runs) {
      const name = r.path.split("/").pop()!;
      nbs[name] = JSON.parse(readFileSync(r.ipynbPath, "utf8")) as NotebookJson;
      for (const cell of nbs[name].cells)
        for (const o of cell.outputs ?? []) {
          const v = o.data?.[REPORT_MIME] as ReproducedValues | undefined;
          if (v) for (const e of v.entries) entries[e.id] = e;
        }
    }
  }, 1_500_000);

  afterAll(() => {
    if (result?.outDir && !process.env.NIRKIT_KEEP_REPRODUCE) rmSync(result.outDir, { recursive: true, force: true });
  });

  it("runs every cell of every notebook green", () => {
    const failures = result.report.notebooks.filter((n) => !n.ok).map((n) => `${n.notebook}: ${n.error}`);
    expect(failures).toEqual([]);
    expect(result.runs).toHaveLength(5);
    for (const [name, nb] of Object.entries(nbs)) {
      const code = nb.cells.filter((c) => c.cell_type === "code");
      expect(code.length, name).toBeGreaterThan(3);
      for (const c of code) expect((c as { execution_count?: number | null }).execution_count, `${name}: a cell did not run`).toBeGreaterThan(0);
    }
  });

  it("00_welcome shows the graph diagram and the simulated spikes as charts", () => {
    const nb = nbs["00_welcome.ipynb"];
    const svgs = nb.cells.flatMap((c) => (c.outputs ?? []).filter((o) => o.data?.["image/svg+xml"]));
    expect(svgs.length).toBeGreaterThanOrEqual(3);
    const text = nb.cells.flatMap((c) => (c.outputs ?? []).map((o) => [o.text, o.data?.["text/plain"]].flat().join(""))).join("\n");
    expect(text).toContain("nodes read back: input, lif, output");
  });

  it("01_lif: the spike steps of every shared platform equal the paper's CSV", () => {
    const csvOf: Record<string, string> = { exact: "lif_exact.csv", norse: "lif_norse.csv", snntorch: "lif_snntorch.csv", sinabs: "lif_sinabs.csv", spinnaker2: "lif_spinnaker2.csv", "lava-float": "lif_lava_cpu_float.csv" };
    let checked = 0;
    for (const [profile, csv] of Object.entries(csvOf)) {
      const file = refFile("paper", "01_lif", csv);
      const e = entries[`lif.spike_steps.${profile}`];
      if (!file || !e) continue;
      expect(e.kind).toBe("list");
      expect(e.ours, profile).toEqual(csvSpikeSteps(file));
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it("02_scnn_nmnist: 49,711 first-layer spikes on the probe digits and ≈0.98 accuracy on 100 recordings", () => {
    const md = readFileSync(refFile("reference", "paper-experiments.md")!, "utf8");
    const total = Number(md.match(/; ([\d,]+) in total/)![1].replace(/,/g, ""));
    expect(entries["cnn.probe.first_layer_spikes"]).toMatchObject({ kind: "scalar", ours: total });
    const acc = entries["cnn.accuracy.norse"];
    expect(acc?.kind).toBe("scalar");
    const paperNorse = acc!.paper as number; // read by the notebook from norse_accuracy.npy
    expect(Math.abs((acc as { ours: number }).ours - paperNorse)).toBeLessThanOrEqual(0.03);
  });

  it("03_rnn_braille: 0 snnTorch hidden-spike mismatches for both models", () => {
    for (const m of ["bias_zero", "noBias_subtract"]) {
      expect(entries[`rnn.${m}.snntorch_mismatches`], m).toMatchObject({ kind: "scalar", ours: 0 });
      const e = entries[`rnn.${m}.snntorch_output_counts`];
      expect(e?.kind).toBe("list");
      expect((e as { ours: number[] }).ours).toEqual((e as { paper: number[] }).paper);
    }
    const theta = entries["rnn.bias_zero.accuracy_theta10"];
    expect(theta).toMatchObject({ kind: "scalar", paper: null });
    expect(theta!.note).toMatch(/NOT comparable/);
  });

  it("04_train_your_own: one live chart per training, the trained accuracy per profile and on the emulated Speck chip", () => {
    const nb = nbs["04_train_your_own.ipynb"];
    const texts = (c: NotebookJson["cells"][number]) => (c.outputs ?? []).map((o) => [o.text ?? "", (o.data?.["text/plain"] as string | undefined) ?? ""].flat().join(""));
    // each trainLive cell holds ONE display (updated in place), in its final state
    const live = nb.cells.map((c) => (c.outputs ?? []).filter((o) => String(o.data?.["text/plain"] ?? "").startsWith("done: epoch"))).filter((o) => o.length);
    expect(live.map((o) => o.length)).toEqual([1, 1]); // N-MNIST, Braille
    expect(String(live[0][0].data!["text/plain"])).toMatch(/^done: epoch 1\/1 · batch 29\/29 /); // 900 recordings (100 of the 1000 held out) / 32
    expect(String(live[0][0].data!["text/html"])).toContain("<svg");
    // the accuracy training measured (simulator, after the epoch) is the one the read-back file gives under norse
    const after = nb.cells.flatMap(texts).join("\n").match(/best epoch by the held-out recordings: 1 of 1 \(held-out accuracy \d\.\d\d\); its test accuracy (\d\.\d\d)/);
    expect(after).not.toBeNull();
    const profiles = ["exact", "norse", "snntorch", "sinabs", "spyx", "rockpool", "nengo", "lava-float", "spinnaker2", "loihi2"];
    for (const p of profiles) {
      const e = entries[`train.nmnist.accuracy.${p}`];
      expect(e, p).toMatchObject({ kind: "scalar", paper: null });
      const v = (e as { ours: number }).ours;
      expect(Math.abs(v * 100 - Math.round(v * 100)), p).toBeLessThan(1e-9); // a fraction of the 100 test recordings
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
    expect((entries["train.nmnist.accuracy.norse"] as { ours: number }).ours.toFixed(2)).toBe(after![1]);
    const speck = entries["train.nmnist.accuracy.speck_emulated"] as { ours: number; note: string };
    expect(Math.abs(speck.ours * 100 - Math.round(speck.ours * 100))).toBeLessThan(1e-9);
    expect(speck.note).toContain("the best of 1 epochs on 100 held-out training recordings");
    expect((entries["train.nmnist.accuracy.norse_last_epoch"] as { ours: number }).ours.toFixed(2)).toBe(after![1]); // one epoch: best = last
  });

  it("REPORT.md sets the numbers beside the paper's, with the similarity tables", () => {
    const md = readFileSync(result.reportPath, "utf8");
    expect(md).toContain("every cell green");
    expect(md).toMatch(/first-layer spikes on the 10 probe digits \(Norse\) \| 49711 \| 49711 \| 0 \| ✓ reproduced/);
    expect(md).toContain("### CNN first-layer similarity");
    expect(md).toContain("### RNN noBias_subtract hidden-layer similarity");
    const json = JSON.parse(readFileSync(result.jsonPath, "utf8")) as { ok: boolean; rows: unknown[]; figures: string[] };
    expect(json.ok).toBe(true);
    expect(json.figures.length).toBeGreaterThan(10);
  });

  const chrome = ensureChromium();
  it.skipIf("skip" in chrome)("renders every executed notebook in headless Chromium with its charts visible", async () => {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: "path" in chrome ? chrome.path : "", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"] });
    const shotDir = process.env.NIRKIT_SCREENSHOTS ? join(ROOT, "docs", "img") : join(result.outDir, "screenshots");
    mkdirSync(shotDir, { recursive: true });
    try {
      for (const r of result.runs) {
        expect(r.htmlPath, r.htmlError).toBeTruthy();
        const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
        await page.goto(`file://${r.htmlPath}`);
        await page.addStyleTag({ content: "#MathJax_Message { display: none !important; }" }); // offline: no MathJax CDN
        // Charts: inline SVGs in the output area that contain drawn marks and take up space.
        const charts = await page.evaluate(() =>
          Array.from(document.querySelectorAll(".jp-OutputArea-output svg, .output_area svg, .jp-RenderedHTMLCommon svg"))
            .filter((s) => s.querySelectorAll("path, rect, line, circle, text").length > 5)
            .map((s) => { const b = s.getBoundingClientRect(); return { w: b.width, h: b.height }; }),
        );
        const visible = charts.filter((c) => c.w > 50 && c.h > 30);
        expect(visible.length, `${r.path}: visible charts`).toBeGreaterThanOrEqual(2);
        const stem = r.path.split("/").pop()!.replace(/\.ipynb$/, "");
        await page.screenshot({ path: join(shotDir, `notebook-${stem}.jpg`), fullPage: true, type: "jpeg", quality: 70 });
        const thumb = page.locator(".jp-OutputArea-output svg", { hasText: THUMBNAIL_CHART[stem] ?? "" }).first();
        await thumb.screenshot({ path: join(shotDir, `notebook-${stem}-thumb.png`) });
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }, 120_000);
});

describe.skipIf(!!skipReason)("nir reproduce with a failing cell", () => {
  it("reports the failed cell, keeps the values shown before it, and exits 1", async () => {
    const dir = mkdtempSync(join(ROOT, "notebooks", ".test-"));
    const out = mkdtempSync(join(tmpdir(), "nirkit-reproduce-fail-"));
    try {
      const cell = (source: string) => ({ cell_type: "code", metadata: {}, execution_count: null, outputs: [], source });
      const nb = {
        cells: [
          cell('import * as nir from "nirkit";'),
          cell('await nir.show(nir.reproduced("demo", [{ kind: "scalar", id: "demo.x", label: "x", ours: 2, paper: 2 }]));'),
          cell('throw new nir.NirError("data.invalid", "deliberate failure", { hint: "none" });'),
          cell('console.log("never runs");'),
        ],
        metadata: { kernelspec: { name: "nirkit", display_name: "TypeScript (NIR)", language: "typescript" } },
        nbformat: 4,
        nbformat_minor: 5,
      };
      const path = join(dir, "fails.ipynb");
      writeFileSync(path, JSON.stringify(nb));
      const { command } = await import("../../src/cli/commands/reproduce.js");
      const code = await command.run(["--out", out, "--quiet", path]);
      expect(code).toBe(1);
      const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as { ok: boolean; notebooks: { ok: boolean; failedCell?: number; error?: string }[]; rows: { entry: { id: string } }[] };
      expect(report.ok).toBe(false);
      expect(report.notebooks[0]).toMatchObject({ ok: false, failedCell: 3 });
      expect(report.notebooks[0].error).toContain("deliberate failure");
      expect(report.rows.map((r) => r.entry.id)).toEqual(["demo.x"]);
      expect(readFileSync(join(out, "REPORT.md"), "utf8")).toContain("**FAILED**");
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
