#!/usr/bin/env node
// Screenshots of the live explorer for the docs: docs/img/explorer-before.png (the paper's LIF
// neuron and stimulus, default setting), docs/img/explorer-after.png (the default pinned, then
// τ 7.1 ms and threshold 0.07) and docs/img/explorer-braille.png (the Braille RNN, recurrent
// weights × 0.5). Needs dist/ (node scripts/ensure.mjs), ../shared (the
// paper's files), chromium and playwright-core.
//   node scripts/explorer-shots.mjs [--out DIR]
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const nir = await import(pathToFileURL(join(root, "dist", "index.js")).href);
nir.useData("paper");
const outArg = process.argv.indexOf("--out");
const outDir = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(root, "docs", "img");
mkdirSync(outDir, { recursive: true });

const page = join(mkdtempSync(join(tmpdir(), "nirkit-explorer-")), "lif.html");
writeFileSync(page, (await nir.lifExplorer()).page());
const { chromium } = await import("playwright-core");
const browser = await chromium.launch({ executablePath: nir.findChromium(), args: nir.CHROMIUM_ARGS });
try {
  const tab = await browser.newPage({ viewport: { width: 1100, height: 720 } });
  await tab.goto(pathToFileURL(page).href);
  await tab.waitForSelector("[data-role=spike-count]");
  await tab.screenshot({ path: join(outDir, "explorer-before.png"), fullPage: true });
  await tab.click("button[data-act=pin]");
  const fill = async (sel, v) => {
    await tab.fill(sel, v);
    await tab.dispatchEvent(sel, "input");
  };
  await fill('input[data-key=p0]', "7.1");
  await fill('input[data-key=p1]', "0.07");
  await tab.screenshot({ path: join(outDir, "explorer-after.png"), fullPage: true });
  const braille = join(dirname(page), "braille.html");
  writeFileSync(braille, (await nir.brailleExplorer()).page());
  await tab.goto(pathToFileURL(braille).href);
  await tab.waitForSelector("[data-role=spike-count]");
  await fill('input[data-key=s0]', "0.5");
  await tab.screenshot({ path: join(outDir, "explorer-braille.png"), fullPage: true });
  console.log(`wrote ${join(outDir, "explorer-before.png")}, explorer-after.png and explorer-braille.png`);
} finally {
  await browser.close();
}
