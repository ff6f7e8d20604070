/**
 * The training loop: determinism for a seed, the test accuracy equal to what the simulator gives
 * on the written file (prediction for prediction), optimiser steps by hand, builders, and the
 * errors for a bad learning rate and a NaN loss.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { read, write } from "../../src/io/index.js";
import { compile } from "../../src/sim/index.js";
import type { Tensor } from "../../src/ir/tensor.js";
import type { NirError } from "../../src/ir/errors.js";
import { nmnistData, recurrentCuba, scnn, simulatePredictions, tensorSet, train, type TrainData } from "../../src/train/index.js";
import { makeOptimizer } from "../../src/train/optim.js";
import type { Param } from "../../src/train/ops/index.js";
import { rng } from "../sim/recurrent-fixture.js";
import { refFile } from "../support/index.js";

const dir = mkdtempSync(join(tmpdir(), "nir-train-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A 3-class toy task: class c fires input channels 4c…4c+3 more often, T 30, 12 channels. */
function toyData(n: number, seed: number, nanAt = -1): TrainData {
  const r = rng(seed);
  const T = 30, C = 12;
  const labels = Array.from({ length: n }, (_, k) => k % 3);
  const data = new Float32Array(T * n * C);
  for (let t = 0; t < T; t++) for (let b = 0; b < n; b++) for (let c = 0; c < C; c++) data[(t * n + b) * C + c] = r() < (Math.floor(c / 4) === labels[b] ? 0.5 : 0.05) ? 1 : 0;
  if (nanAt >= 0) data[nanAt * C] = NaN;
  const input: Tensor = { dtype: "float32", shape: [T, n, C], data };
  const set = tensorSet(input, labels);
  return { name: "toy", train: set, test: set, dt: 1e-4, classes: 3 };
}

const toyNet = (seed: number) => recurrentCuba({ inputs: 12, hidden: 16, classes: 3, seed });

describe("train", () => {
  it("gives bit-identical weights for the same seed, and different ones for another seed", () => {
    const data = toyData(24, 1);
    const run = (seed: number) => train(toyNet(0), data, { epochs: 2, batch: 8, lr: 5e-3, seed, init: "kaiming" });
    const [a, b, c] = [run(3), run(3), run(4)];
    for (const name of ["fc1", "w_rec", "fc2"]) {
      const wa = (a.graph.nodes.get(name) as { weight: Tensor }).weight.data;
      expect(Array.from((b.graph.nodes.get(name) as { weight: Tensor }).weight.data)).toEqual(Array.from(wa));
      expect(Array.from((c.graph.nodes.get(name) as { weight: Tensor }).weight.data)).not.toEqual(Array.from(wa));
    }
    expect(a.history.epochs.map((e) => e.loss)).toEqual(b.history.epochs.map((e) => e.loss));
  });

  it("learns the toy task, and nir simulate on the written file predicts the same class for every test sample", async () => {
    const data = toyData(60, 2);
    const res = train(toyNet(1), data, { epochs: 6, batch: 10, lr: 1e-2, seed: 0, reset: "subtract" });
    const file = join(dir, "toy.nir");
    await write(file, res.graph);
    const back = await read(file);
    const pred = simulatePredictions(back, data.test, { dt: data.dt, reset: "subtract" });
    expect(Array.from(pred)).toEqual(Array.from(res.history.test_predictions));
    const acc = pred.reduce((s, p, k) => s + (p === data.test.labels[k] ? 1 : 0), 0) / pred.length;
    expect(acc).toBe(res.history.test_acc);
    expect(res.history.epochs[0].loss).toBeGreaterThan(res.history.epochs[5].loss);
    expect(acc).toBeGreaterThan(0.6);
  });

  it("rejects a learning rate that is not positive", () => {
    for (const lr of [0, -1e-3, NaN]) {
      expect(() => train(toyNet(0), toyData(6, 1), { epochs: 1, lr })).toThrow(expect.objectContaining({ code: "train.options", field: "lr" }));
    }
  });

  it("stops at a NaN loss or gradient, names the epoch and batch, and keeps the last good weights", () => {
    const bad = toyData(24, 5, 20);
    const data = { ...bad, test: toyData(24, 5).test };
    const res = train(toyNet(0), data, { epochs: 1, batch: 8, lr: 1e-2, seed: 0 });
    expect(res.stopped?.code).toBe("train.nan");
    const m = /at epoch 1, batch (\d) of 3/.exec((res.stopped as NirError).message);
    expect(m).not.toBeNull();
    const w = (res.graph.nodes.get("fc1") as { weight: Tensor }).weight.data;
    for (const x of w) expect(Number.isFinite(x)).toBe(true);
    // the same seed on clean data runs the same batches up to the bad one: its weights there are the last good ones
    const clean = train(toyNet(0), toyData(24, 5), { epochs: 1, batch: 8, lr: 1e-2, seed: 0, onProgress: () => undefined });
    expect(clean.stopped).toBeUndefined();
    if (m![1] === "1") expect(Array.from(w)).toEqual(Array.from((toyNet(0).nodes.get("fc1") as { weight: Tensor }).weight.data));
  });
});

