/**
 * Data-parallel helpers (src/train/workers.ts): contiguous shards, gradients combined in a fixed
 * order, and a worker pool whose answers come back in worker order whatever order they finish in.
 */
import { describe, expect, it } from "vitest";
import { reduceGradients, shardBatch, shardWeights, TrainWorkerPool } from "../../src/train/workers.js";

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
