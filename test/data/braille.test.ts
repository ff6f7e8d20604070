import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BRAILLE_PAPER_LETTERS, brailleToSteps, loadBraille, parsePickle, readBraille, stackBraille } from "../../src/data/index.js";
import { datasetFile } from "../support/index.js";

const pickle = datasetFile("braille", "data_braille_letters_th10");
const json = datasetFile("braille", "data_braille_letters_th10.json");

type JsonRec = { letter: string; events: number[][][] };

describe("Braille θ=10 recordings", () => {
  it.skipIf(!pickle || !json)("the safe pickle reader gives exactly the lossless JSON copy (5400 recordings, 221,107 events)", () => {
    const fromPickle = readBraille(pickle!);
    const fromJson = JSON.parse(readFileSync(json!, "utf8")) as JsonRec[];
    expect(fromPickle.length).toBe(fromJson.length);
    expect(fromPickle.length).toBe(5400);
    let events = 0, diffs = 0;
    fromJson.forEach((r, i) => {
      const p = fromPickle[i];
      if (p.letter !== r.letter) diffs++;
      r.events.forEach(([on, off], k) => {
        events += on.length + off.length;
        if (on.length !== p.on[k].length || off.length !== p.off[k].length) diffs++;
        on.forEach((t, e) => { if (t !== p.on[k][e]) diffs++; });
        off.forEach((t, e) => { if (t !== p.off[k][e]) diffs++; });
      });
    });
    expect(diffs).toBe(0);
    expect(events).toBe(221107); // SOURCES.md
  });

  it.skipIf(!pickle)("loader gives the paper's 7 classes, 12 channels, 256 steps, 200 recordings per letter (θ=10 noted)", () => {
    const ds = loadBraille({ path: pickle! });
    console.log(`Braille (θ=${ds.theta}, paper θ=${ds.paperTheta}) class counts:`, JSON.stringify(ds.classCounts));
    expect(ds.classes).toEqual(["Space", "A", "E", "I", "O", "U", "Y"]);
    expect(Object.values(ds.classCounts)).toEqual([200, 200, 200, 200, 200, 200, 200]);
    expect(ds.samples.length).toBe(1400);
    expect([ds.steps, ds.channels]).toEqual([256, 12]);
    expect(ds.samples[0].input.shape).toEqual([256, 12]);
    expect(ds.theta).toBe(10);
    expect(ds.paperTheta).toBe(1);
    expect(ds.note).toMatch(/θ = 10.*θ = 1/);
    for (const s of ds.samples) expect(s.label).toBe(BRAILLE_PAPER_LETTERS.indexOf(s.letter as never));
    const { input, labels, theta } = stackBraille(ds.samples.slice(0, 5));
    expect(input.shape).toEqual([256, 5, 12]);
    expect(theta).toBe(10);
    expect(labels.length).toBe(5);
  });

  it.skipIf(!json)("bins ON|OFF per taxel into 5 ms steps from t = 0 (checked against an independent binning of the JSON copy)", () => {
    const recs = JSON.parse(readFileSync(json!, "utf8")) as JsonRec[];
    const fromFile = readBraille(json!);
    let checked = 0;
    for (const i of [0, 1, 777, 2500, 5399]) {
      const ref = new Array(256 * 12).fill(0);
      recs[i].events.forEach((pair, k) => pair.flat().forEach((t) => {
        const step = Math.floor(Math.round(t * 1e6) / 5000);
        if (step < 256) ref[step * 12 + k] = 1;
      }));
      const got = brailleToSteps(fromFile[i]);
      expect(Array.from(got.data)).toEqual(ref);
      checked += ref.reduce((a, b) => a + b, 0);
    }
    expect(checked).toBeGreaterThan(0);
  });

  it.skipIf(!json)("on-minus-off: each 20 ms bin holds the taxel's ON events minus its OFF events (independent count of the JSON copy)", () => {
    const recs = JSON.parse(readFileSync(json!, "utf8")) as JsonRec[];
    const fromFile = readBraille(json!);
    let negative = 0, beyondOne = 0;
    for (const i of [0, 1, 777, 2500, 5399]) {
      const got = brailleToSteps(fromFile[i], { binUs: 20_000, steps: 64, encoding: "on-minus-off" });
      expect(got.shape).toEqual([64, 12]);
      recs[i].events.forEach(([on, off], k) => {
        for (let step = 0; step < 64; step++) {
          const inBin = (t: number) => Math.round(t * 1e6) >= step * 20_000 && Math.round(t * 1e6) < (step + 1) * 20_000;
          const want = on.filter(inBin).length - off.filter(inBin).length;
          expect(got.data[step * 12 + k]).toBe(want);
          if (want < 0) negative++;
          if (Math.abs(want) > 1) beyondOne++;
        }
      });
    }
    // the encoding differs from the 0/1 "or" on these recordings: OFF bins are negative, busy bins count
    expect(negative).toBeGreaterThan(0);
    expect(beyondOne).toBeGreaterThan(0);
  });

  it("an unknown encoding is refused with the list of encodings", () => {
    const rec = { letter: "A", on: new Array(12).fill(new Float64Array(0)), off: new Array(12).fill(new Float64Array(0)) };
    expect(() => brailleToSteps(rec, { encoding: "xor" as never })).toThrow(/unknown Braille encoding "xor"[\s\S]*or, on-minus-off/);
  });

  it.skipIf(!pickle)("the split is deterministic, disjoint, stratified: 20 test / 20 val / 160 train per letter", () => {
    const recordings = readBraille(pickle!);
    const test = loadBraille({ recordings, split: "test" });
    const val = loadBraille({ recordings, split: "val" });
    const train = loadBraille({ recordings, split: "train" });
    expect(Object.values(test.classCounts)).toEqual(new Array(7).fill(20));
    expect(Object.values(val.classCounts)).toEqual(new Array(7).fill(20));
    expect(Object.values(train.classCounts)).toEqual(new Array(7).fill(160));
    const ids = [test, val, train].flatMap((d) => d.samples.map((s) => s.index));
    expect(new Set(ids).size).toBe(1400);
    expect(loadBraille({ path: pickle!, split: "test" }).samples.map((s) => s.index)).toEqual(test.samples.map((s) => s.index));
    expect(loadBraille({ recordings, split: "test", seed: 1 }).samples.map((s) => s.index)).not.toEqual(test.samples.map((s) => s.index));
  });
});

