/**
 * The small-graph kernel's whole-run path (plan.run with `kernels: "auto"` runs all steps of an
 * item in one wasm call, feeding the dense input itself) against the JavaScript kernels
 * (`kernels: "js"`), bit for bit: the paper's two Braille RNNs at batch 1 and > 1 with float32
 * and float64 input, with and without records; a synthetic recurrent graph with zeros, −0,
 * negative values and steps without input; each of the kernel's ways in — the input copied into
 * its memory (float32, float64) and the input's non-zero index (int32 input, more steps and
 * entries than one call takes); records written in place and, when they do not fit, copied
 * out per call; progress calls; NaN refused the same way; the step API after runs.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as ir from "../../src/ir/index.js";
import type { Tensor } from "../../src/ir/tensor.js";
import { read } from "../../src/io/index.js";
import { compile, type CompileOptions, type SimInput } from "../../src/sim/index.js";
import { wasmSimd } from "../../src/sim/wasm/instance.js";
import { refFile } from "../support/index.js";
import { firstDiff, rng, smallRecurrentGraph } from "./recurrent-fixture.js";



/** Runs auto and js; asserts equal outputs, records and progress calls; returns the output's sum. */
function sameRun(g: ir.NIRGraph, opts: CompileOptions, input: SimInput, record: string[] = [], progress = false): number {
  const calls: Record<string, number[][]> = { auto: [], js: [] };
  const run = (kernels: "auto" | "js") =>
    compile(g, { ...opts, kernels }).run(input, { record, onProgress: progress ? (d, t) => calls[kernels].push([d, t]) : undefined });
  const a = run("auto"), b = run("js");
  expect(a.output.shape).toEqual(b.output.shape);
  expect(a.output.dtype).toBe(b.output.dtype);
  expect(firstDiff(a.output.data as ArrayLike<number>, b.output.data as ArrayLike<number>)).toBe(-1);
  expect(Object.keys(a.records).sort()).toEqual(Object.keys(b.records).sort());
  for (const k of Object.keys(b.records)) expect([k, firstDiff(a.records[k].data as ArrayLike<number>, b.records[k].data as ArrayLike<number>)]).toEqual([k, -1]);
  if (progress) {
    expect(calls.auto.length).toBeGreaterThan(10);
    expect(calls.auto).toEqual(calls.js);
  }
  let sum = 0;
  for (const x of a.output.data as Float32Array) sum += x;
  return sum;
}

const RNN = ["paper", "03_rnn"];
const inputPath = refFile(...RNN, "derived", "ds_test0_input_256x12.csv");
const rnnGraphs = refFile(...RNN, "braille_noDelay_bias_zero.nir") && refFile(...RNN, "braille_noDelay_noBias_subtract.nir");

describe.skipIf(!inputPath || !rnnGraphs)("Braille RNNs: whole-run kernel (auto) equals the JavaScript kernels (js)", () => {
  const rows = () => readFileSync(inputPath!, "utf8").trim().split("\n").map((l) => l.split(",").map(Number));
  for (const file of ["braille_noDelay_bias_zero.nir", "braille_noDelay_noBias_subtract.nir"]) {
    for (const profile of ["snntorch", "norse"] as const) {
      it(`${file}, ${profile}: batch 1 and 7, float32 and float64, output only and with records, with progress`, async () => {
        const g = await read(refFile(...RNN, file)!);
        const x = rows();
        const reset = file.includes("zero") ? "zero" : "subtract";
        for (const dtype of ["float32", "float64"] as const) {
          const arr = dtype === "float32" ? Float32Array : Float64Array;
          const one: Tensor = { dtype, shape: [256, 12], data: arr.from(x.flat()) } as Tensor;
          const s1 = sameRun(g, { dt: 1e-4, profile, reset }, one, [], true);
          expect(s1).toBeGreaterThan(50);
          sameRun(g, { dt: 1e-4, profile, reset }, one, ["lif1.lif:v", "lif2:i", "lif1.w_rec"]);
          const B = 7;
          const data = new arr(256 * B * 12);
          for (let b = 0; b < B; b++) for (let t = 0; t < 256; t++) for (let c = 0; c < 12; c++) {
            data[(t * B + b) * 12 + c] = c % 6 === b ? 0 : x[(t + 13 * b) % 256][c] * (b % 2 ? -0.5 : 1);
          }
          const batch = { dtype, shape: [256, B, 12], data } as Tensor;
          const sB = sameRun(g, { dt: 1e-4, profile, reset, batch: B }, batch, [], true);
          expect(sB).toBeGreaterThan(3 * 40);
          sameRun(g, { dt: 1e-4, profile, reset, batch: B }, batch, ["lif1.lif:spikes", "fc2"]);
        }
      });
    }
  }

  it("the step API still equals js after whole runs on the same plan", async () => {
    const g = await read(refFile(...RNN, "braille_noDelay_bias_zero.nir")!);
    const x = rows();
    const a = compile(g, { dt: 1e-4, profile: "snntorch" });
    const b = compile(g, { dt: 1e-4, profile: "snntorch", kernels: "js" });
    const one: Tensor = { dtype: "float32", shape: [256, 12], data: Float32Array.from(x.flat()) };
    expect(firstDiff(a.run(one).output.data as Float32Array, b.run(one).output.data as Float32Array)).toBe(-1);
    a.reset();
    b.reset();
    let spikes = 0;
    for (let t = 0; t < 256; t++) {
      const ya = a.step(Float64Array.from(x[t])), yb = b.step(Float64Array.from(x[t]));
      expect(firstDiff(ya.data as Float64Array, yb.data as Float64Array)).toBe(-1);
      for (const s of ya.data as Float64Array) spikes += s;
    }
    expect(spikes).toBeGreaterThan(50);
  });
});

