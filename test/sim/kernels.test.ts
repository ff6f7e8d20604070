/**
 * Every primitive kernel against values computed in the test itself (naive loops written
 * here), plus delays, recurrence, batches, events vs dense input, the step API and reset override.
 */
import { describe, expect, it } from "vitest";
import * as ir from "../../src/ir/index.js";
import type { NIRGraph, NIRNode } from "../../src/ir/types.js";
import { compile, spikeSteps, type EventInput } from "../../src/sim/index.js";
import { rng } from "../support/index.js";


function graph(nodes: Record<string, NIRNode>, edges: [string, string][]): NIRGraph {
  return ir.NIRGraph({ nodes, edges, typeCheck: false });
}

/** Input → node → Output, one step on x; returns the output values. */
function oneStep(node: NIRNode, inShape: number[], x: Float64Array, batch = 1): Float64Array {
  const g = graph({ input: ir.Input({ shape: inShape }), n: node, output: ir.Output({ shape: null }) }, [["input", "n"], ["n", "output"]]);
  const shape = batch === 1 ? [1, ...inShape] : [1, batch, ...inShape];
  return compile(g, { dt: 1e-3 }).run({ dtype: "float64", shape, data: x }).output.data as Float64Array;
}

function randomInput(n: number, r: () => number, sparsity: number): Float64Array {
  return Float64Array.from({ length: n }, () => (r() < sparsity ? Math.round(r() * 3) : 0));
}

/** Naive PyTorch conv2d (cross-correlation, zero padding, groups) written for the test. */
function naiveConv2d(x: Float64Array, [_C, H, W]: number[], w: Float64Array, [O, Cg, KH, KW]: number[], b: Float64Array, s: number[], p: number[], d: number[], groups: number): { y: Float64Array; shape: number[] } {
  const OH = Math.floor((H + 2 * p[0] - d[0] * (KH - 1) - 1) / s[0] + 1);
  const OW = Math.floor((W + 2 * p[1] - d[1] * (KW - 1) - 1) / s[1] + 1);
  const y = new Float64Array(O * OH * OW);
  const Og = O / groups;
  for (let o = 0; o < O; o++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
    let acc = b[o];
    const g = Math.floor(o / Og);
    for (let cl = 0; cl < Cg; cl++) for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
      const iy = oy * s[0] - p[0] + ky * d[0];
      const ix = ox * s[1] - p[1] + kx * d[1];
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      acc += w[((o * Cg + cl) * KH + ky) * KW + kx] * x[((g * Cg + cl) * H + iy) * W + ix];
    }
    y[(o * OH + oy) * OW + ox] = acc;
  }
  return { y, shape: [O, OH, OW] };
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-9): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  expect(worst).toBeLessThanOrEqual(tol);
}

