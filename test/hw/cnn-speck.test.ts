/**
 * Must show: cnn_sinabs.nir on Speck — fit report with each layer's core and memory, and the
 * emulated quantised network's accuracy on the 100 N-MNIST test recordings beside the float
 * `norse` profile.
 */
import { describe, expect, it } from "vitest";
import { read } from "../../src/io/index.js";
import { loadNmnist, toFrame } from "../../src/data/index.js";
import { compile } from "../../src/sim/index.js";
import { checkFit, emulate, exportTo, type SpeckConfig } from "../../src/hw/index.js";
import { datasetFile, refFile } from "../support/index.js";

const cnnFile = refFile("paper", "02_cnn", "cnn_sinabs.nir");
const cnn = cnnFile ?? "";
const nmnistList = datasetFile("nmnist", "slayer_NMNISTsmall", "test100.txt");
const log2c = (n: number) => Math.ceil(Math.log2(n));

describe.skipIf(!cnnFile)("CNN on Speck", () => {
  it("fits; the report lists each layer's core and kernel/neuron memory from the sinabs formulas", async () => {
    const g = await read(cnn);
    const r = checkFit(g, "speck");
    for (const l of r.layers) console.log(`[speck fit] ${l.name} ${l.nodes.join("→")} core ${l.core} kernel ${l.kernelMemory} neurons ${l.neuronMemory}`);
    expect(r.fits).toBe(true);
    expect(r.layers.length).toBe(5);
    // kernel memory c·2^(⌈log2 k²⌉+⌈log2 f⌉), neuron memory f·2^(⌈log2 fy⌉+⌈log2 fx⌉)
    const expected = [
      [2 * 2 ** (log2c(25) + log2c(16)), 16 * 2 ** (log2c(16) + log2c(16))], // conv 0: 2→16, 5×5, out 16×16
      [16 * 2 ** (log2c(9) + log2c(16)), 16 * 2 ** (log2c(16) + log2c(16))], // conv 2: 16→16, 3×3, out 16×16
      [16 * 2 ** (log2c(9) + log2c(8)), 8 * 2 ** (log2c(8) + log2c(8))], // conv 5: 16→8, 3×3, out 8×8
      [8 * 2 ** (log2c(16) + log2c(256)), 256], // affine 9 as 8×4×4 conv → 256
      [256 * 2 ** (0 + log2c(10)), 10], // affine 11 as 1×1 conv 256 → 10
    ];
    expect(r.layers.map((l) => [l.kernelMemory, l.neuronMemory])).toEqual(expected);
    const cores = r.layers.map((l) => l.core as number);
    expect(new Set(cores).size).toBe(5);
    const KERNEL = [16384, 16384, 16384, 32768, 32768, 65536, 65536, 16384, 16384];
    r.layers.forEach((l, i) => expect(l.kernelMemory as number).toBeLessThanOrEqual(KERNEL[cores[i]]));
    expect([3, 4, 5, 6]).toContain(cores[3]); // the 32Ki-entry layer needs a 32Ki or 64Ki core
  });

  it.skipIf(!nmnistList)("emulated int8/int16 network vs float norse on the 100 N-MNIST test recordings", async () => {
    const g = await read(cnn);
    const cfg = exportTo("speck", g, { dt: 1e-3, reset: "subtract" }) as SpeckConfig;
    console.log("[speck export] thresholds", cfg.cnnLayers.map((l) => `${l.threshold_high}/${l.threshold_low}`).join(" "), "scales", cfg.cnnLayers.map((l) => l.scale.toFixed(2)).join(" "));
    const w = cfg.cnnLayers.flatMap((l) => l.weights.flat(3));
    expect(Math.max(...w)).toBeLessThanOrEqual(127);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-128);
    const ds = loadNmnist({ split: "test", limit: 100 });
    expect(ds.samples.length).toBe(100);
    const plan = compile(g, { dt: 1e-3, profile: "norse" });
    let chipOk = 0, floatOk = 0, agree = 0;
    const argmax = (v: number[]) => v.indexOf(Math.max(...v));
    const sumOver = (t: { data: ArrayLike<number>; shape: number[] }) => {
      const n = t.data.length / t.shape[0];
      const s = new Array<number>(n).fill(0);
      for (let i = 0; i < t.data.length; i++) s[i % n] += Number(t.data[i]);
      return s;
    };
    for (const s of ds.samples) {
      const frames = toFrame(s.events, { timeWindow: 1000 });
      const a = argmax(sumOver(emulate(cfg, frames).output));
      plan.reset();
      const b = argmax(sumOver(plan.run(frames).output));
      if (a === s.label) chipOk++;
      if (b === s.label) floatOk++;
      if (a === b) agree++;
    }
    console.log(`[speck CNN] 100 N-MNIST test recordings: emulated Speck (int8, subtract, multi-spike) accuracy ${chipOk / 100}; float norse profile ${floatOk / 100}; same prediction ${agree}/100`);
    expect(floatOk).toBeGreaterThanOrEqual(90);
    expect(chipOk).toBeGreaterThanOrEqual(85);
  }, 300_000);
});
