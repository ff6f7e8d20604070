// Training benchmarks. Kernel rows: one batch of the paper's SCNN (cnn_sinabs.nir: T 60, B 32, so
// 1920 rows per layer call) through each layer's dense kernels, forward then backward, on inputs as
// sparse as N-MNIST spikes in 5 ms bins (3 % of the input active, 1 % of hidden spikes; the pooled
// layers see counts). Each row gives the layer's ms per batch for js and for the fast (wasm) kernels
// and the dense-equivalent GFLOP/s (2·MACs a dense product would do, per second). A total row scales
// the per-batch kernel time to one epoch of 1000 samples (32 batches). On a shared host, wall time
// follows the load; the CPU time (process.cpuUsage) is the steadier figure and the one the totals add.
// Needs dist/ (npm run bench builds it); the epoch rows of the training engine join when src/train
// has an engine (dist/train/index.js); without one they are reported as skipped.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const T = 60, B = 32, ROWS = T * B, BATCHES = Math.ceil(1000 / B);

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
/** n floats: spikes (or counts 1–4) with the given density, or dense values in [−1, 1). */
function values(n, r, density, counts = false) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = density >= 1 ? r() * 2 - 1 : r() < density ? (counts ? 1 + Math.floor(r() * 2) : 1) : 0;
  return a;
}
const out = (n, k, s, p, d) => Math.floor((n + 2 * p - d * (k - 1) - 1) / s) + 1;
const conv = (p) => ({ ...p, oh: out(p.h, p.kh, p.sh, p.ph, p.dh), ow: out(p.w, p.kw, p.sw, p.pw, p.dw) });

/** The SCNN's kernel calls: geometry, input density, and whether dX is needed (not for the first layer). */
export const SCNN_LAYERS = [
  { name: "conv 2→16 5×5 s2 (34×34)", kind: "conv", g: conv({ cin: 2, h: 34, w: 34, cout: 16, kh: 5, kw: 5, sh: 2, sw: 2, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1 }), density: 0.03, dX: false },
  { name: "conv 16→16 3×3 (16×16)", kind: "conv", g: conv({ cin: 16, h: 16, w: 16, cout: 16, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1 }), density: 0.01, dX: true },
  { name: "conv 16→8 3×3 (8×8, pooled)", kind: "conv", g: conv({ cin: 16, h: 8, w: 8, cout: 8, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1 }), density: 0.04, counts: true, dX: true },
  { name: "affine 128→256 (pooled)", kind: "affine", g: { nIn: 128, nOut: 256 }, density: 0.04, counts: true, dX: true },
  { name: "affine 256→10", kind: "affine", g: { nIn: 256, nOut: 10 }, density: 0.01, dX: true },
];

/** Buffers of one layer call over ROWS rows. */
function layerBuffers(l, seed) {
  const r = rng(seed);
  const [nIn, nOut, nW, nB] = l.kind === "conv"
    ? [l.g.cin * l.g.h * l.g.w, l.g.cout * l.g.oh * l.g.ow, l.g.cout * (l.g.cin / l.g.groups) * l.g.kh * l.g.kw, l.g.cout]
    : [l.g.nIn, l.g.nOut, l.g.nIn * l.g.nOut, l.g.nOut];
  const macs = l.kind === "conv" ? nOut * (l.g.cin / l.g.groups) * l.g.kh * l.g.kw : nIn * nOut;
  return {
    W: values(nW, r, 1), bias: values(nB, r, 1), X: values(ROWS * nIn, r, l.density, l.counts), Y: new Float32Array(ROWS * nOut),
    dY: values(ROWS * nOut, r, 1), dW: new Float32Array(nW), dB: new Float32Array(nB), dX: l.dX ? new Float32Array(ROWS * nIn) : null,
    // dense-equivalent work of forward, dW and dX: 2 FLOPs per MAC each
    flops: 2 * macs * ROWS * (l.dX ? 3 : 2),
  };
}

function runLayer(k, l, b) {
  if (l.kind === "conv") {
    k.conv2dForward(l.g, b.W, b.bias, b.X, ROWS, b.Y);
    k.conv2dBackward(l.g, b.W, b.X, b.dY, ROWS, b.dW, b.dB, b.dX);
  } else {
    k.affineForward(l.g, b.W, b.bias, b.X, ROWS, b.Y);
    k.affineBackward(l.g, b.W, b.X, b.dY, ROWS, b.dW, b.dB, b.dX);
  }
}

