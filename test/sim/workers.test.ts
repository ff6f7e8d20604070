/**
 * The worker batch split: per-item work estimates (events or non-zero inputs, plus a fixed
 * per-item share) and contiguous ranges of about equal work, checked against brute force.
 */
import { describe, expect, it } from "vitest";
import { itemWork, splitByWork } from "../../src/sim/workers.js";

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
