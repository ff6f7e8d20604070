/**
 * Wasm chains (kernels/chain-wasm.ts): conv→IF, pool and affine→IF layers run as one generated
 * WebAssembly call per step. With random non-dyadic weights (so the order of additions shows in
 * the last bits) a small CNN must give exactly the spikes and potentials of the JavaScript
 * kernels (`kernels: "js"`), on sparse steps, dense steps (the gather path) and empty steps,
 * whole (one chain) and with intermediate records (the chain is cut at each recorded node).
 */
import { describe, expect, it } from "vitest";
import * as ir from "../../src/ir/index.js";
import { compile } from "../../src/sim/index.js";
import { wasmChain } from "../../src/sim/ops/chain-wasm.js";
import { convIFRows } from "../../src/sim/ops/conv-if.js";
import { transposeWeight } from "../../src/sim/ops/linear.js";
import { rng } from "../support/index.js";


const f64 = (shape: number[], f: () => number) => ({ dtype: "float64" as const, shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f) });

describe("wasm chain of conv→IF, pool and affine→IF layers", () => {
  const r = rng(21);
  const c1 = 6, c2 = 4, H = 10;
  const uniformIF = (shape: number[], gain: number, th: number, vr: number) => ir.IF({ r: f64(shape, () => gain), v_threshold: f64(shape, () => th), v_reset: f64(shape, () => vr) });
  const net = ir.NIRGraph({
    nodes: {
      input: ir.Input({ shape: [2, H, H] }),
      c0: ir.Conv2d({ input_shape: [H, H], weight: f64([c1, 2, 3, 3], () => (r() - 0.35) * 0.9), padding: 1 }),
      n0: uniformIF([c1, H, H], 0.7, 0.8, 0),
      p0: ir.SumPool2d({ kernel_size: [2, 2], stride: [2, 2], padding: [0, 0] }),
      c1: ir.Conv2d({ input_shape: [H / 2, H / 2], weight: f64([c2, c1, 3, 3], () => (r() - 0.4) * 0.6), padding: 1 }),
      n1: uniformIF([c2, H / 2, H / 2], 1, 1.1, -0.3),
      f: ir.Flatten({ start_dim: 0, end_dim: -1, input_type: { input: [c2, H / 2, H / 2] } }),
      a: ir.Affine({ weight: f64([8, c2 * 25], () => (r() - 0.45) * 0.5), bias: f64([8], () => (r() - 0.5) * 0.05) }),
      n2: uniformIF([8], 1.3, 0.9, 0),
      output: ir.Output({ shape: null }),
    },
    edges: [["input", "c0"], ["c0", "n0"], ["n0", "p0"], ["p0", "c1"], ["c1", "n1"], ["n1", "f"], ["f", "a"], ["a", "n2"], ["n2", "output"]],
    typeCheck: false,
  });
  const T = 60, B = 3, N = 2 * H * H;
  const x = new Float32Array(T * B * N);
  for (let t = 0; t < T; t++) {
    // steps 10 and 30 dense (more than 30% of the inputs), 20…24 empty, the rest sparse
    const density = t === 10 || t === 30 ? 0.5 : t >= 20 && t < 25 ? 0 : 0.08;
    for (let k = 0; k < B * N; k++) if (r() < density) x[t * B * N + k] = 1 + Math.floor(r() * 2);
  }
  const input = { dtype: "float32" as const, shape: [T, B, 2, H, H], data: x };
  const runs = (record: string[]) => (["auto", "js"] as const).map((kernels) => compile(net, { dt: 1e-3, kernels }).run(input, { record }));

  it("whole network (one chain): output spikes equal the JavaScript kernels'", () => {
    const [auto, js] = runs([]);
    let spikes = 0;
    for (const q of js.output.data as Float32Array) spikes += q;
    expect(spikes).toBeGreaterThan(30);
    expect(Array.from(auto.output.data as Float32Array)).toEqual(Array.from(js.output.data as Float32Array));
  });

  it("events (a count of 2 as two events; item-major and step-major order; with fractional values) run the chain like the dense input", () => {
    const [, js] = runs([]);
    for (const itemMajor of [true, false]) {
      const t: number[] = [], index: number[] = [], batch: number[] = [];
      const push = (s: number, b: number) => {
        for (let k = 0; k < N; k++) for (let c = 0; c < x[(s * B + b) * N + k]; c++) { t.push(s); index.push(k); batch.push(b); }
      };
      if (itemMajor) for (let b = 0; b < B; b++) for (let s = 0; s < T; s++) push(s, b);
      else for (let s = 0; s < T; s++) for (let b = 0; b < B; b++) push(s, b);
      const ev = { steps: T, t: Int32Array.from(t), index: Int32Array.from(index), batch: Int32Array.from(batch), batchSize: B };
      const auto = compile(net, { dt: 1e-3 }).run(ev);
      expect(Array.from(auto.output.data as Float32Array)).toEqual(Array.from(js.output.data as Float32Array));
      // with a value array: each event split into 0.25 + 0.75 (sums to the same counts)
      const twice = (a: number[]) => Int32Array.from(a.flatMap((q) => [q, q]));
      const valued = { ...ev, t: twice(t), index: twice(index), batch: twice(batch), value: Float32Array.from(t.flatMap(() => [0.25, 0.75])) };
      expect(Array.from(compile(net, { dt: 1e-3 }).run(valued).output.data as Float32Array)).toEqual(Array.from(js.output.data as Float32Array));
    }
  });

  it("recorded intermediate layers (chains cut there): spikes, pool sums and the affine-fed IF's v equal", () => {
    const record = ["n0:spikes", "p0", "n1:spikes", "n2:v"];
    const [auto, js] = runs(record);
    const values = (t: { data: unknown }) => Array.from(t.data as Float64Array);
    for (const key of ["n0.spikes", "p0.out", "n1.spikes", "n2.v"]) expect(values(auto.records[key])).toEqual(values(js.records[key]));
    expect(values(auto.output)).toEqual(values(js.output));
    let n1 = 0;
    for (const q of js.records["n1.spikes"].data as Float32Array) n1 += q;
    expect(n1).toBeGreaterThan(30);
  });

  it("long runs go through the chain in several calls (512 steps, or fewer when dense steps fill the staging): output and progress equal the per-step loop's", () => {
    const TL = 1300;
    const xl = new Float32Array(TL * N);
    const rl = rng(77);
    for (let t = 0; t < TL; t++) {
      // steps 600…899 every input active (200 entries each: 163 steps fill a call's 32768 entries)
      const density = t >= 600 && t < 900 ? 1 : 0.06;
      for (let k = 0; k < N; k++) if (rl() < density) xl[t * N + k] = 1 + Math.floor(rl() * 3);
    }
    const inputL = { dtype: "float32" as const, shape: [TL, 2, H, H], data: xl };
    const [auto, js] = (["auto", "js"] as const).map((kernels) => {
      const progress: number[] = [];
      const res = compile(net, { dt: 1e-3, kernels }).run(inputL, { onProgress: (done) => progress.push(done) });
      return { out: Array.from(res.output.data as Float32Array), progress };
    });
    expect(auto.out).toEqual(js.out);
    expect(js.out.reduce((a, q) => a + q, 0)).toBeGreaterThan(100);
    expect(auto.progress).toEqual(js.progress);
    expect(js.progress.at(-1)).toBe(TL);
  });

  it("step() with one item runs the chain too and gives the same output as run(), across reset()", () => {
    const plan = compile(net, { dt: 1e-3 });
    const item = new Float32Array(T * N);
    for (let t = 0; t < T; t++) item.set(x.subarray((t * B + 1) * N, (t * B + 2) * N), t * N);
    const whole = plan.run({ dtype: "float32", shape: [T, 2, H, H], data: item });
    expect((whole.output.data as Float32Array).reduce((a, q) => a + q, 0)).toBeGreaterThan(5);
    for (let round = 0; round < 2; round++) {
      plan.reset();
      const stepped: number[] = [];
      for (let t = 0; t < T; t++) stepped.push(...(plan.step({ dtype: "float32", shape: [2, H, H], data: item.subarray(t * N, (t + 1) * N) }).data as Float64Array));
      expect(stepped).toEqual(Array.from(whole.output.data as Float32Array));
    }
  });
});

