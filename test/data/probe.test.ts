import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CNN_NUMBERS_SOURCE_FILES, cnnNumbersSourceFiles, nmnistProbe } from "../../src/data/index.js";
import { refFile } from "../support/index.js";
import { datasetFile } from "../support/index.js";

const nmnist = datasetFile("nmnist", "slayer_NMNISTsmall", "test");
const sourceList = refFile("paper", "02_cnn", "cnn_numbers_source_files.json");

describe("nmnistProbe (the paper's cnn_numbers input)", () => {
  it.skipIf(!sourceList)("uses the recordings named in cnn_numbers_source_files.json", () => {
    const json = JSON.parse(readFileSync(sourceList!, "utf8")) as { digit_to_file: string[] };
    expect(cnnNumbersSourceFiles()).toEqual(json.digit_to_file);
    expect([...CNN_NUMBERS_SOURCE_FILES]).toEqual(json.digit_to_file);
  });

  it.skipIf(!nmnist)("is (300, 10, 2, 34, 34) with input events per digit [5263, 1661, 4833, 6105, 3130, 4684, 4744, 3328, 5231, 3501]", () => {
    const probe = nmnistProbe({ root: join(nmnist!, "..", "..") });
    expect(probe.shape).toEqual([300, 10, 2, 34, 34]);
    const d = probe.data as Float32Array;
    const per = 2 * 34 * 34;
    const perDigit = new Array(10).fill(0);
    let max = 0;
    for (let t = 0; t < 300; t++) for (let b = 0; b < 10; b++) for (let i = 0; i < per; i++) {
      const v = d[(t * 10 + b) * per + i];
      perDigit[b] += v;
      max = Math.max(max, v);
    }
    console.log("probe input events per digit:", JSON.stringify(perDigit), "max count per bin:", max);
    // paper-experiments.md §2.2: rebuilt probe totals, and "max 2 in the probe digits".
    expect(perDigit).toEqual([5263, 1661, 4833, 6105, 3130, 4684, 4744, 3328, 5231, 3501]);
    expect(max).toBe(2);
  });

  it.skipIf(!nmnist)("equals 1 ms counts computed directly from the raw bytes for digit 0 (60004)", () => {
    const bytes = readFileSync(join(nmnist!, "60004.bs2"));
    const probe = nmnistProbe({ root: join(nmnist!, "..", "..") });
    const per = 2 * 34 * 34;
    const ref = new Float32Array(300 * per);
    const t0 = bytes.readUIntBE(2, 3) % 2 ** 23;
    for (let k = 0; k < bytes.length; k += 5) {
      const v = bytes.readUIntBE(k, 5);
      const bin = Math.floor(((v % 2 ** 23) - t0) / 1000);
      if (bin >= 300) continue;
      ref[bin * per + (Math.floor(v / 2 ** 23) % 2) * 34 * 34 + (Math.floor(v / 2 ** 24) % 256) * 34 + Math.floor(v / 2 ** 32)] += 1;
    }
    let mismatches = 0, total = 0;
    for (let t = 0; t < 300; t++) for (let i = 0; i < per; i++) {
      const v = (probe.data as Float32Array)[t * 10 * per + i];
      total += v;
      if (v !== ref[t * per + i]) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(total).toBe(5263);
  });
});

describe("probe events for event-driven hardware", () => {
  it.skipIf(!nmnist)("nmnistProbeEvents gives the 10 whole recordings; as simulator event input the first 300 steps hold the probe's counts", async () => {
    const { eventsToSpikeInput, nmnistProbeEvents } = await import("../../src/data/index.js");
    const root = join(nmnist!, "..", "..");
    const streams = nmnistProbeEvents({ root });
    expect(streams.map((s) => s.t.length)).toEqual(CNN_NUMBERS_SOURCE_FILES.map((f) => readFileSync(join(nmnist!, f)).length / 5));
    const all = eventsToSpikeInput(streams);
    expect(all.t.length).toBe(streams.reduce((a, s) => a + s.t.length, 0)); // nothing dropped
    expect(all.shape).toEqual([2, 34, 34]);
    const cut = eventsToSpikeInput(streams, { steps: 300 });
    const probe = nmnistProbe({ root });
    const per = 2 * 34 * 34;
    const dense = new Float32Array(300 * 10 * per);
    for (let k = 0; k < cut.t.length; k++) dense[(cut.t[k] * 10 + cut.batch[k]) * per + cut.index[k]] += 1;
    let mismatches = 0;
    for (let i = 0; i < dense.length; i++) if (dense[i] !== (probe.data as Float32Array)[i]) mismatches++;
    expect(mismatches).toBe(0);
  });
});