describe("optimisers", () => {
  const param = (data: number[], grad: number[]): Param => ({ key: "p.weight", node: "p", field: "weight", shape: [data.length], data: Float64Array.from(data), grad: Float64Array.from(grad), fanIn: 1, role: "weight" });
  it("Adam's first step moves each weight by lr·g/(|g| + ε)", () => {
    const p = param([1, -2], [0.5, -4]);
    makeOptimizer([p], { kind: "adam", lr: 0.1 }).step();
    expect(p.data[0]).toBeCloseTo(1 - 0.1 * (0.5 / (0.5 + 1e-8)), 12);
    expect(p.data[1]).toBeCloseTo(-2 + 0.1 * (4 / (4 + 1e-8)), 12);
  });
  it("SGD with momentum: b1 = g1, b2 = μ·b1 + g2", () => {
    const p = param([1], [2]);
    const opt = makeOptimizer([p], { kind: "sgd", lr: 0.1, momentum: 0.9 });
    opt.step();
    expect(p.data[0]).toBeCloseTo(1 - 0.2, 12);
    p.grad[0] = 1;
    opt.step();
    expect(p.data[0]).toBeCloseTo(0.8 - 0.1 * (0.9 * 2 + 1), 12);
  });
  it("AMSGrad divides by the largest second moment so far (hand-computed two steps)", () => {
    const p = param([0], [1]);
    const opt = makeOptimizer([p], { lr: 0.1, amsgrad: true });
    opt.step();
    p.grad[0] = 0.01;
    opt.step();
    const [b1, b2] = [0.9, 0.999];
    const m2 = b1 * (1 - b1) * 1 + (1 - b1) * 0.01;
    const s1 = (1 - b2) * 1, s2 = b2 * s1 + (1 - b2) * 1e-4;
    const p1 = -0.1 * (1 / (1 + 1e-8));
    const expected = p1 - (0.1 * (m2 / (1 - b1 ** 2))) / (Math.sqrt(Math.max(s1, s2) / (1 - b2 ** 2)) + 1e-8);
    expect(s2).toBeLessThan(s1);
    expect(p.data[0]).toBeCloseTo(expected, 12);
  });
});

describe("builders", () => {
  it("scnn makes the paper's SCNN shape (node names and parameter shapes of cnn_sinabs.nir)", async () => {
    const g = scnn({ input: [2, 34, 34], conv: [{ channels: 16, kernel: 5, stride: 2, padding: 1 }, { channels: 16, kernel: 3, padding: 1, pool: 2 }, { channels: 8, kernel: 3, padding: 1, pool: 2 }], hidden: [256], classes: 10 });
    const paper = refFile("paper", "02_cnn", "cnn_sinabs.nir");
    if (!paper) return;
    const ref = await read(paper);
    expect([...g.nodes.keys()].sort()).toEqual([...ref.nodes.keys()].sort());
    for (const [name, node] of ref.nodes) {
      expect(g.nodes.get(name)!.type, name).toBe(node.type);
      if ("weight" in node) expect((g.nodes.get(name) as { weight: Tensor }).weight.shape, name).toEqual(node.weight.shape);
    }
    expect(g.edges.map((e) => e.join("→")).sort()).toEqual(ref.edges.map((e) => e.join("→")).sort());
  });
});

const nmnist = refFile("datasets", "nmnist", "slayer_NMNISTsmall", "train1K.txt");
describe.skipIf(!nmnist)("N-MNIST (a short run on a subset)", () => {
  it("the evaluation predicts what nir simulate gives on the written file, recording by recording", async () => {
    const data = nmnistData({ binMs: 5, steps: 30, trainLimit: 16, testLimit: 12 });
    const g = scnn({ input: [2, 34, 34], conv: [{ channels: 4, kernel: 5, stride: 2, padding: 1, pool: 2 }], hidden: [32], classes: 10, seed: 1 });
    const res = train(g, data, { epochs: 1, batch: 8, lr: 1e-3, seed: 0 });
    const file = join(dir, "nmnist.nir");
    await write(file, res.graph);
    // the simulator on the written file with the dense (T, B, 2, 34, 34) count tensor, as
    // `nir simulate --input X.npy` runs it (training evaluates through the event path)
    const x = new Float64Array(data.test.steps * data.test.size * 2312);
    data.test.fill(Array.from({ length: data.test.size }, (_, k) => k), x);
    const y = compile(await read(file), { dt: data.dt, profile: "norse" }).run({ dtype: "float64", shape: [data.test.steps, data.test.size, 2, 34, 34], data: x }).output.data;
    const counts = Array.from({ length: data.test.size }, (_, b) => Array.from({ length: 10 }, (_, c) => {
      let sum = 0;
      for (let t = 0; t < data.test.steps; t++) sum += y[(t * data.test.size + b) * 10 + c];
      return sum;
    }));
    expect(counts.map((row) => row.indexOf(Math.max(...row)))).toEqual(Array.from(res.history.test_predictions));
    expect(Array.from(simulatePredictions(await read(file), data.test, { dt: data.dt }))).toEqual(Array.from(res.history.test_predictions));
  });
});
