/**
 * The resumable training session: the same weights as train() for the same seed; a run stopped
 * at a batch boundary and continued ends with the weights of an uninterrupted run, bit for bit;
 * the best epoch's weights are kept and give the test accuracy recorded for that epoch.
 */
import { describe, expect, it } from "vitest";
import type { Tensor } from "../../src/ir/tensor.js";
import type { NIRGraph } from "../../src/ir/types.js";
import { rangeView, recurrentCuba, simulatePredictions, tensorSet, train, trainingSession, type TrainData } from "../../src/train/index.js";
import { rng } from "../sim/recurrent-fixture.js";

/** 3 classes: class c fires input channels 4c…4c+3 more often; T 20, 12 channels; test = other draws. */
function toy(n: number, seed: number): TrainData {
  const set = (s: number) => {
    const r = rng(s);
    const T = 20, C = 12;
    const labels = Array.from({ length: n }, (_, k) => k % 3);
    const data = new Float32Array(T * n * C);
    for (let t = 0; t < T; t++) for (let b = 0; b < n; b++) for (let c = 0; c < C; c++) data[(t * n + b) * C + c] = r() < (Math.floor(c / 4) === labels[b] ? 0.5 : 0.05) ? 1 : 0;
    return tensorSet({ dtype: "float32", shape: [T, n, C], data } as Tensor, labels);
  };
  return { name: "toy", train: set(seed), test: set(seed + 100), dt: 1e-4, classes: 3 };
}

const weights = (g: NIRGraph): number[] => ["fc1", "w_rec", "fc2"].flatMap((k) => Array.from((g.nodes.get(k) as unknown as { weight: Tensor }).weight.data as Float32Array));
const opts = { epochs: 3, batch: 8, lr: 5e-3, seed: 3, init: "kaiming" as const };

describe("trainingSession", () => {
  it("gives train()'s weights and history for the same seed and options", async () => {
    const data = toy(28, 1); // 4 batches per epoch, the last one of 4 items
    const ref = train(recurrentCuba({ inputs: 12, hidden: 16, classes: 3 }), data, opts);
    const s = trainingSession(recurrentCuba({ inputs: 12, hidden: 16, classes: 3 }), data, opts);
    const res = await s.run();
    expect(weights(res.graph)).toEqual(weights(ref.graph));
    expect(res.history.epochs.map((e) => [e.loss, e.train_acc, e.test_acc])).toEqual(ref.history.epochs.map((e) => [e.loss, e.train_acc, e.test_acc]));
    expect(res.interrupted).toBeUndefined();
  });

  it("stops at the end of the batch during which the signal aborts, and continues to the uninterrupted weights", async () => {
    const data = toy(28, 1);
    const whole = await trainingSession(recurrentCuba({ inputs: 12, hidden: 16, classes: 3 }), data, opts).run();
    const s = trainingSession(recurrentCuba({ inputs: 12, hidden: 16, classes: 3 }), data, opts);
    const stop = new AbortController();
    const seen: string[] = [];
    const first = await s.run({
      signal: stop.signal,
      onProgress: (p) => {
        seen.push(`${p.epoch}.${p.batch}${p.record ? "e" : ""}`);
        if (p.epoch === 2 && p.batch === 2 && !p.record) stop.abort(); // as an interrupt arriving during batch 2
      },
    });
    expect(first.interrupted).toEqual({ epoch: 2, batch: 2, batches: 4 });
    expect(seen.at(-1)).toBe("2.2"); // no batch ran after the abort
    expect(s.epoch).toBe(1);
    expect(s.position).toEqual({ epoch: 2, batch: 2, batches: 4 });
    expect(s.bestEpoch?.epoch).toBe(1);
    const rest = await s.run(); // a new signal-less run: goes on with batch 3 of epoch 2
    expect(rest.interrupted).toBeUndefined();
    expect(weights(rest.graph)).toEqual(weights(whole.graph));
    expect(rest.history.epochs.map((e) => e.loss)).toEqual(whole.history.epochs.map((e) => e.loss));
  });

  it("keeps the weights of the epoch with the best test accuracy; more epochs on request", async () => {
    const data = toy(30, 2);
    const s = trainingSession(recurrentCuba({ inputs: 12, hidden: 16, classes: 3, seed: 1 }), data, { ...opts, epochs: 2, lr: 1e-2 });
    await s.run();
    const res = await s.run({ more: 2 });
    expect(res.history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    const accs = res.history.epochs.map((e) => e.test_acc);
    const bestIdx = accs.indexOf(Math.max(...accs));
    expect(s.bestEpoch).toEqual({ epoch: bestIdx + 1, test_acc: accs[bestIdx] });
    const pred = simulatePredictions(s.bestGraph, data.test, { dt: data.dt });
    expect(pred.reduce((n, p, k) => n + (p === data.test.labels[k] ? 1 : 0), 0) / pred.length).toBe(accs[bestIdx]);
  });

  it("with a validation hold-out, trains on the rest and keeps the epoch with the best validation accuracy", async () => {
    const data = toy(36, 2);
    const s = trainingSession(recurrentCuba({ inputs: 12, hidden: 16, classes: 3, seed: 1 }), data, { ...opts, epochs: 4, lr: 1e-2, validation: 12 });
    const res = await s.run();
    // the same run as train() on the first 24 samples
    const first24 = { ...data, train: rangeView(data.train, 0, 24) };
    const ref = train(recurrentCuba({ inputs: 12, hidden: 16, classes: 3, seed: 1 }), first24, { ...opts, epochs: 4, lr: 1e-2 });
    expect(weights(res.graph)).toEqual(weights(ref.graph));
    // validation accuracies recomputed here from the held-out samples 24..35
    const held = rangeView(data.train, 24, 12);
    expect(Array.from(held.labels)).toEqual(Array.from(data.train.labels.subarray(24)));
    const val = s.validationAccuracy;
    expect(val).toHaveLength(4);
    const bestIdx = val.indexOf(Math.max(...val));
    expect(s.bestEpoch).toEqual({ epoch: bestIdx + 1, test_acc: res.history.epochs[bestIdx].test_acc, val_acc: val[bestIdx] });
    const pred = simulatePredictions(s.bestGraph, held, { dt: data.dt });
    expect(pred.reduce((n, p, k) => n + (p === held.labels[k] ? 1 : 0), 0) / 12).toBe(val[bestIdx]);
    expect(() => trainingSession(recurrentCuba({ inputs: 12, hidden: 16, classes: 3 }), data, { ...opts, validation: 36 })).toThrow(/validation must hold between 1 and 35/);
  });

  it("refuses a bad number of extra epochs", async () => {
    const s = trainingSession(recurrentCuba({ inputs: 12, hidden: 16, classes: 3 }), toy(9, 1), opts);
    await expect(s.run({ more: -1 })).rejects.toMatchObject({ code: "train.options", field: "more" });
  });
});
