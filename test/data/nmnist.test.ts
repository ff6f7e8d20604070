import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadNmnist, readNmnist, summarizeEvents } from "../../src/data/index.js";
import { datasetFile } from "../support/index.js";

/**
 * Independent decoder, written differently from src/data/nmnist.ts: each event is read as one
 * 40-bit big-endian unsigned integer and split with arithmetic (no bit masks on bytes).
 */
function rawStats(bytes: Buffer) {
  const n = bytes.length / 5;
  let xMin = 1e9, xMax = -1, yMin = 1e9, yMax = -1, tMin = Infinity, tMax = -Infinity, on = 0, tSum = 0;
  for (let k = 0; k < n; k++) {
    const v = bytes.readUIntBE(k * 5, 5); // 40 bits fit a double exactly
    const x = Math.floor(v / 2 ** 32);
    const y = Math.floor(v / 2 ** 24) % 256;
    const pol = Math.floor(v / 2 ** 23) % 2;
    const t = v % 2 ** 23;
    xMin = Math.min(xMin, x); xMax = Math.max(xMax, x);
    yMin = Math.min(yMin, y); yMax = Math.max(yMax, y);
    tMin = Math.min(tMin, t); tMax = Math.max(tMax, t);
    on += pol;
    tSum += t;
  }
  return { n, xMin, xMax, yMin, yMax, tMin, tMax, on, tSum };
}

function compare(path: string) {
  const bytes = readFileSync(path);
  expect(bytes.length % 5).toBe(0);
  const raw = rawStats(bytes);
  const ev = readNmnist(path, { unsorted: "error" });
  const s = summarizeEvents(ev);
  expect(s.n).toBe(raw.n);
  expect([s.xMin, s.xMax, s.yMin, s.yMax]).toEqual([raw.xMin, raw.xMax, raw.yMin, raw.yMax]);
  expect([s.tMin, s.tMax]).toEqual([raw.tMin, raw.tMax]);
  expect(s.perPolarity[1]).toBe(raw.on);
  expect(s.perPolarity[0]).toBe(raw.n - raw.on);
  expect(ev.t.reduce((a, b) => a + b, 0)).toBe(raw.tSum);
  return raw;
}

const slayer = datasetFile("nmnist", "slayer_NMNISTsmall");
const tonicSample = datasetFile("nmnist", "tonic", "sample_nmnist.bin");

describe("N-MNIST 40-bit event files", () => {
  it.skipIf(!slayer)("reads all 100 test recordings with counts and ranges equal to an independent raw-byte decode", () => {
    const dir = join(slayer!, "test");
    const files = readdirSync(dir).filter((f) => f.endsWith(".bs2")).sort();
    expect(files.length).toBe(100);
    let total = 0, minN = Infinity, maxN = 0;
    for (const f of files) {
      const raw = compare(join(dir, f));
      expect(raw.xMax).toBeLessThan(34);
      expect(raw.yMax).toBeLessThan(34);
      total += raw.n;
      minN = Math.min(minN, raw.n);
      maxN = Math.max(maxN, raw.n);
    }
    // SOURCES.md: "Each file has 1069 to 6326 events".
    expect([minN, maxN]).toEqual([1069, 6326]);
    console.log(`N-MNIST test: 100 files, ${total} events, ${minN}..${maxN} per file`);
  });

  it.skipIf(!slayer)("reads the 1000 train recordings the same way", () => {
    const dir = join(slayer!, "train");
    const files = readdirSync(dir).filter((f) => f.endsWith(".bs2"));
    // SOURCES.md: train samples 1..1000, all rows of train1K.txt
    const rows = readFileSync(join(slayer!, "train1K.txt"), "utf8").split("\n").filter((l) => /^\d/.test(l)).length;
    expect(rows).toBe(1000);
    expect(files.length).toBe(rows);
    for (const f of files) compare(join(dir, f));
  });

  it.skipIf(!tonicSample)("reads tonic's sample_nmnist.bin: 4325 events, t 654..311175 µs, x and y in 0..33", () => {
    const raw = compare(tonicSample!);
    // Numbers from shared/datasets/nmnist/SOURCES.md.
    expect(raw.n).toBe(4325);
    expect([raw.tMin, raw.tMax]).toEqual([654, 311175]);
    expect(raw.xMin).toBeGreaterThanOrEqual(0);
    expect(raw.xMax).toBeLessThanOrEqual(33);
    expect(raw.yMax).toBeLessThanOrEqual(33);
  });

  it.skipIf(!slayer)("loadNmnist gives the test100.txt labels in list order", () => {
    const list = readFileSync(join(slayer!, "test100.txt"), "utf8").split("\n").filter((l) => /^\d/.test(l)).map((l) => l.trim().split(/\s+/).map(Number));
    const ds = loadNmnist({ split: "test", root: join(slayer!, "..") });
    expect(ds.layout).toBe("slayer-list");
    expect(ds.samples.length).toBe(100);
    expect(ds.samples.map((s) => s.label)).toEqual(list.map((r) => r[1]));
    expect(ds.samples.map((s) => Number(s.path.match(/(\d+)\.bs2$/)![1]))).toEqual(list.map((r) => r[0]));
    expect(ds.samples.slice(0, 10).map((s) => s.label)).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    const counts: Record<string, number> = {};
    for (const r of list) counts[r[1]] = (counts[r[1]] ?? 0) + 1;
    for (let d = 0; d <= 9; d++) expect(ds.classCounts[String(d)]).toBe(counts[d] ?? 0);
    console.log("N-MNIST test class counts:", JSON.stringify(ds.classCounts));
    const train = loadNmnist({ split: "train", root: join(slayer!, "..") });
    // every row of train1K.txt has its file now (SOURCES.md: train samples 1..1000)
    const trainList = readFileSync(join(slayer!, "train1K.txt"), "utf8").split("\n").filter((l) => /^\d/.test(l)).map((l) => l.trim().split(/\s+/).map(Number));
    expect(train.samples.length).toBe(trainList.length);
    expect(train.samples.map((s) => s.label)).toEqual(trainList.map((r) => r[1]));
  });
});