/** Median wall and CPU (user + system) ms of fn over `repeat` runs after one warm-up. */
function timeBoth(fn, repeat = 5) {
  fn();
  const wall = [], cpu = [];
  for (let i = 0; i < repeat; i++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    fn();
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
  return { wall: med(wall), cpu: med(cpu) };
}

export async function bench({ log }) {
  const kdir = join(root, "dist", "train", "kernels");
  if (!existsSync(join(kdir, "fast.js"))) return [{ name: "train: skipped", median_ms: NaN, note: "no dist/train/kernels (run npm run build)" }];
  const { createJsKernels } = await import(pathToFileURL(join(kdir, "js.js")).href);
  const { createFastKernels } = await import(pathToFileURL(join(kdir, "fast.js")).href);
  const impls = [createJsKernels(), createFastKernels()];
  const rows = [];
  const total = Object.fromEntries(impls.map((k) => [k.name, 0]));
  for (const [n, l] of SCNN_LAYERS.entries()) {
    const b = layerBuffers(l, 1 + n);
    for (const k of impls) {
      const t = timeBoth(() => runLayer(k, l, b));
      total[k.name] += t.cpu;
      rows.push({ name: `train kernels ${k.name}: ${l.name}`, median_ms: t.wall, cpu_ms: t.cpu, batch: B, steps: T, note: `fwd+bwd of one batch: ${t.cpu.toFixed(0)} ms CPU, ${(b.flops / t.cpu / 1e6).toFixed(1)} GFLOP/s dense-equivalent per CPU second; input ${l.density * 100} % active` });
    }
  }
  for (const k of impls) {
    rows.push({ name: `train kernels ${k.name}: SCNN batch, all layers (CPU ms)`, median_ms: total[k.name], batch: B, steps: T, note: `× ${BATCHES} batches = ${(total[k.name] * BATCHES / 1000).toFixed(2)} s of kernel CPU time per 1000-sample epoch` });
  }
  if (!existsSync(join(root, "dist", "train", "index.js"))) {
    log("train bench: no training engine in dist/train (epoch rows skipped)");
    rows.push({ name: "train: epoch rows skipped", median_ms: NaN, note: "no training engine (dist/train/index.js) on this build" });
    return rows;
  }
  rows.push(...(await epochRows(log)));
  return rows;
}

/**
 * Seconds per training epoch of each task with the issue's commands' settings, on one thread and
 * on 2 worker threads (trainAsync): the paper SCNN from a Kaiming start on the 1000 N-MNIST train
 * recordings (`--data nmnist --init kaiming --bin-ms 5 --steps 60 --batch 32 --lr 1e-3`, seed 0),
 * and the Braille RNN (`--data braille --init kaiming`) on nirkit's train split, each with its
 * dataset preset as `nir train` uses it. Three epochs run; the row is their median (what a long run
 * sees, as `nir train` reports it), and the note also gives the first epoch, which includes the
 * one-time kernel compilation and JIT warm-up. Seconds are the epoch's own (training and the test
 * evaluation), wall and CPU (process.cpuUsage: all threads of the process, so 2 workers add up
 * both); peak RSS is the process's so far (worker threads included). A task whose data or graph is
 * missing is skipped.
 */
/** Epochs per row: the median of three leaves out the first epoch's one-time costs. */
const EPOCHS = 3;

async function epochRows(log) {
  const nir = await import(pathToFileURL(join(root, "dist", "index.js")).href);
  const tasks = [
    { name: "SCNN N-MNIST", graph: ["02_cnn", "cnn_sinabs.nir"], preset: nir.NMNIST_PRESET, data: () => nir.nmnistData({ ...nir.NMNIST_PRESET.data, binMs: 5, steps: 60 }) },
    { name: "Braille RNN", graph: ["03_rnn", "braille_noDelay_noBias_subtract.nir"], preset: nir.BRAILLE_PRESET, data: () => nir.brailleData(nir.BRAILLE_PRESET.data) },
  ];
  const rows = [];
  for (const t of tasks) {
    let graph, data;
    try {
      graph = await nir.read(nir.paperFile(...t.graph));
      data = t.data();
    } catch (e) {
      rows.push({ name: `train epoch: ${t.name} skipped`, median_ms: NaN, note: String(e.message ?? e).split("\n")[0] });
      continue;
    }
    for (const workers of [1, 2]) {
      log(`train bench: ${EPOCHS} epochs of ${t.name} (${data.train.size} samples), ${workers === 1 ? "1 thread" : `${workers} workers`}…`);
      const cpu0 = process.cpuUsage();
      const r = await nir.trainAsync(graph, data, { ...t.preset.train, epochs: EPOCHS, batch: 32, lr: 1e-3, seed: 0, init: "kaiming", workers });
      const cpu = process.cpuUsage(cpu0);
      const secs = r.history.epochs.map((e) => e.seconds);
      const median = [...secs].sort((a, b) => a - b)[Math.floor(secs.length / 2)];
      const last = r.history.epochs.at(-1);
      const cpuS = (cpu.user + cpu.system) / 1e6 / EPOCHS;
      const peak = process.resourceUsage().maxRSS / 1024;
      rows.push({
        name: `train epoch: ${t.name}, ${workers === 1 ? "1 thread" : `${workers} workers`}`, median_ms: median * 1000, cpu_ms: cpuS * 1000,
        note: `${median.toFixed(1)} s wall (median of ${EPOCHS} epochs; the first ${secs[0].toFixed(1)} s), ${cpuS.toFixed(1)} s CPU per epoch (train + test evaluation); loss ${last.loss.toFixed(3)}, test acc ${last.test_acc.toFixed(2)} after ${EPOCHS} epochs; peak RSS ${peak.toFixed(0)} MB`,
      });
    }
  }
  return rows;
}