/**
 * Direct sums: a conv→IF layer adds its inputs straight into v (no per-step y) while every sum is
 * provably exact in float64 — the weights float32, gain 1, v_reset 0 and integer inputs — for
 * then both orders give the same v. The bound is recomputed here from the float32 bits.
 */
describe("wasm chain: direct sums into v while they are exact", () => {
  const r = rng(5);
  const H = 8, C = 4;
  const f32 = (shape: number[], f: () => number) => f64(shape, () => Math.fround(f()));
  const w0 = f32([C, 1, 3, 3], () => (r() - 0.45) * 0.6);
  const w1 = f32([C, C, 3, 3], () => (r() - 0.45) * 0.5);
  const unitIF = (shape: number[]) => ir.IF({ r: f64(shape, () => 1), v_threshold: f64(shape, () => 1), v_reset: f64(shape, () => 0) });
  const net = ir.NIRGraph({
    nodes: {
      input: ir.Input({ shape: [1, H, H] }),
      c0: ir.Conv2d({ input_shape: [H, H], weight: w0, padding: 1 }),
      n0: unitIF([C, H, H]),
      p0: ir.SumPool2d({ kernel_size: [2, 2], stride: [2, 2], padding: [0, 0] }),
      c1: ir.Conv2d({ input_shape: [H / 2, H / 2], weight: w1, padding: 1 }),
      n1: unitIF([C, H / 2, H / 2]),
      output: ir.Output({ shape: null }),
    },
    edges: [["input", "c0"], ["c0", "n0"], ["n0", "p0"], ["p0", "c1"], ["c1", "n1"], ["n1", "output"]],
    typeCheck: false,
  });
  // lowest set bit of a float32 (|w| = odd·2^e) from its bits, and the largest per-channel Σ|w|
  const lowestBit = (w: number): number => {
    const dv = new DataView(new ArrayBuffer(4));
    dv.setFloat32(0, w);
    const bits = dv.getUint32(0), exp = (bits >>> 23) & 255;
    const m = exp ? (bits & 0x7fffff) | 0x800000 : bits & 0x7fffff;
    return (exp ? exp : 1) - 150 + (31 - Math.clz32(m & -m));
  };
  const e0 = Math.min(...Array.from(w0.data).filter((w) => w !== 0).map(lowestBit));
  const colSum0 = Math.max(...Array.from({ length: C }, (_, co) => w0.data.subarray(co * 9, co * 9 + 9).reduce((a, w) => a + Math.abs(w), 0)));
  const limit0 = 2 ** (52 + e0);
  // the first step at which the first layer's bound, 1 + Σ_t max|x_t|·colSum, passes the limit
  const switchStep = (maxima: number[]): number => {
    let s = 0;
    for (let t = 0; t < maxima.length; t++) if (1 + (s += maxima[t]) * colSum0 > limit0) return t;
    return maxima.length;
  };

  it("the mask follows the bound: direct up to 2^(52+e) with e and Σ|w| from the float32 bits, never after a non-integer", () => {
    const g = { cin: 1, h: H, w: H, cout: C, oh: H, ow: H, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1 };
    const chain = wasmChain([{ kind: "convIF", g, rows: convIFRows(g, w0.data), g0: 1, th0: 1, vr0: 0 }]);
    expect(e0).toBeLessThan(-20);
    const sMax = (limit0 - 1) / colSum0;
    expect(chain.directMask(1, Math.floor(sMax * 0.999))).toBe(1);
    expect(chain.directMask(1, Math.ceil(sMax * 1.001))).toBe(0);
    expect(chain.directMask(1, Infinity)).toBe(0);
    // gain ≠ 1 (v + g·y is not a sum of the terms) never runs direct
    expect(wasmChain([{ kind: "convIF", g, rows: convIFRows(g, w0.data), g0: 0.5, th0: 1, vr0: 0 }]).directMask(1, 1)).toBe(0);
  });

  const T = 120, N = H * H;
  const runBoth = (x: Float32Array, record: string[]) => (["auto", "js"] as const).map((kernels) => compile(net, { dt: 1e-3, kernels }).run({ dtype: "float32", shape: [T, 1, H, H], data: x }, { record }));
  const inputs = (scale: number): { x: Float32Array; maxima: number[] } => {
    const x = new Float32Array(T * N);
    const maxima: number[] = [];
    for (let t = 0; t < T; t++) {
      let most = 0;
      for (let k = 0; k < N; k++) {
        if (r() < 0.15) {
          x[t * N + k] = 1 + Math.floor(r() * scale);
          most = Math.max(most, x[t * N + k]);
        }
      }
      maxima.push(most);
    }
    return { x, maxima };
  };

  it("small counts (direct all run) and large counts (the first layer switches to ordered sums mid-run) give the JavaScript kernels' spikes", () => {
    for (const [scale, inside] of [[3, false], [40000, true]] as const) {
      const { x, maxima } = inputs(scale);
      const at = switchStep(maxima);
      expect(at > 0 && at < T).toBe(inside);
      for (const record of [[], ["n0:spikes", "p0"]]) {
        const [auto, js] = runBoth(x, record);
        expect(Array.from(auto.output.data as Float32Array)).toEqual(Array.from(js.output.data as Float32Array));
        for (const key of Object.keys(js.records)) expect(Array.from(auto.records[key].data as Float32Array)).toEqual(Array.from(js.records[key].data as Float32Array));
        expect((js.output.data as Float32Array).reduce((a, q) => a + q, 0)).toBeGreaterThan(20);
      }
    }
  });
});

