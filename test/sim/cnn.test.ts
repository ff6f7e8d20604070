/**
 * Experiment 2 of the NIR paper: the Sinabs CNN on N-MNIST with Norse semantics. The probe
 * (10 digits × 300 one-ms frames, rebuilt from the recordings of cnn_numbers_source_files.json)
 * gives the first-layer IF spike counts of paper-experiments §2.2; accuracy on the 100 real
 * test recordings is printed and bounded.
 */
import { describe, expect, it } from "vitest";
import { eventsToSpikeInput, loadNmnist, nmnistProbe } from "../../src/data/index.js";
import { read } from "../../src/io/index.js";
import { readNpy } from "../../src/io/npy.js";
import { activitySimilarity, argmax, compile, spikeCounts, type EventInput, type ProfileName, type ResetMode } from "../../src/sim/index.js";
import { refFile } from "../support/index.js";

const cnnPath = refFile("paper", "02_cnn", "cnn_sinabs.nir");
const nmnistRoot = refFile("datasets", "nmnist");
const speckPath = refFile("paper", "02_cnn", "speck_activity.npy");

describe.skipIf(!cnnPath || !nmnistRoot)("CNN experiment (paper/02_cnn)", () => {
  let probeCache: ReturnType<typeof nmnistProbe> | null = null;
  const probe = () => (probeCache ??= nmnistProbe({ root: nmnistRoot! }));
  const firstLayer = async (profile: ProfileName, reset?: ResetMode) => {
    const graph = await read(cnnPath!);
    return compile(graph, { dt: 1e-3, profile, reset }).run(probe(), { record: ["1:spikes"] }).records["1.spikes"];
  };

  it("norse profile: first IF layer fires [6351,1998,5789,6713,3764,5887,5263,3969,5898,4079] spikes on the 10 probe digits", async () => {
    const p = probe();
    expect(p.shape).toEqual([300, 10, 2, 34, 34]);
    // the rebuilt probe's input events per digit (§2.2)
    expect(Array.from(spikeCounts(p, 1))).toEqual([5263, 1661, 4833, 6105, 3130, 4684, 4744, 3328, 5231, 3501]);
    const spikes = await firstLayer("norse");
    expect(spikes.shape).toEqual([300, 10, 16, 16, 16]);
    const perDigit = Array.from(spikeCounts(spikes, 1));
    const total = perDigit.reduce((a, b) => a + b, 0);
    console.log(`CNN first-layer spikes per digit [${perDigit}] total ${total}`);
    expect(perDigit).toEqual([6351, 1998, 5789, 6713, 3764, 5887, 5263, 3969, 5898, 4079]);
    expect(total).toBe(49711);
    if (speckPath) {
      const cos = activitySimilarity(spikes, readNpy(speckPath));
      console.log(`cosine vs speck_activity.npy: ${cos.toFixed(6)}`);
      expect(cos).toBeCloseTo(0.830536, 6);
    }
  });

  it("WebAssembly and JavaScript kernels give the same spikes in every IF layer on the 10 probe digits", async () => {
    const graph = await read(cnnPath!);
    const record = ["1:spikes", "3:spikes", "6:spikes", "10:spikes", "12:spikes"];
    const runs = (["auto", "js"] as const).map((kernels) => compile(graph, { dt: 1e-3, profile: "norse", kernels }).run(probe(), { record }).records);
    const counts = record.map((r) => {
      const key = r.replace(":", ".");
      const [a, b] = [runs[0][key].data, runs[1][key].data];
      let differ = 0;
      for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) differ++;
      expect(a.length).toBe(b.length);
      expect(differ).toBe(0);
      return Array.from(spikeCounts(runs[0][key], 1)).reduce((a, b) => a + b, 0);
    });
    console.log(`CNN spikes per IF layer (1, 3, 6, 10, 12), both kernel sets: [${counts}]`);
    expect(counts[0]).toBe(49711);
  });

  it("other profiles' first-layer activity vs Norse: Nengo 1.000000, Spyx ≈ 0.9943, snnTorch ≈ 0.7859 (§2.3/§2.4)", async () => {
    const norse = await firstLayer("norse");
    const sims: Record<string, number> = {};
    for (const p of ["nengo", "spyx", "snntorch"] as const) sims[p] = activitySimilarity(await firstLayer(p), norse);
    console.log(`first-layer similarity to Norse: ${JSON.stringify(sims)}`);
    expect(sims.nengo).toBeCloseTo(1, 6);
    expect(sims.spyx).toBeCloseTo(0.9943, 3);
    expect(sims.snntorch).toBeCloseTo(0.7859, 3);
  });

  // Variants of §5 ("suggested test targets"), checkable when Speck's activity file is present.
  it.skipIf(!speckPath)("snntorch (Leaky β 0.9, subtract next step) ≈ 0.9719 and spyx (late subtract) ≈ 0.8388 vs Speck", async () => {
    const speck = readNpy(speckPath!);
    const snn = activitySimilarity(await firstLayer("snntorch"), speck);
    const spyx = activitySimilarity(await firstLayer("spyx"), speck);
    console.log(`vs Speck: snntorch ${snn.toFixed(4)}, spyx ${spyx.toFixed(4)}`);
    expect(snn).toBeCloseTo(0.9719, 3);
    expect(spyx).toBeCloseTo(0.8388, 3);
  });

  it("classifies the 100 N-MNIST test recordings (1 ms event-count bins, argmax of output spike counts)", async () => {
    const ds = loadNmnist({ split: "test", root: nmnistRoot! });
    const samples = ds.samples;
    expect(samples.length).toBe(100);
    // events → (step, flat index p·34·34 + y·34 + x, batch item); 1 ms bins start at each recording's first event
    const input: EventInput = eventsToSpikeInput(samples.map((s) => s.events));
    const steps = input.steps;
    const graph = await read(cnnPath!);
    const res = compile(graph, { dt: 1e-3, profile: "norse" }).run(input);
    const counts = spikeCounts(res.output);
    let correct = 0;
    samples.forEach((s, b) => {
      if (argmax(counts.subarray(b * 10, b * 10 + 10)) === s.label) correct++;
    });
    const accuracy = correct / samples.length;
    console.log(`CNN accuracy on ${samples.length} N-MNIST test recordings: ${accuracy} (${steps} steps)`);
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
  });
});
