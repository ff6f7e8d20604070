/**
 * Data-parallel helpers (src/train/workers.ts): contiguous shards, gradients combined in a fixed
 * order, and a worker pool whose answers come back in worker order whatever order they finish in;
 * trainAsync on worker threads: bit-identical weights run to run for a fixed seed and worker count,
 * the one-thread weights within float32 rounding for another count, and a worker that fails or
 * exits gives a NirError instead of a hang.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { reduceGradients, shardBatch, shardWeights, TrainWorkerPool } from "../../src/train/workers.js";

// training workers load the compiled entry (dist/train/worker-entry.js); `npm test` builds dist first
const distIndex = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
const haveDist = existsSync(fileURLToPath(new URL("../../dist/train/worker-entry.js", import.meta.url)));
if (!haveDist) console.log("[skip] training on worker threads: no dist/train/worker-entry.js (run npm run build)");

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe("training workers", () => {
  it("splits a batch into contiguous shards whose sizes differ by at most one, larger first", () => {
    expect(shardBatch(32, 2)).toEqual([[0, 16], [16, 32]]);
    expect(shardBatch(10, 3)).toEqual([[0, 4], [4, 7], [7, 10]]);
    expect(shardBatch(2, 4)).toEqual([[0, 1], [1, 2], [2, 2], [2, 2]]);
    for (let batch = 0; batch <= 40; batch++) {
      for (let workers = 1; workers <= 6; workers++) {
        const s = shardBatch(batch, workers);
        expect(s.length).toBe(workers);
        expect(s[0][0]).toBe(0);
        expect(s[workers - 1][1]).toBe(batch);
        for (let w = 1; w < workers; w++) expect(s[w][0]).toBe(s[w - 1][1]);
        const sizes = s.map(([a, b]) => b - a);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        for (let w = 1; w < workers; w++) expect(sizes[w]).toBeLessThanOrEqual(sizes[w - 1]);
      }
    }
    expect(() => shardBatch(4, 0)).toThrow(/workers 0/);
  });

  it("weights shard means into the batch mean (gradient of a mean loss)", () => {
    // per-item "gradients" g_b; the batch-mean gradient is (1/B)·Σ_b g_b
    const r = rng(3), B = 13, n = 5;
    const items = Array.from({ length: B }, () => Float64Array.from({ length: n }, () => r() - 0.5));
    const shards = shardBatch(B, 3);
    const parts = shards.map(([a, b]) => {
      const m = new Float64Array(n);
      for (let i = a; i < b; i++) for (let k = 0; k < n; k++) m[k] += items[i][k] / (b - a);
      return [m];
    });
    const out = [new Float64Array(n)];
    reduceGradients(parts, out, shardWeights(shards));
    for (let k = 0; k < n; k++) {
      let mean = 0;
      for (let i = 0; i < B; i++) mean += items[i][k];
      expect(out[0][k]).toBeCloseTo(mean / B, 14);
    }
  });

  it("sums worker gradients in worker order, in double precision, rounded once into float32", () => {
    const parts = [[Float32Array.of(1e8, 1)], [Float32Array.of(1, -1e8)], [Float32Array.of(-1e8, 1e8)]];
    const out = [new Float32Array(2)];
    reduceGradients(parts, out);
    // f64: 1e8 + 1 − 1e8 = 1 exactly (a float32 running sum would lose the 1)
    expect(Array.from(out[0])).toEqual([1, 1]);
    expect(() => reduceGradients([[new Float32Array(3)]], out)).toThrow(/worker 0/);
  });

  it("a pool returns answers in worker order whatever order the workers finish, so results are identical run to run", async () => {
    // each worker sums the squares of its shard (a stand-in for a shard's gradient) after a delay
    // chosen so that later workers often finish first
    const code = `
      const { parentPort } = require("node:worker_threads");
      parentPort.on("message", ({ data, delay }) => {
        setTimeout(() => {
          const g = new Float32Array(2);
          for (let i = 0; i < data.length; i++) { g[0] += data[i] * data[i]; g[1] += data[i]; }
          parentPort.postMessage(g, [g.buffer]);
        }, delay);
      });`;
    const r = rng(9), batch = 50, x = Float32Array.from({ length: batch }, () => r() * 2 - 1);
    const pool = new TrainWorkerPool<{ data: Float32Array; delay: number }, Float32Array>(3, code, { eval: true });
    try {
      const shards = shardBatch(batch, pool.size);
      const results: Float32Array[] = [];
      for (const delays of [[30, 10, 0], [0, 10, 30], [10, 0, 20]]) {
        const answers = await pool.map(shards.map(([a, b], w) => ({ message: { data: x.slice(a, b), delay: delays[w] } })));
        const out = [new Float32Array(2)];
        reduceGradients(answers.map((g) => [g]), out);
        results.push(out[0]);
        // the same sums computed here, shard by shard in worker order
        const want = shards.map(([a, b]) => {
          const g = new Float32Array(2);
          for (let i = a; i < b; i++) {
            g[0] += x[i] * x[i];
            g[1] += x[i];
          }
          return g;
        });
        expect(Array.from(out[0])).toEqual([Math.fround(want[0][0] + want[1][0] + want[2][0]), Math.fround(want[0][1] + want[1][1] + want[2][1])]);
      }
      expect(Array.from(results[1])).toEqual(Array.from(results[0]));
      expect(Array.from(results[2])).toEqual(Array.from(results[0]));
    } finally {
      await pool.close();
    }
  });
});

/** A 3-class toy task: class c fires input channels 4c…4c+3 more often (T 20, 12 channels). */
function toyTensors(n: number, seed: number): { input: { dtype: "float32"; shape: number[]; data: Float32Array }; labels: number[] } {
  const r = rng(seed);
  const T = 20, C = 12;
  const labels = Array.from({ length: n }, (_, k) => k % 3);
  const data = new Float32Array(T * n * C);
  for (let t = 0; t < T; t++) for (let b = 0; b < n; b++) for (let c = 0; c < C; c++) data[(t * n + b) * C + c] = r() < (Math.floor(c / 4) === labels[b] ? 0.5 : 0.05) ? 1 : 0;
  return { input: { dtype: "float32", shape: [T, n, C], data }, labels };
}