/**
 * Direct sums in an affine→IF (after the chain's first layer; gain 1, no bias): the inputs go
 * straight into v while max|v| before the step plus Σ|x|·max|W[row]| stays within 2^(52+q), q the
 * lowest set bit over the weights — the layer keeps max|v| and decides per step. One weight of
 * 2^−46 puts the limit at 2^6 = 64, so a long run switches between direct and ordered steps.
 */
describe("wasm chain: an affine→IF adds straight into v while its sums are exact", () => {
  const r = rng(77);
  const H = 4, C = 2, nin = C * H * H, nout = 6;
  const g = { cin: 1, h: H, w: H, cout: C, oh: H, ow: H, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1, groups: 1 };
  const wConv = Float64Array.from({ length: C * 9 }, () => Math.fround((r() - 0.3) * 0.8));
  // (nout, nin) float32 weights: neurons 0–2 mostly positive (they spike), 3–5 mostly negative
  // (v drifts down, past the limit); one weight of 2^−46
  const W = Float64Array.from({ length: nout * nin }, (_, k) => Math.fround((r() - (k < 3 * nin ? 0.35 : 0.7)) * 0.9));
  W[5] = 2 ** -46;
  const wt = transposeWeight(W, 1, nout, nin);
  const build = (bias: Float64Array | null) => wasmChain([
    { kind: "convIF", g, rows: convIFRows(g, wConv), g0: 1, th0: 1, vr0: 0 },
    { kind: "affineIF", p: { blocks: 1, nin, nout, wt, bias }, g0: 1, th0: 0.5, vr0: 0 },
  ]);
  // no bias: direct where the bound allows; a bias of zeros: always ordered (y, then v + y where y ≠ 0)
  const direct = build(null), ordered = build(new Float64Array(nout));

  it("the same spikes and v (zero signs included) as the ordered sums, with both kinds of steps", () => {
    const T = 400;
    let spikes = 0, low = 0, directRun = 0, orderedRun = 0;
    for (let t = 0; t < T; t++) {
      const before = Float64Array.from(direct.v[1]!), dc = direct.directSteps[1];
      const outs = [direct, ordered].map((ch) => {
        const r2 = rng(1000 + t);
        let na = 0;
        for (let i = 0; i < H * H; i++) {
          if (r2() < 0.3) {
            ch.inList[na++] = i;
            ch.inVal[i] = 1 + Math.floor(r2() * 3);
          }
        }
        const m = ch.step(na, t === 0);
        return Array.from(ch.outList.subarray(0, m));
      });
      expect(outs[0]).toEqual(outs[1]);
      spikes += outs[0].length;
      const [vd, vo] = [direct.v[1]!, ordered.v[1]!];
      for (let j = 0; j < nout; j++) expect(Object.is(vd[j], vo[j]), `step ${t}, neuron ${j}: ${vd[j]} vs ${vo[j]}`).toBe(true);
      low = Math.min(low, ...vd);
      // a step whose inputs changed v ran direct (the counter moved) or ordered (it did not)
      if (vd.some((v, j) => !Object.is(v, before[j]))) {
        if (direct.directSteps[1] > dc) directRun++;
        else orderedRun++;
      }
    }
    expect(ordered.directSteps[1]).toBe(0);
    expect(direct.directSteps[1]).toBe(directRun);
    expect(directRun).toBeGreaterThan(20);
    expect(orderedRun).toBeGreaterThan(20);
    expect(low).toBeLessThan(-64);
    expect(spikes).toBeGreaterThan(10);
  });
});

