/**
 * Braille training with the recommended preset (BRAILLE_PRESET, what `nir train --data braille`
 * uses by default): a short run's test predictions are what `nir simulate` gives on the written
 * file, recording by recording; the CLI says that the θ = 10 data makes the paper's numbers
 * inapplicable, prints the preset, and its history's test accuracy is the simulated one.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { command as simulateCmd } from "../../src/cli/commands/simulate.js";
import { command as trainCmd } from "../../src/cli/commands/train.js";
import { read, write } from "../../src/io/index.js";
import { readNpy, writeNpy } from "../../src/io/npy.js";
import { sizeOf } from "../../src/ir/tensor.js";
import { BRAILLE_PRESET, brailleData, train, type BrailleDataOptions, type SampleSet } from "../../src/train/index.js";
import { argmaxRows } from "../../src/train/loss.js";
import { refFile, runCaptured } from "../support/index.js";

const dir = mkdtempSync(join(tmpdir(), "nir-train-braille-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a split as the (T, B, 12) .npy `nir simulate` reads. */
function splitNpy(set: SampleSet, file: string): void {
  const data = new Float64Array(set.steps * set.size * sizeOf(set.shape));
  set.fill(Array.from({ length: set.size }, (_, k) => k), data);
  writeNpy(file, { dtype: "float64", shape: [set.steps, set.size, ...set.shape], data });
}

/** `nir simulate` (in-process) on a file; returns each recording's class (argmax of its output spike count). */
async function simulatedClasses(model: string, input: string, set: SampleSet, dt: number, reset: string | undefined): Promise<Int32Array> {
  const out = join(dir, "y.npy");
  const args = [model, "--input", input, "--dt", String(dt), "--profile", "norse", ...(reset ? ["--reset", reset] : []), "--out", out, "--force"];
  expect((await runCaptured(() => simulateCmd.run(args))).code).toBe(0);
  const y = readNpy(out);
  const [T, B, C] = y.shape;
  expect([T, B]).toEqual([set.steps, set.size]);
  const counts = new Float64Array(B * C);
  for (let t = 0; t < T; t++) for (let j = 0; j < B * C; j++) counts[j] += Number(y.data[t * B * C + j]);
  return argmaxRows(counts, B, C);
}

const paper = refFile("paper", "03_rnn", "braille_noDelay_noBias_subtract.nir");
const recordings = refFile("datasets", "braille");
const presetData = BRAILLE_PRESET.data as BrailleDataOptions;
const presetDt = presetData.dt ?? 1e-4;

describe.skipIf(!paper || !recordings)("Braille with the recommended preset", () => {
  it("the training run's test predictions are nir simulate's on the written file, one by one", async () => {
    const data = brailleData({ ...presetData, trainLimit: 96 });
    const res = train(await read(paper!), data, { ...BRAILLE_PRESET.train, epochs: 2, init: "kaiming", seed: 1 });
    const file = join(dir, "lib.nir");
    await write(file, res.graph);
    const input = join(dir, "test.npy");
    splitNpy(data.test, input);
    const pred = await simulatedClasses(file, input, data.test, presetDt, BRAILLE_PRESET.train.reset);
    expect(pred.length).toBe(data.test.size);
    expect(Array.from(pred)).toEqual(Array.from(res.history.test_predictions));
    // a trained net, not a constant answer: the predictions cover several classes
    expect(new Set(pred).size).toBeGreaterThan(2);
  }, 300_000);

  it("nir train --data braille says the paper's numbers do not apply, shows the preset, and its test accuracy is the simulated one", async () => {
    const out = join(dir, "cli.nir"), history = join(dir, "h.json");
    const r = await runCaptured(() => trainCmd.run([paper!, "--data", "braille", "--init", "kaiming", "--epochs", "1", "--train-limit", "64", "--out", out, "--history", history]));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/θ = 10/);
    expect(r.out).toMatch(/paper's (accuracies|numbers) do not apply/);
    expect(r.out).toMatch(/braille preset/);
    expect(r.out).toMatch(/encoding on-minus-off/);
    const h = JSON.parse(readFileSync(history, "utf8")) as { test_acc: number };
    const data = brailleData(presetData);
    const input = join(dir, "test-cli.npy");
    splitNpy(data.test, input);
    const pred = await simulatedClasses(out, input, data.test, presetDt, BRAILLE_PRESET.train.reset);
    const acc = pred.reduce((s, p, k) => s + (p === data.test.labels[k] ? 1 : 0), 0) / pred.length;
    expect(acc).toBe(h.test_acc);
  }, 300_000);

  it("nir train refuses an unknown --encoding, naming or and on-minus-off", async () => {
    const r = trainCmd.run([paper!, "--data", "braille", "--epochs", "1", "--encoding", "signed", "--out", join(dir, "never.nir")]);
    await expect(r).rejects.toMatchObject({ code: "cli.usage", message: expect.stringMatching(/unknown --encoding "signed".*or, on-minus-off/) });
  });
});