describe("synthetic small graph: every way through the whole-run kernel equals js", () => {
  const r = rng(2024);
  const g = smallRecurrentGraph(r);
  /** Input values: mostly 0, some −0, negatives and fractions; whole steps without input. */
  const value = (t: number, zeros: number): number => {
    if (t % 17 < 3) return 0;
    const u = r();
    return u < zeros ? 0 : u < zeros + 0.1 ? -0 : u < zeros + 0.2 ? -1 : u < zeros + 0.3 ? 1 : 0.25 + u;
  };
  const dense = (T: number, B: number, dtype: "float32" | "float64" | "int32", zeros = 0.6): Tensor => {
    const data = dtype === "float32" ? new Float32Array(T * B * 5) : dtype === "float64" ? new Float64Array(T * B * 5) : new Int32Array(T * B * 5);
    for (let t = 0; t < T; t++) for (let k = 0; k < B * 5; k++) data[t * B * 5 + k] = dtype === "int32" ? Math.round(value(t, zeros) * 2) : value(t, zeros);
    return { dtype, shape: [T, B, 5], data } as Tensor;
  };
  const modes = [["snntorch", "zero"], ["snntorch", "subtract"], ["norse", "zero"], ["norse", "subtract"]] as const;

  it("input in the kernel's memory (float32, float64), batch 1 and 4, records in place, progress", () => {
    for (const [profile, reset] of modes) {
      for (const dtype of ["float32", "float64"] as const) {
        for (const B of [1, 4]) {
          const x = dense(300, B, dtype);
          const spikes = sameRun(g, { dt: 1e-4, profile, reset }, x, [], true);
          expect(spikes).toBeGreaterThan(10 * B);
          sameRun(g, { dt: 1e-4, profile, reset }, x, ["input", "lif:v", "lif:i", "out:v", "rec", "fc2", "fc1"]);
        }
      }
    }
  });

  it("unbatched (T, n) input and a single step", () => {
    const x = dense(120, 1, "float64");
    sameRun(g, { dt: 1e-4, profile: "snntorch" }, { ...x, shape: [120, 5] }, ["lif:v"]);
    sameRun(g, { dt: 1e-4, profile: "norse" }, { dtype: "float32", shape: [1, 5], data: Float32Array.from([1, -0, 0, 2, -1]) }, ["lif:i"]);
  });

  it("indexed input (int32): more steps and more entries than one call takes", () => {
    // dense: ~2.7 entries per step, so the 8192 entries of a call end it after ~2800 steps
    const x = dense(5000, 2, "int32", 0.2);
    const spikes = sameRun(g, { dt: 1e-4, profile: "snntorch", reset: "subtract" }, x, ["lif:v"], true);
    expect(spikes).toBeGreaterThan(100);
    // sparse: a call ends at its 4096 steps
    sameRun(g, { dt: 1e-4, profile: "norse" }, dense(5000, 1, "int32", 0.9), ["lif:i"]);
  });

  it("records too large for the record area are copied out per call (two calls per item)", () => {
    // 3000 steps × 2 items × (9 + 3·71 + 71) values > 2¹⁹: rows of 293 values, 1789 steps per call
    const x = dense(3000, 2, "float32");
    const spikes = sameRun(g, { dt: 1e-4, profile: "snntorch" }, x, ["lif:v", "lif:i", "lif:spikes", "rec"], true);
    expect(spikes).toBeGreaterThan(100);
  });

  it("NaN is refused before the run, naming the same element, and the plan runs on afterwards", () => {
    for (const dtype of ["float32", "float64"] as const) {
      const x = dense(50, 3, dtype);
      (x.data as Float32Array)[7 * 15 + 11] = NaN;
      const msg = (kernels: "auto" | "js"): string => {
        try {
          compile(g, { dt: 1e-4, profile: "snntorch", kernels }).run(x);
        } catch (e) {
          return (e as Error).message;
        }
        return "no error";
      };
      expect(msg("auto")).toContain(`input contains NaN (flat element ${7 * 15 + 11})`);
      expect(msg("js")).toBe(msg("auto"));
      (x.data as Float32Array)[7 * 15 + 11] = 1;
      sameRun(g, { dt: 1e-4, profile: "snntorch" }, x);
    }
  });

  it.skipIf(!wasmSimd)("a plan reused across input sizes and dtypes keeps equal to js", () => {
    const a = compile(g, { dt: 1e-4, profile: "snntorch" });
    const b = compile(g, { dt: 1e-4, profile: "snntorch", kernels: "js" });
    for (const [T, B, dtype] of [[40, 3, "float64"], [200, 1, "float32"], [10, 6, "int32"], [200, 1, "float32"]] as const) {
      const x = dense(T, B, dtype);
      expect(firstDiff(a.run(x).output.data as ArrayLike<number>, b.run(x).output.data as ArrayLike<number>)).toBe(-1);
    }
  });
});
