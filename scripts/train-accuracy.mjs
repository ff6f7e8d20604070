#!/usr/bin/env node
// The accuracy runs (CPU-heavy; not part of CI): the paper's SCNN on N-MNIST from a fresh
// init and the Braille RNN (its preset), for each seed given, through `nir train`; then `nir simulate`'s
// predictions on each written file are recomputed and compared with the run's final test accuracy.
// Usage: node scripts/train-accuracy.mjs [--seeds 0,1,2] [--only nmnist|braille] [--out DIR]
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const seeds = arg("seeds", "0").split(",").map(Number);
const only = arg("only", "");
const out = arg("out", join(root, "out", "train-accuracy"));
mkdirSync(out, { recursive: true });
const shared = process.env.NIR_SHARED ?? join(root, "..", "shared");
const nir = (args) => spawnSync(process.execPath, [join(root, "bin", "nir.js"), ...args], { stdio: "inherit" }).status;
const { read, simulatePredictions, nmnistData, brailleData, BRAILLE_PRESET } = await import(join(root, "dist", "index.js"));

async function check(file, history, data, dt) {
  const h = JSON.parse(readFileSync(history, "utf8"));
  const pred = simulatePredictions(await read(file), data.test, { dt });
  const acc = pred.reduce((s, p, k) => s + (p === data.test.labels[k] ? 1 : 0), 0) / pred.length;
  console.log(`${file}: final test acc ${h.test_acc} (training run), ${acc} (simulator on the written file), ${h.seconds_per_epoch.toFixed(1)} s/epoch median, peak RSS ${h.peak_rss_mb} MB`);
}

if (only !== "braille") {
  const data = nmnistData({ binMs: 5, steps: 60 });
  for (const seed of seeds) {
    const file = join(out, `cnn_seed${seed}.nir`), history = join(out, `cnn_seed${seed}.json`);
    nir(["train", join(shared, "paper", "02_cnn", "cnn_sinabs.nir"), "--data", "nmnist", "--init", "kaiming", "--epochs", "15", "--bin-ms", "5", "--steps", "60", "--batch", "32", "--lr", "1e-3", "--seed", String(seed), "--out", file, "--history", history]);
    await check(file, history, data, 5e-3);
  }
}
if (only !== "nmnist") {
  const data = brailleData(BRAILLE_PRESET.data);
  for (const seed of seeds) {
    const file = join(out, `braille_seed${seed}.nir`), history = join(out, `braille_seed${seed}.json`);
    nir(["train", join(shared, "paper", "03_rnn", "braille_noDelay_noBias_subtract.nir"), "--data", "braille", "--init", "kaiming", "--epochs", "100", "--seed", String(seed), "--out", file, "--history", history]);
    await check(file, history, data, data.dt);
  }
}