describe("stateless kernels", () => {
  it("Conv2d (non-square kernel, stride, padding, dilation, groups, bias) equals a naive loop, sparse and dense inputs", () => {
    const r = rng(1);
    const [C, H, W, O, KH, KW, groups] = [4, 9, 11, 6, 3, 2, 2];
    const w = Float64Array.from({ length: O * (C / groups) * KH * KW }, () => r() - 0.5);
    const b = Float64Array.from({ length: O }, () => r() - 0.5);
    const node = ir.Conv2d({ input_shape: [H, W], weight: { dtype: "float64", shape: [O, C / groups, KH, KW], data: w }, stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups, bias: b });
    for (const sparsity of [0.05, 0.9]) {
      const x = randomInput(C * H * W, r, sparsity);
      const want = naiveConv2d(x, [C, H, W], w, [O, C / groups, KH, KW], b, [2, 1], [1, 2], [1, 2], groups);
      expectClose(oneStep(node, [C, H, W], x), want.y);
    }
    // no bias: the event-driven path keeps the output sparse
    const node0 = ir.Conv2d({ input_shape: [H, W], weight: { dtype: "float64", shape: [O, C / groups, KH, KW], data: w }, stride: 1, padding: 1, groups });
    const x = randomInput(C * H * W, r, 0.05);
    expectClose(oneStep(node0, [C, H, W], x), naiveConv2d(x, [C, H, W], w, [O, C / groups, KH, KW], new Float64Array(O), [1, 1], [1, 1], [1, 1], groups).y);
  });

  it("Conv1d equals a naive loop (as a 1-row Conv2d)", () => {
    const r = rng(2);
    const [C, L, O, K] = [3, 17, 5, 4];
    const w = Float64Array.from({ length: O * C * K }, () => r() - 0.5);
    const b = Float64Array.from({ length: O }, () => r());
    const node = ir.Conv1d({ input_shape: L, weight: { dtype: "float64", shape: [O, C, K], data: w }, stride: 2, padding: 1, dilation: 2, bias: b });
    const x = randomInput(C * L, r, 0.3);
    const want = naiveConv2d(x, [C, 1, L], w, [O, C, 1, K], b, [1, 2], [0, 1], [1, 2], 1);
    expectClose(oneStep(node, [C, L], x), want.y);
  });

  it("SumPool2d and AvgPool2d (kernel 2×3, stride, padding) equal window sums / means with zero padding", () => {
    const r = rng(3);
    const [C, H, W] = [2, 10, 12];
    const x = randomInput(C * H * W, r, 0.5);
    for (const type of ["SumPool2d", "AvgPool2d"] as const) {
      const node = (type === "SumPool2d" ? ir.SumPool2d : ir.AvgPool2d)({ kernel_size: [2, 3], stride: [2, 3], padding: [1, 1] });
      const OH = Math.floor((H + 2 - 2) / 2 + 1), OW = Math.floor((W + 2 - 3) / 3 + 1);
      const want = new Float64Array(C * OH * OW);
      for (let c = 0; c < C; c++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) {
        let s = 0;
        for (let ky = 0; ky < 2; ky++) for (let kx = 0; kx < 3; kx++) {
          const iy = oy * 2 - 1 + ky, ix = ox * 3 - 1 + kx;
          if (iy >= 0 && iy < H && ix >= 0 && ix < W) s += x[(c * H + iy) * W + ix];
        }
        want[(c * OH + oy) * OW + ox] = type === "AvgPool2d" ? s / 6 : s;
      }
      expect([OH, OW]).toEqual([6, 4]); // nir-spec §1.5 example
      expectClose(oneStep(node, [C, H, W], x), want);
    }
  });

  it("Affine (W·x + b), Linear (W·x), Scale (s ⊙ x) and Threshold (x > θ) equal direct formulas", () => {
    const r = rng(4);
    const [I, O] = [7, 5];
    const W = Float64Array.from({ length: O * I }, () => r() - 0.5);
    const b = Float64Array.from({ length: O }, () => r());
    const x = randomInput(I, r, 0.6);
    const wx = (bias: boolean) => Float64Array.from({ length: O }, (_, o) => (bias ? b[o] : 0) + W.subarray(o * I, o * I + I).reduce((s, w, i) => s + w * x[i], 0));
    const weight = { dtype: "float64" as const, shape: [O, I], data: W };
    expectClose(oneStep(ir.Affine({ weight, bias: b }), [I], x), wx(true));
    expectClose(oneStep(ir.Linear({ weight }), [I], x), wx(false));
    const s = Float64Array.from({ length: I }, () => r() * 2 - 1);
    expectClose(oneStep(ir.Scale({ scale: s }), [I], x), x.map((v, i) => v * s[i]));
    const th = Float64Array.from({ length: I }, () => r() * 2);
    expectClose(oneStep(ir.Threshold({ threshold: th }), [I], x), x.map((v, i) => (v > th[i] ? 1 : 0)));
  });

  it("Flatten keeps values in C order and has the NIR output shape", () => {
    const x = Float64Array.from({ length: 24 }, (_, i) => i);
    const g = graph({ input: ir.Input({ shape: [2, 3, 4] }), f: ir.Flatten({ input_type: [2, 3, 4], start_dim: 0, end_dim: -1 }), output: ir.Output({ shape: [24] }) }, [["input", "f"], ["f", "output"]]);
    const res = compile(g, { dt: 1e-3 }).run({ dtype: "float64", shape: [1, 2, 3, 4], data: x });
    expect(res.output.shape).toEqual([1, 24]);
    expect(Array.from(res.output.data)).toEqual(Array.from(x));
  });
});