/**
 * Wide layers: a conv with 40 channels (fire groups of 16: 16 + 16 + 8, each group's bits in a
 * position's spike-list record) and an affine with 38 neurons (groups of 32: 32 + 6), the conv→IF
 * ordered (gain 0.9) and direct (gain 1, float32 weights: exact sums).
 */
describe.each([["ordered", 0.9], ["direct", 1]] as const)("wasm chain: layers wider than one fire group (%s conv sums)", (_mode, gain) => {
  const r = rng(9);
  const H = 6, C = 40, N = 38;
  const net = ir.NIRGraph({
    nodes: {
      input: ir.Input({ shape: [2, H, H] }),
      c: ir.Conv2d({ input_shape: [H, H], weight: f64([C, 2, 3, 3], () => Math.fround((r() - 0.4) * 0.7)), padding: 1 }),
      n: ir.IF({ r: f64([C, H, H], () => gain), v_threshold: f64([C, H, H], () => 1), v_reset: f64([C, H, H], () => 0) }),
      f: ir.Flatten({ start_dim: 0, end_dim: -1, input_type: { input: [C, H, H] } }),
      a: ir.Affine({ weight: f64([N, C * H * H], () => (r() - 0.48) * 0.2), bias: f64([N], () => 0) }),
      m: ir.IF({ r: f64([N], () => 1), v_threshold: f64([N], () => 1.5), v_reset: f64([N], () => 0) }),
      output: ir.Output({ shape: null }),
    },
    edges: [["input", "c"], ["c", "n"], ["n", "f"], ["f", "a"], ["a", "m"], ["m", "output"]],
    typeCheck: false,
  });
  const T = 50, X = new Float32Array(T * 2 * H * H);
  for (let k = 0; k < X.length; k++) if (r() < 0.1) X[k] = 1;
  const input = { dtype: "float32" as const, shape: [T, 2, H, H], data: X };
  // spikes of the neurons k with at(k) in a (T, size) spike record
  const late = (spikes: Float32Array, size: number, at: (k: number) => boolean): number => {
    let n = 0;
    for (let q = 0; q < spikes.length; q++) if (at(q % size)) n += spikes[q];
    return n;
  };

  it("spikes of both layers equal the JavaScript kernels', whole and with the conv's spikes recorded", () => {
    for (const record of [[], ["n:spikes", "m:v"]]) {
      const [auto, js] = (["auto", "js"] as const).map((kernels) => compile(net, { dt: 1e-3, kernels }).run(input, { record }));
      expect(Array.from(auto.output.data as Float32Array)).toEqual(Array.from(js.output.data as Float32Array));
      for (const key of Object.keys(js.records)) expect(Array.from(auto.records[key].data as Float64Array)).toEqual(Array.from(js.records[key].data as Float64Array));
      expect(late(js.output.data as Float32Array, N, (k) => k >= 32)).toBeGreaterThan(5);
      // the conv's spike record is (T, C, H, H): channels 16…31 and 32…39 are its second and third groups
      if (record.length) for (const [lo, hi] of [[16, 32], [32, 40]]) expect(late(js.records["n.spikes"].data as Float32Array, C * H * H, (k) => k >= lo * H * H && k < hi * H * H)).toBeGreaterThan(5);
    }
  });
});

