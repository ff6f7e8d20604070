/**
 * Learning-rate schedules: the cosine values against the closed form, the training loop using the
 * scheduled rate in every epoch (full-batch SGD without momentum in float64, reproduced by hand
 * from `gradients()`), and the error for an unknown schedule.
 */
import { describe, expect, it } from "vitest";
import type { Tensor } from "../../src/ir/tensor.js";
import type { NIRGraph } from "../../src/ir/types.js";
import { gradients, recurrentCuba, scheduledLr, tensorSet, train, type TrainData } from "../../src/train/index.js";
import { rng } from "../sim/recurrent-fixture.js";

/** 12 samples of 3 classes, T 20, 6 channels: class c fires channels 2c, 2c+1 more often. */
function toyData(): TrainData {
  const r = rng(5);
  const T = 20, n = 12, C = 6;
  const labels = Array.from({ length: n }, (_, k) => k % 3);
  const data = new Float64Array(T * n * C);
  for (let t = 0; t < T; t++) for (let b = 0; b < n; b++) for (let c = 0; c < C; c++) data[(t * n + b) * C + c] = r() < (Math.floor(c / 2) === labels[b] ? 0.5 : 0.1) ? 1 : 0;
  const set = tensorSet({ dtype: "float64", shape: [T, n, C], data }, labels);
  return { name: "toy", train: set, test: set, dt: 1e-4, classes: 3 };
}

const weightOf = (g: NIRGraph, name: string): Tensor => (g.nodes.get(name) as unknown as { weight: Tensor }).weight;

describe("learning-rate schedules", () => {
  it("cosine gives lr·½(1 + cos(π(e − 1)/E)): for E = 4, lr × 1, (2 + √2)/4, 1/2, (2 − √2)/4; constant gives lr", () => {
    const want = [1, (2 + Math.SQRT2) / 4, 0.5, (2 - Math.SQRT2) / 4];
    want.forEach((f, k) => {
      expect(scheduledLr(0.1, "cosine", k + 1, 4)).toBeCloseTo(0.1 * f, 15);
      expect(scheduledLr(0.1, "constant", k + 1, 4)).toBe(0.1);
    });
  });

  it("training steps each epoch with the scheduled rate (full-batch SGD, momentum 0, float64, by hand from gradients())", () => {
    const data = toyData();
    const start = recurrentCuba({ inputs: 6, hidden: 8, classes: 3, seed: 2 });
    const E = 3, lr = 0.5;
    const res = train(start, data, { epochs: E, batch: data.train.size, lr, kind: "sgd", momentum: 0, dtype: "float64", lrSchedule: "cosine", seed: 0 });
    const input: Tensor = { dtype: "float64", shape: [data.train.steps, data.train.size, ...data.train.shape], data: new Float64Array(data.train.steps * data.train.size * 6) };
    data.train.fill(Array.from({ length: data.train.size }, (_, k) => k), input.data as Float64Array);
    const names = ["fc1", "w_rec", "fc2"];
    const w = new Map(names.map((n) => [n, Float64Array.from(weightOf(start, n).data as ArrayLike<number>)]));
    let moved = 0;
    for (let e = 1; e <= E; e++) {
      const g: NIRGraph = { ...start, nodes: new Map([...start.nodes].map(([k, node]) => [k, w.has(k) ? { ...node, weight: { ...weightOf(start, k), dtype: "float64", data: w.get(k)! } } as typeof node : node])) };
      const grads = gradients(g, { input, labels: data.train.labels }, { dt: data.dt, dtype: "float64" }).gradients;
      const rate = lr * 0.5 * (1 + Math.cos((Math.PI * (e - 1)) / E));
      for (const n of names) w.get(n)!.forEach((x, k, a) => { a[k] = x - rate * grads[`${n}.weight`].data[k]; });
    }
    for (const n of names) {
      const got = weightOf(res.graph, n).data as ArrayLike<number>;
      const init = weightOf(start, n).data as ArrayLike<number>;
      w.get(n)!.forEach((x, k) => {
        expect(Math.abs(Number(got[k]) - x)).toBeLessThan(1e-6);
        moved = Math.max(moved, Math.abs(x - Number(init[k])));
      });
    }
    // the run trained (weights moved well beyond the tolerance), so the comparison has content
    expect(moved).toBeGreaterThan(1e-3);
  });

  it("an unknown schedule is refused before training, naming the schedules", () => {
    expect(() => train(recurrentCuba({ inputs: 6, hidden: 4, classes: 3, seed: 0 }), toyData(), { epochs: 1, lrSchedule: "step" as never }))
      .toThrow(/unknown learning-rate schedule "step".*constant, cosine/);
  });
});