describe("time: delays, recurrence, neurons", () => {
  it("Delay shifts each element by round(delay/dt) steps, zeros before", () => {
    const g = graph({ input: ir.Input({ shape: [3] }), d: ir.Delay({ delay: [0, 2e-3, 3.4e-3] }), output: ir.Output({ shape: [3] }) }, [["input", "d"], ["d", "output"]]);
    const T = 8;
    const x = Float64Array.from({ length: T * 3 }, (_, k) => Math.floor(k / 3) + 1);
    const y = compile(g, { dt: 1e-3 }).run({ dtype: "float64", shape: [T, 3], data: x }).output.data;
    for (let t = 0; t < T; t++) {
      [0, 2, 3].forEach((shift, i) => expect(y[t * 3 + i]).toBe(t >= shift ? t - shift + 1 : 0));
    }
  });

  it("a cycle reads the previous step (zeros at step 0): Linear(I) ⇄ LI(v ← 0.5v + x) gives 1, 2.5 (nir-spec §6.3)", () => {
    // LI with dt/τ = 0.5 and r = τ/dt = 2: v ← 0.5·v + x
    const g = graph({
      input: ir.Input({ shape: [1] }),
      lin: ir.Linear({ weight: [[1]] }),
      li: ir.LI({ tau: [2e-3], r: [2], v_leak: [0] }),
      output: ir.Output({ shape: [1] }),
    }, [["input", "lin"], ["lin", "li"], ["li", "lin"], ["li", "output"]]);
    const plan = compile(g, { dt: 1e-3 });
    expect(plan.backEdges).toEqual(["li->lin"]);
    const y = plan.run({ dtype: "float64", shape: [3, 1], data: Float64Array.from([1, 1, 1]) }).output.data;
    expect(Array.from(y)).toEqual([1, 2.5, 2.5 * 0.5 + 2.5 + 1]);
  });

  it("a cycle through stateless nodes only is an algebraic loop", () => {
    const g = graph({ input: ir.Input({ shape: [1] }), a: ir.Linear({ weight: [[1]] }), b: ir.Linear({ weight: [[0.5]] }), output: ir.Output({ shape: [1] }) }, [["input", "a"], ["a", "b"], ["b", "a"], ["b", "output"]]);
    expect(() => compile(g, { dt: 1e-3 })).toThrow(expect.objectContaining({ code: "sim.algebraic_loop" }));
  });

  it("norse LIF/CubaLIF equal a forward-Euler loop written here; reset override subtract vs zero", () => {
    const dt = 1e-3, tau = 5e-3, tauSyn = 2e-3, r = 1.5, vth = 0.3;
    const rand = rng(5);
    const T = 200;
    const x = Float64Array.from({ length: T }, () => (rand() < 0.3 ? 1 : 0));
    for (const reset of ["zero", "subtract"] as const) {
      const lif = graph({ input: ir.Input({ shape: [1] }), n: ir.CubaLIF({ tau_syn: [tauSyn], tau_mem: [tau], r: [r], v_leak: [0.1], v_threshold: [vth], w_in: [2] }), output: ir.Output({ shape: [1] }) }, [["input", "n"], ["n", "output"]]);
      const res = compile(lif, { dt, reset }).run({ dtype: "float64", shape: [T, 1], data: x }, { record: ["n:v", "n:i"] });
      let v = 0, i = 0;
      for (let t = 0; t < T; t++) {
        i = i + (dt / tauSyn) * (-i + 2 * x[t]);
        v = v + (dt / tau) * (0.1 - v + r * i);
        let s = 0;
        if (v > vth) { s = 1; v = reset === "zero" ? 0 : v - vth; }
        expect(res.output.data[t]).toBe(s);
        expect(res.records["n.v"].data[t]).toBeCloseTo(v, 12);
        expect(res.records["n.i"].data[t]).toBeCloseTo(i, 12);
      }
    }
  });

  it("exact profile: LI follows the analytic zero-order-hold solution", () => {
    const dt = 1e-4, tau = 2.5e-3;
    const g = graph({ input: ir.Input({ shape: [1] }), n: ir.LI({ tau: [tau], r: [3], v_leak: [0.2] }), output: ir.Output({ shape: [1] }) }, [["input", "n"], ["n", "output"]]);
    const x = Float64Array.from({ length: 50 }, (_, t) => (t % 7 === 0 ? 1 : 0));
    const y = compile(g, { dt, profile: "exact" }).run({ dtype: "float64", shape: [50, 1], data: x }).output.data;
    let v = 0;
    const a = Math.exp(-dt / tau);
    x.forEach((xt, t) => {
      v = 0.2 + 3 * xt + (v - 0.2 - 3 * xt) * a;
      expect(y[t]).toBeCloseTo(v, 12);
    });
  });

  it("loihi2 profile on the paper's LIF: integer trace from the documented rule (dv 163, jump 640, threshold 1600, one step late)", () => {
    const g = graph({ input: ir.Input({ shape: [1] }), "0": ir.Affine({ weight: [[1]], bias: [0] }), "1": ir.LIF({ tau: [0.0025], r: [1], v_leak: [0], v_threshold: [0.1] }), output: ir.Output({ shape: [1] }) }, [["input", "0"], ["0", "1"], ["1", "output"]]);
    const bits = [60, 220, 270, 310, 320, 350, 370, 400, 410, 430, 440, 450, 460, 470, 480, 490, 500, 510, 520, 530, 670, 680, 690, 700, 710, 720, 730, 740, 750, 760, 770, 780, 840, 850]; // §1.2
    const x = new Float64Array(1000);
    for (const b of bits) x[b] = 1;
    const res = compile(g, { dt: 1e-4, profile: "loihi2" }).run({ dtype: "float64", shape: [1000, 1], data: x }, { record: ["1:v"] });
    let v = 0, prev = 0;
    const steps: number[] = [];
    for (let t = 0; t < 1000; t++) {
      const u = Math.trunc(prev * 0.04 * 256) * 64; // weight mantissa int(0.04·256) = 10, ×2^6
      prev = x[t];
      v = Math.floor((v * (4096 - Math.floor(0.04 * 4095))) / 4096) + u;
      if (v > (Math.floor(0.1 * 131071) >> 9) * 64) { steps.push(t); v = 0; }
      expect(res.records["1.v"].data[t]).toBe(v);
    }
    expect(steps).toEqual([461, 511, 711, 761]); // §1.3 "Lava CPU fixed / Loihi 2"
    expect(spikeSteps(res.output)).toEqual(steps);
  });

  it("spyx, nengo and rockpool LIF spike steps follow §1.3 (rockpool on its own lif_rockpool graph numbers)", () => {
    const bits = [60, 220, 270, 310, 320, 350, 370, 400, 410, 430, 440, 450, 460, 470, 480, 490, 500, 510, 520, 530, 670, 680, 690, 700, 710, 720, 730, 740, 750, 760, 770, 780, 840, 850];
    const x = new Float64Array(1000);
    for (const b of bits) x[b] = 1;
    const input = { dtype: "float64" as const, shape: [1000, 1], data: x };
    const norse = graph({ input: ir.Input({ shape: [1] }), "0": ir.Affine({ weight: [[1]], bias: [0] }), "1": ir.LIF({ tau: [0.0025], r: [1], v_leak: [0], v_threshold: [0.1] }), output: ir.Output({ shape: [1] }) }, [["input", "0"], ["0", "1"], ["1", "output"]]);
    const spyx = compile(norse, { dt: 1e-4, profile: "spyx" }).run(input, { record: ["1:v"] });
    expect(spikeSteps(spyx.output)).toEqual([461, 511, 711, 761]);
    expect(Math.max(...(spyx.records["1.v"].data as Float64Array))).toBeCloseTo(0.10638, 5); // "Spyx 0.10638"
    const nengo = compile(norse, { dt: 1e-4, profile: "nengo" }).run(input, { record: ["1:v"] });
    expect(spikeSteps(nengo.output)).toEqual([460, 510, 710, 760]);
    expect(nengo.records["1.v"].data[60]).toBeCloseTo((1 - Math.exp(-0.04)) * 10, 9); // jump 0.392, normalised by θ
    const rock = graph({ input: ir.Input({ shape: [1] }), "0_LinearTorch": ir.Linear({ weight: [[0.04]] }), "1_LIFNeuronTorch": ir.LIF({ tau: [0.0025], r: [24.019737], v_leak: [0], v_threshold: [0.1] }), output: ir.Output({ shape: [1, 1, 1] }) }, [["input", "0_LinearTorch"], ["0_LinearTorch", "1_LIFNeuronTorch"], ["1_LIFNeuronTorch", "output"]]);
    const rp = compile(rock, { dt: 1e-4, profile: "rockpool" }).run(input, { record: ["1_LIFNeuronTorch:v"] });
    expect(spikeSteps(rp.output)).toEqual([450, 500, 710, 760]);
    expect(Math.max(...(rp.records["1_LIFNeuronTorch.v"].data as Float64Array))).toBeCloseTo(0.0978, 4);
  });
});