describe("N-MNIST layouts and batches", () => {
  it("reads the official Test/<digit>/<n>.bin folder layout and labels.csv (synthetic files written here)", async () => {
    const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { encodeNmnist, makeEvents } = await import("../../src/data/index.js");
    const root = mkdtempSync(join(tmpdir(), "nirkit-nmnist-layout-"));
    try {
      const rec = (n: number) => encodeNmnist(makeEvents({ x: Array.from({ length: n }, (_, i) => i % 34), y: new Array(n).fill(3), t: Array.from({ length: n }, (_, i) => 10 * i) }, [34, 34, 2]));
      for (const [d, names] of [[0, ["00004.bin", "00011.bin"]], [3, ["00019.bin"]]] as const) {
        mkdirSync(join(root, "Test", String(d)), { recursive: true });
        names.forEach((f, k) => writeFileSync(join(root, "Test", String(d), f), rec(5 + k)));
      }
      const ds = loadNmnist({ root });
      expect(ds.layout).toBe("folders");
      expect(ds.samples.map((s) => [s.label, s.events.t.length])).toEqual([[0, 5], [0, 6], [3, 5]]);
      const csvRoot = join(root, "csv");
      mkdirSync(join(csvRoot, "test"), { recursive: true });
      writeFileSync(join(csvRoot, "test", "a.bs2"), rec(4));
      writeFileSync(join(csvRoot, "labels.csv"), "file,split,mnist_index_1based,label\ntest/a.bs2,test,1,8\ntest/missing.bs2,test,2,1\n");
      const c = loadNmnist({ root: csvRoot });
      expect(c.layout).toBe("labels-csv");
      expect(c.samples.map((s) => s.label)).toEqual([8]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.skipIf(!slayer)("batchFrames pads every sample to the longest, time-major (T, B, 2, 34, 34)", async () => {
    const { batchFrames } = await import("../../src/data/index.js");
    const ds = loadNmnist({ root: join(slayer!, ".."), limit: 6 });
    const b = batchFrames(ds.samples, { timeWindow: 1000 });
    const T = Math.max(...b.lengths);
    expect(b.input.shape).toEqual([T, 6, 2, 34, 34]);
    expect(Array.from(b.labels)).toEqual([7, 2, 1, 0, 4, 1]);
    const per = 2 * 34 * 34;
    const d = b.input.data as Float32Array;
    for (let s = 0; s < 6; s++) {
      let inside = 0, padded = 0;
      for (let t = 0; t < T; t++) for (let i = 0; i < per; i++) {
        const v = d[(t * 6 + s) * per + i];
        if (t < b.lengths[s]) inside += v;
        else padded += v;
      }
      expect(padded).toBe(0);
      // events counted = events before the end of the last complete 1 ms window (tonic drops the rest)
      const ev = ds.samples[s].events;
      const end = ev.t[0] + b.lengths[s] * 1000;
      expect(inside).toBe(ev.t.filter((t) => t < end).length);
    }
  });
});
