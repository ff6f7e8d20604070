#!/usr/bin/env node
// Re-makes the README pictures in docs/img/ from the paper's files in ../shared: renders each chart
// to SVG with nirkit (vega in Node), then screenshots the SVG in headless Chromium.
//   node scripts/ensure.mjs && node scripts/screenshots.mjs          (uses dist/, built by ensure)
//   NIRKIT_DIST=/path/to/build node scripts/screenshots.mjs          (another compiled copy of src/)
// With --notebook EXECUTED.ipynb [--thumb "CHART TITLE"] it instead renders an executed notebook
// (e.g. from `nir notebook run`) to HTML with nbconvert and writes its full-page rendering
// docs/img/notebook-<name>.jpg and, with --thumb, the chart containing that text as
// docs/img/notebook-<name>-thumb.png:
//   nir notebook run notebooks/04_train_your_own.ipynb --out out --timeout 3600
//   node scripts/screenshots.mjs --notebook out/04_train_your_own.ipynb --thumb "SCNN on N-MNIST"
// Needs chromium (apt-get install -y chromium) and playwright-core (a dev dependency).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const shared = process.env.NIR_SHARED ? resolve(process.env.NIR_SHARED) : resolve(root, "..", "shared");
const dist = process.env.NIRKIT_DIST ? resolve(process.env.NIRKIT_DIST) : join(root, "dist");
const nir = await import(pathToFileURL(join(dist, "index.js")).href);
const outDir = join(root, "docs", "img");
const keepSvg = process.argv.includes("--svg");
mkdirSync(outDir, { recursive: true });

const csvColumns = (path) => {
  const rows = readFileSync(path, "utf8").trim().split("\n").map((l) => l.split(",").map(Number));
  return [0, 1, 2].map((c) => rows.map((r) => r[c]));
};

const argAfter = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};

/** The full page of an executed notebook (nbconvert HTML in Chromium) and optionally one chart. */
async function notebookShots(ipynb, thumbText) {
  const { toHtml } = await import(pathToFileURL(join(dist, "notebook", "run.js")).href);
  const { chromium } = await import("playwright-core");
  const stem = basename(ipynb, ".ipynb");
  const html = await toHtml(resolve(ipynb), mkdtempSync(join(tmpdir(), "nirkit-shot-")));
  const browser = await chromium.launch({ executablePath: process.env.NIR_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.goto(pathToFileURL(html).href);
    await page.addStyleTag({ content: "#MathJax_Message { display: none !important; }" }); // offline: no MathJax CDN
    const full = join(outDir, `notebook-${stem}.jpg`);
    await page.screenshot({ path: full, fullPage: true, type: "jpeg", quality: 70 });
    process.stdout.write(`wrote ${full}\n`);
    if (thumbText) {
      const thumb = join(outDir, `notebook-${stem}-thumb.png`);
      await page.locator(".jp-OutputArea-output svg", { hasText: thumbText }).first().screenshot({ path: thumb });
      process.stdout.write(`wrote ${thumb}\n`);
    }
  } finally {
    await browser.close();
  }
}

const notebook = argAfter("--notebook");
if (notebook) {
  await notebookShots(notebook, argAfter("--thumb"));
  process.exit(0);
}

const charts = [];

// 1. The paper's LIF comparison: every lif_*.csv, each trace divided by its own maximum.
{
  const dir = join(shared, "paper", "01_lif");
  const files = readdirSync(dir).filter((f) => /^lif_.*\.csv$/.test(f)).sort();
  const cols = Object.fromEntries(files.map((f) => [f.slice(4, -4), csvColumns(join(dir, f))]));
  const runs = Object.entries(cols).map(([platform, c]) => ({ platform, values: c[1], spikes: c[2] }));
  charts.push({
    name: "lif_comparison",
    spec: nir.traces(runs, {
      dt: 1e-4,
      normalize: "max",
      input: cols.norse[0],
      title: `One LIF neuron (lif_norse.nir) as ${runs.length} platforms ran it`,
      subtitle: "input: lif_norse.csv column 0; traces and spikes: each platform's CSV (the paper's LIF figure data)",
    }),
  });
}

// 2. The Sinabs CNN as a layered diagram.
{
  const g = await nir.read(join(shared, "paper", "02_cnn", "cnn_sinabs.nir"));
  charts.push({ name: "cnn_diagram", spec: nir.graphDiagram(g, { title: "cnn_sinabs.nir (N-MNIST CNN exported from Sinabs)" }) });
}

// 3. The Braille RNN diagram (recurrent edge, flattened subgraph).
{
  const g = await nir.read(join(shared, "paper", "03_rnn", "braille_noDelay_bias_zero.nir"));
  charts.push({ name: "braille_diagram", spec: nir.graphDiagram(g, { title: "braille_noDelay_bias_zero.nir (Braille RNN exported from snnTorch)" }) });
}

// 4. Raster of the snnTorch Braille hidden layer with its input taxels.
{
  const act = nir.readNpy(join(shared, "paper", "03_rnn", "snntorch_activity_noDelay_bias_zero.npy"));
  const c = readFileSync(join(shared, "paper", "03_rnn", "derived", "ds_test0_input_256x12.csv"), "utf8").trim().split("\n").map((l) => l.split(",").map(Number));
  const input = { dtype: "float64", shape: [c.length, c[0].length], data: Float64Array.from(c.flat()) };
  charts.push({
    name: "braille_raster",
    spec: nir.spikeRaster(act, { dt: 1e-4, input, title: "Braille RNN, test sample 0: input taxels and hidden spikes (snnTorch)" }),
  });
}

// 5. An N-MNIST digit over time.
{
  const ev = nir.readNmnist(join(shared, "datasets", "nmnist", "slayer_NMNISTsmall", "test", "60001.bs2"));
  charts.push({ name: "nmnist_frames", spec: nir.eventFrame(ev, { frames: 6, title: "N-MNIST test sample 60001 in 6 time bins" }) });
}

// The live explorer's pictures (explorer-before/after.png) come from scripts/explorer-shots.mjs.

const shots = [];
for (const c of charts) {
  const svg = await nir.toSVG(c.spec);
  if (keepSvg) writeFileSync(join(outDir, `${c.name}.svg`), svg);
  shots.push({ svg, path: join(outDir, `${c.name}.png`) });
}
await nir.svgToPng(shots, { scale: 1.5 });
for (const s of shots) process.stdout.write(`wrote ${s.path}\n`);
