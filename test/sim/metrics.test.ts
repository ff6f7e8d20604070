/** Paper §4 metric: cosine of per-neuron means over time; spike-count helpers. */
import { describe, expect, it } from "vitest";
import { activitySimilarity, argmax, cosineSimilarity, meanOverTime, spikeCounts, spikeSteps } from "../../src/sim/index.js";

describe("metrics", () => {
  it("cosineSimilarity is dot/(|a||b|); 0 for an all-zero vector", () => {
    expect(cosineSimilarity([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([3, 4], [4, 3])).toBeCloseTo(24 / 25, 12);
    expect(cosineSimilarity([0, 0], [1, 2])).toBe(0);
  });

  it("activitySimilarity ignores time length and scale (Speck's single bin vs 3 steps)", () => {
    const a = { dtype: "float64" as const, shape: [3, 2, 2], data: Float64Array.from([1, 0, 2, 1, 0, 0, 1, 1, 2, 0, 0, 1]) };
    // per-neuron sums 3,0,3,3 → means 1,0,1,1
    expect(Array.from(meanOverTime(a))).toEqual([1, 0, 1, 1]);
    const b = { dtype: "float32" as const, shape: [1, 2, 2], data: Float32Array.from([7, 0, 7, 7]) };
    expect(activitySimilarity(a, b)).toBeCloseTo(1, 12);
    const c = { dtype: "float32" as const, shape: [1, 2, 2], data: Float32Array.from([0, 1, 0, 0]) };
    expect(activitySimilarity(a, c)).toBe(0);
  });

  it("spikeCounts sums over time (per neuron, or per batch item with keepAxes 1); spikeSteps and argmax", () => {
    const rec = { dtype: "float32" as const, shape: [2, 2, 3], data: Float32Array.from([1, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0]) };
    expect(Array.from(spikeCounts(rec))).toEqual([1, 1, 2, 1, 0, 1]);
    expect(Array.from(spikeCounts(rec, 1))).toEqual([4, 2]);
    expect(spikeSteps({ dtype: "float64", shape: [5, 1], data: Float64Array.from([0, 1, 0, 0, 2]) })).toEqual([1, 4]);
    expect(argmax([3, 9, 9, 1])).toBe(1);
  });
});
