/**
 * The worker batch split: per-item work estimates (events or non-zero inputs, plus a fixed
 * per-item share) and guided chunks (large first, small last); real worker runs from dist/
 * equal the single-thread run for sorted, unsorted (also just at the end) and dense inputs, with the
 * batch size given, taken from the highest item, or larger than it, and after a failed run.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { guidedChunks, itemWork } from "../../src/sim/batch.js";
import { rng } from "../support/index.js";

// worker threads load the compiled entry (dist/sim/worker-entry.js); `npm test` builds dist first
const distIndex = fileURLToPath(new URL("../../dist/index.js", import.meta.url));
const haveDist = existsSync(distIndex);

describe("worker batch split", () => {
  it("counts events per item and non-zeros per item of a dense (T, B, n) input, plus a quarter of the mean", () => {
    const ev = { steps: 4, t: Int32Array.from([0, 1, 1, 3, 2, 0]), index: Int32Array.from([0, 1, 2, 3, 0, 1]), batch: Int32Array.from([0, 0, 2, 2, 2, 1]) };
    // items: 2, 1, 3 events; mean 2 → fixed share 2/4 + 1 = 1.5
    expect(Array.from(itemWork(ev, 3, 4))).toEqual([3.5, 2.5, 4.5]);
    // the same events sorted by item (counted by binary search), and items 1 and 3 of 5 without events
    const sorted = { steps: 4, t: Int32Array.from([0, 1, 0, 1, 3, 2]), index: Int32Array.from([0, 1, 1, 2, 3, 0]), batch: Int32Array.from([0, 0, 1, 2, 2, 2]) };
    expect(Array.from(itemWork(sorted, 3, 4))).toEqual([3.5, 2.5, 4.5]);
    // 6 events over 5 items: mean 1.2 → share 1.3
    const gaps = { ...sorted, batch: Int32Array.from([0, 0, 2, 4, 4, 4]) };
    expect(Array.from(itemWork(gaps, 5, 4)).map((w) => +w.toFixed(9))).toEqual([3.3, 1.3, 2.3, 1.3, 4.3]);
    const T = 2, B = 2, n = 3;
    const data = Float32Array.from([1, 0, 0, /* b1 */ 0, 0, 0, /* t1 b0 */ 2, 3, 0, /* b1 */ 0, 0, 1]);
    // item 0: 3 non-zeros, item 1: 1 → mean 2, share 1.5
    expect(Array.from(itemWork({ dtype: "float32", shape: [T, B, n], data }, B, n))).toEqual([4.5, 2.5]);
  });

  it("guided chunks: contiguous, non-empty, covering every item; each about half a worker's share of the work left (1/4 of it for 2 workers), never below 1/32 of the whole", () => {
    const check = (work: Float64Array, W: number) => {
      const chunks = guidedChunks(work, W);
      const total = work.reduce((a, b) => a + b, 0);
      let left = total;
      expect(chunks[0][0]).toBe(0);
      expect(chunks[chunks.length - 1][1]).toBe(work.length);
      chunks.forEach(([lo, hi], c) => {
        expect(hi).toBeGreaterThan(lo);
        if (c > 0) expect(lo).toBe(chunks[c - 1][1]);
        const goal = Math.max(left / (2 * W), total / (16 * W));
        const got = work.slice(lo, hi).reduce((a, b) => a + b, 0);
        // at most the goal (a single item may exceed it), and one more item would pass it
        if (hi - lo > 1) expect(got).toBeLessThanOrEqual(goal);
        if (hi < work.length) expect(got + work[hi]).toBeGreaterThan(goal);
        left -= got;
      });
      return chunks;
    };
    // 100 equal items, 2 workers: 25, then shrinking to at most 3 (100 / 32)
    const even = check(new Float64Array(100).fill(1), 2);
    expect(even[0]).toEqual([0, 25]);
    const sizes = even.map(([lo, hi]) => hi - lo);
    expect(sizes.every((n, k) => k === 0 || n <= sizes[k - 1])).toBe(true);
    expect(sizes[sizes.length - 1]).toBeLessThanOrEqual(3);
    const r = rng(7);
    for (let trial = 0; trial < 20; trial++) check(Float64Array.from({ length: 1 + Math.floor(r() * 60) }, () => 1 + Math.floor(r() * 100)), 1 + Math.floor(r() * 4));
    // one heavy item is a chunk of its own
    expect(check(Float64Array.from([100, 1, 1]), 2)).toEqual([[0, 1], [1, 3]]);
  });
});