describe("wasm chain: a step with more events than one call stages", () => {
  it("40,000 events in step 0 (and a few later) give the dense input's output", () => {
    const r = rng(41);
    const H = 5, N = H * H;
    const net = ir.NIRGraph({
      nodes: {
        input: ir.Input({ shape: [1, H, H] }),
        c: ir.Conv2d({ input_shape: [H, H], weight: f64([2, 1, 3, 3], () => Math.fround((r() - 0.45) * 0.01)), padding: 1 }),
        n: ir.IF({ r: f64([2, H, H], () => 1), v_threshold: f64([2, H, H], () => 1), v_reset: f64([2, H, H], () => 0) }),
        output: ir.Output({ shape: null }),
      },
      edges: [["input", "c"], ["c", "n"], ["n", "output"]],
      typeCheck: false,
    });
    const T = 6, t: number[] = [], index: number[] = [];
    for (let k = 0; k < 40000; k++) { t.push(0); index.push(Math.floor(r() * N)); }
    for (let s = 1; s < T; s++) for (let k = 0; k < 30; k++) { t.push(s); index.push(Math.floor(r() * N)); }
    const dense = new Float32Array(T * N);
    t.forEach((s, k) => (dense[s * N + index[k]] += 1));
    const ev = { steps: T, t: Int32Array.from(t), index: Int32Array.from(index) };
    const auto = compile(net, { dt: 1e-3 }).run(ev);
    const js = compile(net, { dt: 1e-3, kernels: "js" }).run({ dtype: "float32", shape: [T, 1, H, H], data: dense });
    expect(Array.from(auto.output.data as Float32Array)).toEqual(Array.from(js.output.data as Float32Array));
    expect((js.output.data as Float32Array).reduce((a, q) => a + q, 0)).toBeGreaterThan(5);
  });
});

