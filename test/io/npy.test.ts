import { describe, expect, it } from "vitest";
import { readNpy, encodeNpy, parseNpy } from "../../src/io/npy.js";
import { csvRows, refFile } from "../support/index.js";

const activity = refFile("paper", "03_rnn", "snntorch_activity_noDelay_bias_zero.npy");
const accuracy = refFile("paper", "02_cnn", "norse_accuracy.npy");
const sampleNpy = refFile("paper", "03_rnn", "derived", "ds_test0_input_256x12.npy");
const sampleCsv = refFile("paper", "03_rnn", "derived", "ds_test0_input_256x12.csv");

describe("npy", () => {
  it.skipIf(!activity)("reads the paper's snnTorch braille activity (256 steps x 38 hidden)", () => {
    const t = readNpy(activity!);
    expect(t.shape).toEqual([256, 38]);
    let s = 0;
    for (const v of t.data as Float32Array) s += Number(v);
    expect(s).toBe(119); // paper-experiments §3.4: 119 hidden spikes for the zero model
  });
  it.skipIf(!accuracy)("reads a 0-d accuracy file", () => {
    const t = readNpy(accuracy!);
    expect(t.shape).toEqual([]);
    expect(Number(t.data[0])).toBeCloseTo(0.9811, 4);
  });
  it("round-trips every dtype", () => {
    const cases = [
      { dtype: "float32" as const, shape: [2, 2], data: new Float32Array([1.5, -2, 0.1, 3]) },
      { dtype: "int64" as const, shape: [3], data: new BigInt64Array([1n, -2n, 9007199254740993n]) },
      { dtype: "uint8" as const, shape: [2], data: new Uint8Array([0, 255]) },
    ];
    for (const c of cases) {
      const back = parseNpy(encodeNpy(c));
      expect(back.dtype).toBe(c.dtype);
      expect(back.shape).toEqual(c.shape);
      expect(Array.from(back.data as ArrayLike<unknown>)).toEqual(Array.from(c.data as ArrayLike<unknown>));
    }
  });
  it("refuses a file that is not npy, naming it", () => {
    expect(() => parseNpy(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), "x.npy")).toThrow(/x\.npy: not a NumPy/);
  });
});

describe("npy Fortran order", () => {
  it.skipIf(!sampleNpy || !sampleCsv)("reads the Fortran-ordered braille sample equal to its CSV copy", async () => {
    const t = readNpy(sampleNpy!);
    expect(t.shape).toEqual([256, 12]);
    const rows = csvRows(sampleCsv!);
    let mismatches = 0;
    for (let r = 0; r < 256; r++) for (let c = 0; c < 12; c++) if (Number(t.data[r * 12 + c]) !== rows[r][c]) mismatches++;
    expect(mismatches).toBe(0);
    let total = 0;
    for (const v of t.data as Uint8Array) total += v;
    expect(total).toBe(539); // paper-experiments §3.2: ds_test[0][0] has 539 spikes
  });
});