describe("batches, events, step API, errors", () => {
  const r = rng(9);
  const conv = ir.Conv2d({ input_shape: [8, 8], weight: { dtype: "float64", shape: [4, 2, 3, 3], data: Float64Array.from({ length: 72 }, () => r() - 0.3) }, stride: 1, padding: 1 });
  const net = graph({
    input: ir.Input({ shape: [2, 8, 8] }), c: conv, n: ir.IF({ r: ir.full([4, 8, 8], 1), v_threshold: ir.full([4, 8, 8], 0.8) }),
    p: ir.SumPool2d({ kernel_size: 2, stride: 2 }), f: ir.Flatten({ input_type: [4, 4, 4], start_dim: 0 }),
    a: ir.Affine({ weight: { dtype: "float64", shape: [3, 64], data: Float64Array.from({ length: 192 }, () => r() - 0.4) }, bias: [0.1, 0, -0.1] }),
    l: ir.LIF({ tau: [0.02, 0.02, 0.02], r: [1, 1, 1], v_leak: [0, 0, 0], v_threshold: [0.5, 0.5, 0.5] }), output: ir.Output({ shape: [3] }),
  }, [["input", "c"], ["c", "n"], ["n", "p"], ["p", "f"], ["f", "a"], ["a", "l"], ["l", "output"]]);
  const T = 40, B = 3, N = 128;
  const dense = new Float64Array(T * B * N);
  for (let k = 0; k < dense.length; k++) dense[k] = r() < 0.05 ? 1 : 0;
  dense.set([2], 5);

  it("a batch equals each item run alone", () => {
    const plan = compile(net, { dt: 1e-3 });
    const all = plan.run({ dtype: "float64", shape: [T, B, 2, 8, 8], data: dense }, { record: ["n:v"] });
    for (let b = 0; b < B; b++) {
      const one = new Float64Array(T * N);
      for (let t = 0; t < T; t++) one.set(dense.subarray((t * B + b) * N, (t * B + b + 1) * N), t * N);
      const res = plan.run({ dtype: "float64", shape: [T, 2, 8, 8], data: one }, { record: ["n:v"] });
      for (let t = 0; t < T; t++) {
        for (let k = 0; k < 3; k++) expect(all.output.data[(t * B + b) * 3 + k]).toBe(res.output.data[t * 3 + k]);
        for (let k = 0; k < 256; k++) expect(all.records["n.v"].data[(t * B + b) * 256 + k]).toBe(res.records["n.v"].data[t * 256 + k]);
      }
    }
  });

  it("events input equals the same data as a dense tensor (duplicates summed; any event order; events outside 0…T−1 ignored)", () => {
    const t: number[] = [], index: number[] = [], batch: number[] = [], value: number[] = [];
    for (let s = 0; s < T; s++) for (let b = 0; b < B; b++) for (let i = 0; i < N; i++) {
      const v = dense[(s * B + b) * N + i];
      if (v === 2) { t.push(s, s); index.push(i, i); batch.push(b, b); value.push(1, 1); }
      else if (v) { t.push(s); index.push(i); batch.push(b); value.push(v); }
    }
    const plan = compile(net, { dt: 1e-3 });
    const d = plan.run({ dtype: "float64", shape: [T, B, 2, 8, 8], data: dense }, { record: ["c", "n:v"] });
    // step-major as built (grouped by a sort), item-major (already grouped: no sort), and
    // item-major with events before step 0 and at step T (ignored; grouped by a sort again)
    const itemMajor = [...t.keys()].sort((p, q) => batch[p] - batch[q] || t[p] - t[q]);
    const outside = [...itemMajor, -1, -2];
    const at = (k: number) => (k === -1 ? { t: -1, i: 0, b: 0, v: 5 } : k === -2 ? { t: T, i: 3, b: B - 1, v: 7 } : { t: t[k], i: index[k], b: batch[k], v: value[k] });
    for (const order of [[...t.keys()], itemMajor, outside]) {
      const e = order.map(at);
      const ev: EventInput = { steps: T, t: Int32Array.from(e, (x) => x.t), index: Int32Array.from(e, (x) => x.i), batch: Int32Array.from(e, (x) => x.b), value: Float32Array.from(e, (x) => x.v), batchSize: B };
      const a = plan.run(ev, { record: ["c", "n:v"] });
      expect(Array.from(a.output.data)).toEqual(Array.from(d.output.data));
      expect(Array.from(a.records["c.out"].data)).toEqual(Array.from(d.records["c.out"].data));
      expect(Array.from(a.records["n.v"].data)).toEqual(Array.from(d.records["n.v"].data));
    }
  });

  it("a conv fused with its IF layer gives exactly the unfused results (recording the conv or the IF's v disables fusion)", () => {
    const plan = compile(net, { dt: 1e-3 });
    const x = { dtype: "float64" as const, shape: [T, B, 2, 8, 8], data: dense };
    const fusedRun = plan.run(x, { record: ["n"] });
    const plain = plan.run(x, { record: ["n", "c"] });
    const withV = plan.run(x, { record: ["n:v", "n"] });
    expect(Array.from(fusedRun.records["n.out"].data)).toEqual(Array.from(plain.records["n.out"].data));
    expect(Array.from(withV.records["n.out"].data)).toEqual(Array.from(plain.records["n.out"].data));
    expect(Array.from(fusedRun.output.data)).toEqual(Array.from(plain.output.data));
  });

  it("step() carries state and matches run(); reset() starts over", async () => {
    const plan = compile(net, { dt: 1e-3 });
    const item = new Float64Array(T * N);
    for (let s = 0; s < T; s++) item.set(dense.subarray(s * B * N, s * B * N + N), s * N);
    const whole = plan.run({ dtype: "float64", shape: [T, 2, 8, 8], data: item });
    for (let round = 0; round < 2; round++) {
      plan.reset();
      for (let s = 0; s < T; s++) {
        const y = plan.step({ dtype: "float64", shape: [2, 8, 8], data: item.subarray(s * N, (s + 1) * N) });
        expect(y.shape).toEqual([3]);
        expect(Array.from(y.data)).toEqual(Array.from(whole.output.data.subarray(s * 3, s * 3 + 3)));
      }
    }
    const asyncRes = await compile(net, { dt: 1e-3, workers: 2 }).runAsync({ dtype: "float64", shape: [T, B, 2, 8, 8], data: dense });
    expect(Array.from(asyncRes.output.data)).toEqual(Array.from(plan.run({ dtype: "float64", shape: [T, B, 2, 8, 8], data: dense }).output.data));
  });

  it("nested subgraphs are flattened with dotted names and run like the flat graph", () => {
    const inner = ir.NIRGraph({ nodes: { input: ir.Input({ shape: [3] }), lif: ir.LIF({ tau: [0.02, 0.02, 0.02], r: [1, 1, 1], v_leak: [0, 0, 0], v_threshold: [0.5, 0.5, 0.5] }), output: ir.Output({ shape: [3] }) }, edges: [["input", "lif"], ["lif", "output"]], typeCheck: false });
    const nested = graph({ ...Object.fromEntries([...net.nodes].filter(([k]) => k !== "l")), l: inner }, net.edges);
    const plan = compile(nested, { dt: 1e-3 });
    expect(plan.order).toContain("l.lif");
    const x = { dtype: "float64" as const, shape: [T, B, 2, 8, 8], data: dense };
    expect(Array.from(plan.run(x).output.data)).toEqual(Array.from(compile(net, { dt: 1e-3 }).run(x).output.data));
  });

  it("bad input gets NirErrors naming the node: shape, NaN, missing dt, bad record; implausible dt warns", () => {
    const plan = compile(net, { dt: 1e-3 });
    expect(() => plan.run({ dtype: "float64", shape: [T, 2, 8, 9], data: new Float64Array(T * 144) })).toThrow(expect.objectContaining({ code: "sim.input_shape", node: "input" }));
    const bad = new Float64Array(T * N);
    bad[77] = NaN;
    expect(() => plan.run({ dtype: "float64", shape: [T, 2, 8, 8], data: bad })).toThrow(expect.objectContaining({ code: "sim.nan", node: "input" }));
    // events: an index or item out of range, in slot order or after the first event out of it
    // (the check runs in two loops), and a NaN value
    const ev = (t: number[], index: number[], batch: number[], value?: number[]): EventInput => ({ steps: T, t: Int32Array.from(t), index: Int32Array.from(index), batch: Int32Array.from(batch), value: value && Float64Array.from(value), batchSize: 2 });
    for (const [e, msg] of [
      [ev([0, 1, 2], [5, N, 7], [0, 0, 0]), `event 1 has index ${N} outside the input size ${N}`],
      [ev([0, 1, 2], [5, -3, 7], [0, 0, 0]), `event 1 has index -3 outside`],
      [ev([2, 1, 2], [5, 6, N + 4], [0, 0, 1]), `event 2 has index ${N + 4} outside`],
      [ev([2, 1, 2], [5, -1, 4], [0, 0, 1]), `event 1 has index -1 outside`],
      [ev([0, 1, 2], [5, 6, 7], [0, -1, 0]), `event 1 has batch item -1`],
      [ev([2, 1, 2], [5, 6, 7], [0, 0, -2]), `event 2 has batch item -2`],
    ] as const) expect(() => plan.run(e)).toThrow(expect.objectContaining({ code: "sim.input_shape", node: "input", message: expect.stringContaining(msg) }));
    expect(() => plan.run(ev([0, 1], [5, 6], [0, 1], [1, NaN]))).toThrow(expect.objectContaining({ code: "sim.nan", message: expect.stringContaining("event 1 has a NaN value") }));
    // events out of steps 0…T−1 and items past batchSize are no error (ignored; the batch grows)
    expect(plan.run(ev([-1, 0, T], [5, 6, 7], [0, 3, 0])).batch).toBe(4);
    expect(() => compile(net, {} as never)).toThrow(expect.objectContaining({ code: "sim.missing_dt" }));
    expect(() => plan.run({ dtype: "float64", shape: [T, 2, 8, 8], data: new Float64Array(T * N) }, { record: ["c:v"] })).toThrow(expect.objectContaining({ code: "sim.unsupported", node: "c" }));
    expect(compile(net, { dt: 1e-3 }).warnings).toEqual([]);
    const w = compile(net, { dt: 0.05 }).warnings;
    expect(w.length).toBe(1);
    expect(w[0]).toContain('"l"');
  });
});