describe("safe pickle reader", () => {
  it("reads the data-only subset and refuses code (GLOBAL/REDUCE) and truncation", () => {
    // protocol 3: [ {'a': 1.5}, 'x' ] written by hand
    const f = new Uint8Array(8);
    new DataView(f.buffer).setFloat64(0, 1.5, false);
    const ok = Uint8Array.from([0x80, 3, 0x5d, 0x71, 0, 0x28, 0x7d, 0x58, 1, 0, 0, 0, 0x61, 0x47, ...f, 0x73, 0x58, 1, 0, 0, 0, 0x78, 0x65, 0x2e]);
    expect(parsePickle(ok)).toEqual([{ a: 1.5 }, "x"]);
    const evil = Uint8Array.from([0x80, 3, 0x63, ...new TextEncoder().encode("os\nsystem\n"), 0x2e]);
    expect(() => parsePickle(evil, "evil.pkl")).toThrow(/evil\.pkl.*opcode 0x63.*outside the safe/);
    expect(() => parsePickle(ok.subarray(0, 10))).toThrow(/truncated|STOP/);
    // {'k': (5, None), 'm': [True, <memo 0>]} with MARK/SETITEMS, TUPLE2, BININT1, NONE, NEWTRUE, BINPUT/BINGET
    const k = [0x58, 1, 0, 0, 0, 0x6b], m = [0x58, 1, 0, 0, 0, 0x6d];
    const more = Uint8Array.from([0x80, 3, 0x7d, 0x28, ...k, 0x4b, 5, 0x4e, 0x86, 0x71, 0, ...m, 0x5d, 0x88, 0x61, 0x68, 0, 0x61, 0x75, 0x2e]);
    expect(parsePickle(more)).toEqual({ k: [5, null], m: [true, [5, null]] });
    expect(() => parsePickle(Uint8Array.from([0x80, 3, 0x5d, 0x65, 0x2e]))).toThrow(/no MARK/);
  });
});
