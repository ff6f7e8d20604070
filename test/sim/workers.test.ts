/**
 * The worker batch split: per-item work estimates (events or non-zero inputs, plus a fixed
 * per-item share) and contiguous ranges of about equal work, checked against brute force.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { itemWork, splitByWork } from "../../src/sim/workers.js";

// worker threads load the compiled entry (dist/sim/worker-entry.js); `npm test` builds dist first
const distIndex = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
const haveDist = existsSync(distIndex);

describe("worker batch split", () => {
  it("counts events per item and non-zeros per item of a dense (T, B, n) input, plus a quarter of the mean", () => {
    const ev = { steps: 4, t: Int32Array.from([0, 1, 1, 3, 2, 0]), index: Int32Array.from([0, 1, 2, 3, 0, 1]), batch: Int32Array.from([0, 0, 2, 2, 2, 1]) };
    // items: 2, 1, 3 events; mean 2 → fixed share 2/4 + 1 = 1.5
    expect(Array.from(itemWork(ev, 3, 4))).toEqual([3.5, 2.5, 4.5]);
    const T = 2, B = 2, n = 3;
    const data = Float32Array.from([1, 0, 0, /* b1 */ 0, 0, 0, /* t1 b0 */ 2, 3, 0, /* b1 */ 0, 0, 1]);
    // item 0: 3 non-zeros, item 1: 1 → mean 2, share 1.5
    expect(Array.from(itemWork({ dtype: "float32", shape: [T, B, n], data }, B, n))).toEqual([4.5, 2.5]);
  });

  it("ranges are contiguous, cover every item once, are non-empty, and their larger share equals the best cut brute force finds (W = 2)", () => {
    let s = 7;
    const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let trial = 0; trial < 20; trial++) {
      const B = 2 + Math.floor(r() * 30);
      const work = Float64Array.from({ length: B }, () => 1 + Math.floor(r() * 100));
      const bounds = splitByWork(work, 2);
      expect(bounds.length).toBe(2);
      expect(bounds[0][0]).toBe(0);
      expect(bounds[0][1]).toBe(bounds[1][0]);
      expect(bounds[1][1]).toBe(B);
      expect(bounds.every(([lo, hi]) => hi > lo)).toBe(true);
      const sum = (lo: number, hi: number) => work.slice(lo, hi).reduce((a, b) => a + b, 0);
      let best = Infinity;
      for (let c = 1; c < B; c++) best = Math.min(best, Math.max(sum(0, c), sum(c, B)));
      const got = Math.max(sum(...bounds[0]), sum(...bounds[1]));
      // prefix sums grow monotonically, so the prefix closest to half is the best 2-way cut
      expect(got).toBe(best);
    }
    // three workers on equal items split evenly
    expect(splitByWork(new Float64Array(9).fill(1), 3)).toEqual([[0, 3], [3, 6], [6, 9]]);
    // more workers than sensible still gives non-empty ranges
    expect(splitByWork(Float64Array.from([100, 1, 1]), 3)).toEqual([[0, 1], [1, 2], [2, 3]]);
  });
});

describe.skipIf(!haveDist)("runAsync on worker threads (compiled dist/)", () => {
  it("3 workers on 13 event-input items: output and records equal the single-thread run, progress rises to T", async () => {
    const nir = await import(distIndex);
    let seed = 3;
    const r = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const f64 = (shape: number[], f: () => number) => ({ dtype: "float64", shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f) });
    const net = nir.NIRGraph({
      nodes: {
        input: nir.Input({ shape: [2, 8, 8] }),
        c: nir.Conv2d({ input_shape: [8, 8], weight: f64([4, 2, 3, 3], () => Math.round((r() - 0.3) * 8) / 8), padding: 1 }),
        n: nir.IF({ r: f64([4, 8, 8], () => 1), v_threshold: f64([4, 8, 8], () => 1), v_reset: f64([4, 8, 8], () => 0) }),
        f: nir.Flatten({ start_dim: 0, end_dim: -1, input_type: { input: [4, 8, 8] } }),
        a: nir.Affine({ weight: f64([3, 256], () => Math.round((r() - 0.4) * 8) / 8), bias: f64([3], () => 0) }),
        l: nir.LIF({ tau: f64([3], () => 0.02), r: f64([3], () => 1), v_leak: f64([3], () => 0), v_threshold: f64([3], () => 1) }),
        output: nir.Output({ shape: null }),
      },
      edges: [["input", "c"], ["c", "n"], ["n", "f"], ["f", "a"], ["a", "l"], ["l", "output"]],
      typeCheck: false,
    });
    const T = 40, B = 13;
    const t: number[] = [], index: number[] = [], batch: number[] = [];
    for (let b = 0; b < B; b++) for (let s = 0; s < T; s++) for (let k = 0; k < 1 + b; k++) if (r() < 0.5) {
      t.push(s);
      index.push(Math.floor(r() * 128));
      batch.push(b);
    }
    const ev = { steps: T, t: Int32Array.from(t), index: Int32Array.from(index), batch: Int32Array.from(batch), batchSize: B };
    const record = ["n:spikes", "l:v"];
    const one = nir.compile(net, { dt: 1e-3 }).run(ev, { record });
    const progress: number[] = [];
    const three = await nir.compile(net, { dt: 1e-3, workers: 3 }).runAsync(ev, { record, onProgress: (d: number) => progress.push(d) });
    expect(three.output.shape).toEqual([T, B, 3]);
    expect(Array.from(three.output.data)).toEqual(Array.from(one.output.data));
    for (const key of ["n.spikes", "l.v"]) expect(Array.from(three.records[key].data)).toEqual(Array.from(one.records[key].data));
    let spikes = 0;
    for (const q of one.records["n.spikes"].data) spikes += q;
    expect(spikes).toBeGreaterThan(50);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((d, k) => k === 0 || d >= progress[k - 1])).toBe(true);
    expect(progress[progress.length - 1]).toBe(T);
  });
});
