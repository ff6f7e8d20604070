// Paired A/B timing of two builds of nirkit on the paper's CNN (or the Braille RNN), for kernel work
// on a shared host whose speed drifts by 2× over minutes: the two builds run alternately (ABBA
// order, many short runs), and the answer is the median of the per-pair ratios B/A, which the
// drift cancels out of. Run it with the same build on both sides to see the noise floor.
//
//   node bench/ab.mjs DIST_A DIST_B [--rnn | --train] [--pairs N] [--batch B] [--profile NAME]
//
// --train times one training step of the paper's SCNN instead (forward, ce-count loss and backward
// of one batch of 32 N-MNIST train recordings, 5 ms bins, 60 steps, float32: the work of one
// batch of `npm run bench -- train`'s epoch), and checks that both builds give the same loss and
// gradients. Every mode also prints the CPU time (process.cpuUsage) beside the wall time.
//
// --profile NAME times the CNN under another platform profile (default norse).
//
// DIST_A and DIST_B are folders holding a compiled nirkit (index.js), for example `dist` and a
// baseline built with `git stash && npx tsc --outDir .dist-base && git stash pop`. Both must give the
// same outputs; the script checks that before it times anything.
import { existsSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const SHARED = process.env.NIR_SHARED ? resolve(process.env.NIR_SHARED) : resolve(here, "..", "..", "shared");
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const k = args.indexOf(name);
  return k >= 0 ? Number(args[k + 1]) : fallback;
};
const dists = args.filter((a, k) => !a.startsWith("--") && !["--pairs", "--batch", "--profile"].includes(args[k - 1]));
if (dists.length !== 2) {
  console.error("usage: node bench/ab.mjs DIST_A DIST_B [--rnn] [--pairs N] [--batch B] [--profile NAME]");
  process.exit(2);
}
const [A, B] = await Promise.all(dists.map((d) => {
  const entry = resolve(d, "index.js");
  if (!existsSync(entry)) {
    console.error(`ab: no ${entry} — build one with npx tsc --outDir ${d}`);
    process.exit(2);
  }
  return import(pathToFileURL(entry).href);
}));
const rnn = args.includes("--rnn");
const train = args.includes("--train");
const pairs = opt("--pairs", 150);
// the CNN's platform profile (default norse)
const profile = args.includes("--profile") ? args[args.indexOf("--profile") + 1] : "norse";

/** The workload: a compiled plan per build and its input (real recordings, as in sim.bench.mjs). */
async function workload() {
  if (train) return trainWorkload();
  if (rnn) {
    const graph = await A.read(join(SHARED, "paper", "03_rnn", "braille_noDelay_bias_zero.nir"));
    const rows = readFileSync(join(SHARED, "paper", "03_rnn", "derived", "ds_test0_input_256x12.csv"), "utf8").trim().split("\n").map((l) => l.split(",").map(Number));
    const input = { dtype: "float32", shape: [256, 12], data: Float32Array.from(rows.flat()) };
    const opts = { dt: 1e-4, profile: "snntorch" };
    return { name: "Braille RNN, batch 1, 50 runs", per: 50, reps: 50, input, pa: A.compile(graph, opts), pb: B.compile(graph, opts) };
  }
  const graph = await A.read(join(SHARED, "paper", "02_cnn", "cnn_sinabs.nir"));
  const n = opt("--batch", 10);
  const samples = A.loadNmnist({ split: "test", root: join(SHARED, "datasets", "nmnist") }).samples.slice(0, n);
  // events binned in 1 ms from each recording's first event, 300 steps
  const input = A.eventsToSpikeInput(samples.map((s) => s.events), { steps: 300 });
  const opts = { dt: 1e-3, profile, batch: samples.length };
  return { name: `CNN (${profile}), ${samples.length} N-MNIST recordings as events`, per: samples.length, reps: 1, input, pa: A.compile(graph, opts), pb: B.compile(graph, opts) };
}

/** One training step per run: a stand-in plan whose output is the loss and every gradient. */
async function trainWorkload() {
  const graph = await A.read(join(SHARED, "paper", "02_cnn", "cnn_sinabs.nir"));
  const B = opt("--batch", 32), T = 60;
  const step = async (dist) => {
    const { compileTrainer } = await import(pathToFileURL(resolve(dist, "train", "network.js")).href);
    const { batchStep } = await import(pathToFileURL(resolve(dist, "train", "gradients.js")).href);
    const net = compileTrainer(graph, { dt: 5e-3 });
    return {
      run(input) {
        net.zeroGrad();
        const { loss } = batchStep(net, input.data, input.labels, T, B, {});
        return { output: { data: Float64Array.from([loss, ...net.params.flatMap((q) => Array.from(q.grad))]) } };
      },
    };
  };
  const set = A.nmnistData({ binMs: 5, steps: T }).train;
  const idx = Array.from({ length: B }, (_, k) => k);
  const data = new Float32Array(T * B * 2 * 34 * 34);
  set.fill(idx, data);
  const input = { data, labels: Int32Array.from(idx, (k) => set.labels[k]) };
  return { name: `SCNN training step, ${B} N-MNIST recordings, ${T} steps of 5 ms`, per: 1, reps: 1, input, pa: await step(dists[0]), pb: await step(dists[1]) };
}

const w = await workload();
const outA = w.pa.run(w.input).output.data, outB = w.pb.run(w.input).output.data;
if (outA.length !== outB.length || outA.some((x, k) => !Object.is(x, outB[k]))) {
  console.error("ab: the two builds give different outputs — compare speed only once they agree");
  process.exit(1);
}
const cpu = { a: [], b: [] };
const time = (p) => {
  const c0 = process.cpuUsage(), t0 = performance.now();
  for (let r = 0; r < w.reps; r++) p.run(w.input);
  const c = process.cpuUsage(c0);
  cpu[p === w.pa ? "a" : "b"].push((c.user + c.system) / 1000 / w.per);
  return (performance.now() - t0) / w.per;
};
for (let i = 0; i < (train ? 2 : 10); i++) { time(w.pa); time(w.pb); }
cpu.a.length = cpu.b.length = 0;
const ratios = [], ta = [], tb = [];
for (let r = 0; r < pairs; r++) {
  let a, b;
  if (r & 1) { a = time(w.pa); b = time(w.pb); } else { b = time(w.pb); a = time(w.pa); }
  ratios.push(b / a);
  ta.push(a);
  tb.push(b);
}
const q = (x, f) => [...x].sort((p, s) => p - s)[Math.min(x.length - 1, Math.floor(x.length * f))];
console.log(`${w.name}, ${pairs} ABBA pairs`);
console.log(`A ${dists[0]}: median ${q(ta, 0.5).toFixed(3)} ms/sample, fastest ${q(ta, 0).toFixed(3)}`);
console.log(`B ${dists[1]}: median ${q(tb, 0.5).toFixed(3)} ms/sample, fastest ${q(tb, 0).toFixed(3)}`);
console.log(`CPU: A median ${q(cpu.a, 0.5).toFixed(3)}, B median ${q(cpu.b, 0.5).toFixed(3)} ms/sample; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log(`B/A: median ${q(ratios, 0.5).toFixed(3)} (middle half ${q(ratios, 0.25).toFixed(3)}–${q(ratios, 0.75).toFixed(3)}); below 1 means B is faster`);