describe.skipIf(!haveDist)("trainAsync on worker threads (compiled dist/)", () => {
  // the toy recurrent CubaLIF net: 2 epochs of 5 batches of 8 (the last batch is 4 items, split 2 + 2)
  const run = async (workers: number) => {
    const nir = await import(distIndex);
    const { input, labels } = toyTensors(36, 7);
    const set = nir.tensorSet(input, labels);
    const data = { name: "toy", train: set, test: set, dt: 1e-4, classes: 3 };
    const graph = nir.recurrentCuba({ inputs: 12, hidden: 16, classes: 3, seed: 2 });
    const progress: number[] = [];
    const res = await nir.trainAsync(graph, data, { epochs: 2, batch: 8, lr: 5e-3, seed: 1, init: "kaiming", workers, onProgress: (p: { batch: number }) => progress.push(p.batch) });
    const weights = ["fc1", "w_rec", "fc2"].flatMap((name) => Array.from(res.graph.nodes.get(name).weight.data as Float32Array));
    return { res, weights, progress };
  };

  it("2 workers: the same weights bit for bit run to run; within 1e-5 of one thread's (float32 sums in another order)", async () => {
    const [a, b, one] = [await run(2), await run(2), await run(1)];
    expect(a.weights).toEqual(b.weights);
    expect(a.res.history.epochs.map((e: { loss: number }) => e.loss)).toEqual(b.res.history.epochs.map((e: { loss: number }) => e.loss));
    // progress from every batch of both epochs reached the caller, then each epoch's record
    expect(a.progress).toEqual([1, 2, 3, 4, 5, 5, 1, 2, 3, 4, 5, 5]);
    // the batch means differ from one thread's only by the order of float32 sums (reduced in
    // float64): after 10 Adam steps the weights agree to a few ulps of the step size (lr 5e-3)
    let worst = 0;
    one.weights.forEach((w, k) => (worst = Math.max(worst, Math.abs(w - a.weights[k]))));
    expect(worst).toBeLessThan(1e-5);
    expect(a.weights).not.toEqual(new Array(a.weights.length).fill(0));
    // the test predictions (the simulator, split among the workers) are those of the same weights in one thread
    const nir = await import(distIndex);
    const { input, labels } = toyTensors(36, 7);
    expect(Array.from(nir.simulatePredictions(a.res.graph, nir.tensorSet(input, labels), { dt: 1e-4 }))).toEqual(Array.from(a.res.history.test_predictions));
  });

  for (const fault of ["throw", "exit"]) {
    it(`a worker that ${fault === "throw" ? "throws" : "exits"} mid-batch gives a NirError naming the worker, not a hang`, async () => {
      process.env.NIRKIT_TRAIN_WORKER_FAULT = fault;
      try {
        await expect(run(2)).rejects.toMatchObject({ name: "NirError", code: "train.worker", message: expect.stringMatching(/training worker 1/) });
      } finally {
        delete process.env.NIRKIT_TRAIN_WORKER_FAULT;
      }
    });
  }

  it("train() refuses workers > 1 and points to trainAsync", async () => {
    const nir = await import(distIndex);
    const { input, labels } = toyTensors(6, 1);
    const set = nir.tensorSet(input, labels);
    expect(() => nir.train(nir.recurrentCuba({ inputs: 12, hidden: 4, classes: 3 }), { name: "toy", train: set, test: set, dt: 1e-4, classes: 3 }, { epochs: 1, workers: 2 }))
      .toThrow(expect.objectContaining({ code: "train.options", field: "workers" }));
  });
});
