/**
 * The fused whole-step WebAssembly kernel for small graphs (kernels/small-graph-wasm.ts).
 * Kernel level: against the JavaScript kernels it replaces (affineStep, cubaSumStep,
 * neuronStep) on the same random inputs, every port, active list and state compared bit for
 * bit after every step — odd and unrolled/looped layer sizes, active lists out of index order,
 * dense (nact −1) and empty input steps, −0 biases, both timings and both resets. Plan level:
 * `kernels: "auto"` (fused) against `kernels: "js"` on the paper's two Braille RNNs and on a
 * synthetic recurrent graph, batch 1 and batch > 1, dense and event input, records and the
 * step API — all equal, not close.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as ir from "../../src/ir/index.js";
import type { Tensor } from "../../src/ir/tensor.js";
import { read } from "../../src/io/index.js";
import { compile, PROFILES, type CompileOptions, type ProfileName, type SimInput } from "../../src/sim/index.js";
import { affineStep, transposeWeight, type AffineParams } from "../../src/sim/ops/linear.js";
import { neuronCoefs, neuronState, type NeuronState } from "../../src/sim/ops/neuron.js";
import { cubaSumStep, neuronStep } from "../../src/sim/ops/neuron-step.js";
import { makePort, type Port, type StepFn } from "../../src/sim/ops/buffers.js";
import { smallGraphWasm, type StepOp } from "../../src/sim/ops/small-graph-wasm.js";
import { wasmSimd } from "../../src/sim/wasm/instance.js";
import { refFile } from "../support/index.js";
import { firstDiff, rng, smallRecurrentGraph } from "./recurrent-fixture.js";



function affine(r: () => number, nout: number, nin: number, withBias: boolean, centre = 0.35): AffineParams {
  const w = Float64Array.from({ length: nout * nin }, () => (r() - centre) * 0.8);
  // some −0 entries: 0 + (−0) must stay as the JavaScript kernel leaves it
  const bias = withBias ? Float64Array.from({ length: nout }, (_, k) => (k % 5 === 0 ? -0 : (r() - 0.5) * 0.2)) : null;
  return { blocks: 1, nin, nout, wt: transposeWeight(w, 1, nout, nin), bias };
}

describe.skipIf(!wasmSimd)("small-graph WebAssembly kernel against the JavaScript kernels", () => {
  const modes: [ProfileName, "zero" | "subtract"][] = [["snntorch", "zero"], ["snntorch", "subtract"], ["norse", "zero"], ["norse", "subtract"]];
  for (const [profile, reset] of modes) {
    for (const [nin, nh, nout] of [[13, 71, 7], [12, 38, 7], [3, 64, 5]]) {
      it(`${profile} timing, reset ${reset}, sizes ${nin} → ${nh} (recurrent) → ${nout}: every port and state equal after each of 300 steps`, () => {
        const r = rng(nin * 1000 + nh + (reset === "zero" ? 0 : 7) + (profile === "norse" ? 13 : 0));
        const A = affine(r, nh, nin, true), R = affine(r, nh, nh, true, 0.6), C = affine(r, nout, nh, false);
        const cuba = (n: number, th: number) => neuronCoefs(ir.CubaLIF({ tau_syn: [2e-3], tau_mem: [5e-3], r: [1], v_leak: [0], v_threshold: [th], w_in: [1] }) as never, n, PROFILES[profile], 1e-4, reset);
        const c1 = cuba(nh, 0.05), c2 = cuba(nout, 0.02);
        /** One copy of the graph's ports and states. */
        const build = () => {
          const inp = makePort(nin, 1), a = makePort(nh, 1), h = makePort(nh, 1), rec = makePort(nh, 1), co = makePort(nout, 1), o = makePort(nout, 1);
          const s1 = neuronState(nh, 1), s2 = neuronState(nout, 1);
          rec.out.set(R.bias!); // snnTorch's recurrent bias before step 0
          rec.nact[0] = -1;
          return { inp, a, h, rec, co, o, s1, s2 };
        };
        const js = build(), wa = build();
        const jsSteps: StepFn[] = [
          affineStep(A, js.inp, js.a), cubaSumStep(c1, js.s1, js.a.out, js.rec.out, js.h),
          affineStep(R, js.h, js.rec), affineStep(C, js.h, js.co), neuronStep(c2, js.s2, js.co, js.o),
        ];
        const ops: StepOp[] = [
          { kind: "affine", p: A, inp: wa.inp, outp: wa.a }, { kind: "cuba", c: c1, st: wa.s1, inp: [wa.a, wa.rec], outp: wa.h },
          { kind: "affine", p: R, inp: wa.h, outp: wa.rec }, { kind: "affine", p: C, inp: wa.h, outp: wa.co }, { kind: "cuba", c: c2, st: wa.s2, inp: [wa.co], outp: wa.o },
        ];
        const fused = smallGraphWasm(ops);
        expect(fused).not.toBeNull();
        // the ports now live in the kernel's memory, with their contents kept
        expect(firstDiff(wa.rec.out, R.bias!)).toBe(-1);
        expect(wa.rec.nact[0]).toBe(-1);
        const feed = (p: Port, vals: number[], idx: number[], nact: number): void => {
          p.out.fill(0);
          idx.forEach((i, k) => { p.out[i] = vals[k]; p.act[k] = i; });
          p.nact[0] = nact;
        };
        let hidden = 0, outSpikes = 0, listed = 0;
        for (let t = 0; t < 300; t++) {
          // a shuffled active list (kernels must follow its order), sometimes empty or dense
          const idx = [...Array(nin).keys()].filter(() => r() < 0.3).sort(() => r() - 0.5);
          const vals = idx.map(() => [1, 2, -0, 0.5, -1][Math.floor(r() * 5)]);
          const mode = r();
          const nact = mode < 0.1 ? -1 : mode < 0.2 ? 0 : idx.length;
          if (nact === 0) idx.length = 0;
          feed(js.inp, vals, idx, nact);
          feed(wa.inp, vals, idx, nact);
          for (const s of jsSteps) s(t);
          fused!.step(t);
          for (const k of ["a", "h", "rec", "co", "o"] as const) {
            expect([t, k, firstDiff(wa[k].out, js[k].out)]).toEqual([t, k, -1]);
            expect([t, k, wa[k].nact[0]]).toEqual([t, k, js[k].nact[0]]);
            const n = js[k].nact[0];
            if (n > 0) expect(Array.from(wa[k].act.subarray(0, n))).toEqual(Array.from(js[k].act.subarray(0, n)));
            if (n > 0) listed++;
          }
          for (const s of ["s1", "s2"] as const) {
            for (const f of ["v", "i"] as const) expect([t, s, f, firstDiff((wa[s] as NeuronState)[f], (js[s] as NeuronState)[f])]).toEqual([t, s, f, -1]);
          }
          hidden += js.h.nact[0];
          outSpikes += js.o.nact[0];
        }
        // the run exercised spikes (and resets) in both layers
        console.log(`${profile}/${reset} ${nin}→${nh}→${nout}: ${hidden} hidden spikes, ${outSpikes} output spikes, ${listed} listed steps`);
        expect(hidden).toBeGreaterThan(30);
        expect(outSpikes).toBeGreaterThan(5);
      });
    }
  }

  it("does not apply where its preconditions fail (batch 2, multi-block affine, non-uniform neuron)", () => {
    const r = rng(5);
    const A = affine(r, 4, 3, true);
    expect(smallGraphWasm([{ kind: "affine", p: A, inp: makePort(3, 2), outp: makePort(4, 2) }])).toBeNull();
    const A2: AffineParams = { ...A, blocks: 2, nin: 3, nout: 2 };
    expect(smallGraphWasm([{ kind: "affine", p: A2, inp: makePort(6, 1), outp: makePort(4, 1) }])).toBeNull();
    const c = neuronCoefs(ir.CubaLIF({ tau_syn: [2e-3, 3e-3], tau_mem: [5e-3, 5e-3], r: [1, 1], v_leak: [0, 0], v_threshold: [1, 1], w_in: [1, 1] }) as never, 2, PROFILES.snntorch, 1e-4, "zero");
    expect(smallGraphWasm([{ kind: "cuba", c, st: neuronState(2, 1), inp: [makePort(2, 1)], outp: makePort(2, 1) }])).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------

function sameRun(g: ir.NIRGraph, opts: CompileOptions, input: SimInput, record: string[]): number {
  const a = compile(g, { ...opts, kernels: "auto" }).run(input, { record });
  const b = compile(g, { ...opts, kernels: "js" }).run(input, { record });
  expect(a.output.shape).toEqual(b.output.shape);
  expect(firstDiff(a.output.data as ArrayLike<number>, b.output.data as ArrayLike<number>)).toBe(-1);
  expect(Object.keys(a.records).sort()).toEqual(Object.keys(b.records).sort());
  for (const k of Object.keys(b.records)) expect([k, firstDiff(a.records[k].data as ArrayLike<number>, b.records[k].data as ArrayLike<number>)]).toEqual([k, -1]);
  let spikes = 0;
  for (const x of a.output.data as Float32Array) spikes += x;
  return spikes;
}

const RNN = ["paper", "03_rnn"];
const inputPath = refFile(...RNN, "derived", "ds_test0_input_256x12.csv");
const rnnGraphs = refFile(...RNN, "braille_noDelay_bias_zero.nir") && refFile(...RNN, "braille_noDelay_noBias_subtract.nir");

describe.skipIf(!inputPath || !rnnGraphs)("Braille RNN: fused kernel (auto) equals the JavaScript kernels (js)", () => {
  const rows = () => readFileSync(inputPath!, "utf8").trim().split("\n").map((l) => l.split(",").map(Number));
  const record = ["lif1.lif:spikes", "lif1.lif:v", "lif1.lif:i", "lif2:v", "lif2:i", "fc1", "lif1.w_rec", "fc2"];
  for (const [file, reset] of [["braille_noDelay_bias_zero.nir", "zero"], ["braille_noDelay_noBias_subtract.nir", "subtract"]] as const) {
    for (const profile of ["snntorch", "norse"] as const) {
      it(`${file}, ${profile}, reset ${reset}: batch 1, batch 5 (time-shifted and channel-dropped copies) and events give identical outputs and records`, async () => {
        const g = await read(refFile(...RNN, file)!);
        const x = rows();
        const one: Tensor = { dtype: "float64", shape: [256, 12], data: Float64Array.from(x.flat()) };
        const s1 = sameRun(g, { dt: 1e-4, profile, reset }, one, record);
        expect(s1).toBeGreaterThan(50);
        const B = 5;
        const data = new Float64Array(256 * B * 12);
        for (let b = 0; b < B; b++) for (let t = 0; t < 256; t++) for (let c = 0; c < 12; c++) {
          data[(t * B + b) * 12 + c] = c % 5 === b ? 0 : x[(t + 9 * b) % 256][c];
        }
        const sB = sameRun(g, { dt: 1e-4, profile, reset, batch: B }, { dtype: "float64", shape: [256, B, 12], data }, record);
        expect(sB).toBeGreaterThan(5 * 40);
        // events (several per step and channel, out of index order): the feeder's list order is kept
        const t: number[] = [], index: number[] = [], batch: number[] = [];
        for (let s = 0; s < 256; s++) for (let c = 11; c >= 0; c--) for (let b = 0; b < 2; b++) {
          for (let q = 0; q < data[(s * B + b) * 12 + c]; q++) { t.push(s); index.push(c); batch.push(b); }
        }
        sameRun(g, { dt: 1e-4, profile, reset }, { steps: 256, t: Int32Array.from(t), index: Int32Array.from(index), batch: Int32Array.from(batch), batchSize: 2 }, ["lif1.lif:v"]);
      });
    }
  }

  it("the step API (batch 1 fused, batch 3 not) equals the JavaScript kernels step by step, across reset()", async () => {
    const g = await read(refFile(...RNN, "braille_noDelay_bias_zero.nir")!);
    const x = rows();
    for (const B of [1, 3]) {
      const a = compile(g, { dt: 1e-4, profile: "snntorch" });
      const b = compile(g, { dt: 1e-4, profile: "snntorch", kernels: "js" });
      for (let pass = 0; pass < 2; pass++) {
        let spikes = 0;
        for (let t = 0; t < 256; t++) {
          const xt = Float64Array.from({ length: 12 * B }, (_, k) => x[(t + k) % 256][k % 12]);
          const ya = a.step(xt), yb = b.step(xt);
          expect(firstDiff(ya.data as Float64Array, yb.data as Float64Array)).toBe(-1);
          for (const s of ya.data as Float64Array) spikes += s;
        }
        expect(spikes).toBeGreaterThan(50 * B);
        a.reset();
        b.reset();
      }
    }
  });
});

describe("synthetic recurrent graph (odd sizes, a looped layer of 71): auto equals js", () => {
  it("Input(5) → Affine → CubaLIF(71) ⇄ Affine(71×71) → Linear(9×71) → CubaLIF(9), snntorch and norse, both resets, batch 1 and 4", () => {
    const r = rng(77);
    const t64 = (shape: number[], f: () => number): Tensor => ({ dtype: "float64", shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f) });
    const g = smallRecurrentGraph(r);
    for (const profile of ["snntorch", "norse"] as const) for (const reset of ["zero", "subtract"] as const) for (const B of [1, 4]) {
      const x = t64([200, B, 5], () => (r() < 0.2 ? 1 : 0));
      const spikes = sameRun(g, { dt: 1e-4, profile, reset }, x, ["lif:spikes", "lif:v", "lif:i", "out:v", "rec", "fc2"]);
      expect(spikes).toBeGreaterThan(20 * B);
    }
  });
});