/** Chains of one layer (the smallest memories: every allocation must be counted) equal the JavaScript kernels. */
describe("wasm chain: one-layer chains", () => {
  const r = rng(31);
  const uIF = (shape: number[]) => ir.IF({ r: f64(shape, () => 1), v_threshold: f64(shape, () => 1), v_reset: f64(shape, () => 0) });
  const nets: [string, ReturnType<typeof ir.NIRGraph>, number[]][] = [
    ["sum pool", ir.NIRGraph({ nodes: { input: ir.Input({ shape: [2, 34, 34] }), p: ir.SumPool2d({ kernel_size: [34, 34], stride: [34, 34], padding: [0, 0] }), output: ir.Output({ shape: null }) }, edges: [["input", "p"], ["p", "output"]], typeCheck: false }), [2, 34, 34]],
    // overlapping windows: an input reaches up to four outputs (the pool's loop over rows)
    ["sum pool, overlapping windows", ir.NIRGraph({ nodes: { input: ir.Input({ shape: [2, 9, 9] }), p: ir.SumPool2d({ kernel_size: [3, 3], stride: [2, 2], padding: [1, 1] }), output: ir.Output({ shape: null }) }, edges: [["input", "p"], ["p", "output"]], typeCheck: false }), [2, 9, 9]],
    ["conv→IF", ir.NIRGraph({ nodes: { input: ir.Input({ shape: [1, 5, 5] }), c: ir.Conv2d({ input_shape: [5, 5], weight: f64([2, 1, 3, 3], () => Math.fround(r() - 0.3)), padding: 1 }), n: uIF([2, 5, 5]), output: ir.Output({ shape: null }) }, edges: [["input", "c"], ["c", "n"], ["n", "output"]], typeCheck: false }), [1, 5, 5]],
    ["affine→IF", ir.NIRGraph({ nodes: { input: ir.Input({ shape: [3] }), a: ir.Affine({ weight: f64([2, 3], () => r()), bias: f64([2], () => 0) }), n: uIF([2]), output: ir.Output({ shape: null }) }, edges: [["input", "a"], ["a", "n"], ["n", "output"]], typeCheck: false }), [3]],
  ];
  it.each(nets)("%s", (_name, net, shape) => {
    const T = 30, N = shape.reduce((a, b) => a * b, 1);
    const x = new Float32Array(T * N);
    for (let k = 0; k < x.length; k++) if (r() < 0.2) x[k] = 1 + Math.floor(r() * 2);
    const [auto, js] = (["auto", "js"] as const).map((kernels) => compile(net, { dt: 1e-3, kernels }).run({ dtype: "float32", shape: [T, ...shape], data: x }));
    expect(Array.from(auto.output.data as Float64Array)).toEqual(Array.from(js.output.data as Float64Array));
    expect(Array.from(js.output.data as Float64Array).some((q) => q !== 0)).toBe(true);
  });
});