describe.skipIf(!haveDist)("runAsync on worker threads (compiled dist/)", () => {
  it("3 workers on 13 event-input items: output and records equal the single-thread run, progress rises to T", async () => {
    const nir = await import(distIndex);
    const r = rng(3);
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

    // the same events shuffled (cut in one pass up front), and as a dense (T, B, 2, 8, 8) tensor
    const perm = [...t.keys()].sort((p, q) => ((p * 7919) % t.length) - ((q * 7919) % t.length));
    const shuffled = { steps: T, t: Int32Array.from(perm, (k) => t[k]), index: Int32Array.from(perm, (k) => index[k]), batch: Int32Array.from(perm, (k) => batch[k]), batchSize: B };
    const dense = new Float32Array(T * B * 128);
    for (let k = 0; k < t.length; k++) dense[(t[k] * B + batch[k]) * 128 + index[k]] += 1;
    const plan2 = nir.compile(net, { dt: 1e-3, workers: 2 });
    for (const x of [shuffled, { dtype: "float32", shape: [T, B, 2, 8, 8], data: dense }]) {
      const two = await plan2.runAsync(x, { record });
      expect(Array.from(two.output.data)).toEqual(Array.from(one.output.data));
      for (const key of ["n.spikes", "l.v"]) expect(Array.from(two.records[key].data)).toEqual(Array.from(one.records[key].data));
    }
    // events sorted but for one more event of item 0 at the very end (found unsorted, cut in one
    // pass), without batchSize (B from the highest item), and with two trailing items without events
    const late = { steps: T, t: Int32Array.from([...t, 0]), index: Int32Array.from([...index, 5]), batch: Int32Array.from([...batch, 0]) };
    const oneLate = nir.compile(net, { dt: 1e-3 }).run(late, { record });
    const twoLate = await plan2.runAsync(late, { record });
    expect(twoLate.output.shape).toEqual([T, B, 3]);
    expect(Array.from(twoLate.output.data)).toEqual(Array.from(oneLate.output.data));
    expect(Array.from(twoLate.records["n.spikes"].data)).not.toEqual(Array.from(one.records["n.spikes"].data)); // the extra event counts
    const wider = { ...ev, batchSize: B + 2 };
    const oneWide = nir.compile(net, { dt: 1e-3 }).run(wider, { record });
    const twoWide = await plan2.runAsync(wider, { record });
    expect(twoWide.output.shape).toEqual([T, B + 2, 3]);
    expect(Array.from(twoWide.output.data)).toEqual(Array.from(oneWide.output.data));
    expect(Array.from(twoWide.records["l.v"].data)).toEqual(Array.from(oneWide.records["l.v"].data));
    // 4 items of 10 events each (4 chunks of one item), one event inside item 3's events moved to
    // item 1: every chunk boundary found by binary search still tiles the events in order, so only
    // the last chunk's worker can find it (it answers unsorted: renumbered, the event would be item
    // -2); the run starts again with the one-pass scan, and its progress does not go back
    const stray = { steps: T, t: Int32Array.from({ length: 40 }, (_, k) => k % T), index: Int32Array.from({ length: 40 }, (_, k) => (k * 37) % 128),
      batch: Int32Array.from({ length: 40 }, (_, k) => (k === 35 ? 1 : Math.floor(k / 10))) };
    const oneStray = nir.compile(net, { dt: 1e-3 }).run(stray, { record });
    const strayProgress: number[] = [];
    const twoStray = await plan2.runAsync(stray, { record, onProgress: (d: number) => strayProgress.push(d) });
    expect(twoStray.output.shape).toEqual([T, 4, 3]);
    expect(Array.from(twoStray.output.data)).toEqual(Array.from(oneStray.output.data));
    expect(Array.from(twoStray.records["l.v"].data)).toEqual(Array.from(oneStray.records["l.v"].data));
    expect(strayProgress.every((d, k) => k === 0 || d >= strayProgress[k - 1])).toBe(true);
    expect(strayProgress[strayProgress.length - 1]).toBe(T);
    // a negative item, sorted or not, fails as the single-thread run does (not dropped by the cut)
    for (const k of [0, 40]) {
      const negative = { ...ev, batch: Int32Array.from(batch, (b, j) => (j === k ? -1 : b)) };
      await expect(plan2.runAsync(negative)).rejects.toThrow(`event ${k} has batch item -1 (must be ≥ 0)`);
    }
    // a run that fails in a worker on its first chunk (an event index out of range) rejects naming
    // it once the other worker has answered what it was sent; the next run on the same workers is whole
    const bad = { ...ev, index: Int32Array.from(index, (i, k) => (k === 0 ? 999 : i)) };
    await expect(plan2.runAsync(bad)).rejects.toThrow(/index 999 outside the input size 128/);
    const again = await plan2.runAsync(ev, { record });
    expect(Array.from(again.output.data)).toEqual(Array.from(one.output.data));
  });
});
