/**
 * Speck emulator on hand-computed examples (rules of hardware-and-peers.md §2.1 / sinabs
 * discretised IAF): multi-spike per step, subtract or zero reset, min_v_mem, 16-bit saturation,
 * sum pooling; plus export errors and the display hook.
 */
import { describe, expect, it } from "vitest";
import { DISPLAY_KIND } from "../../src/ir/display.js";
import { read } from "../../src/io/index.js";
import { checkFit, emulate, exportTo, type SpeckConfig } from "../../src/hw/index.js";
import { refFile } from "../support/index.js";

const core = (w: number, thr: number, low: number, rtz: boolean, pool = 1, out = 1): SpeckConfig => ({
  chip: "speck", format: "test", dt: 1, reset: rtz ? "zero" : "subtract", inputNode: "in", inputShape: [1, 1, out], outputShape: [1, 1, out / pool],
  quantization: [], warnings: [],
  cnnLayers: [{
    core: 0, nirNodes: { weight: "w", neuron: "n", pool: null },
    dimensions: { input_shape: { feature_count: 1, size: { x: out, y: 1 } }, output_shape: { feature_count: 1, size: { x: out, y: 1 } }, padding: { x: 0, y: 0 }, stride: { x: 1, y: 1 }, kernel_size: 1 },
    weights: [[[[w]]]], biases: [0], leak_enable: false, threshold_high: thr, threshold_low: low, return_to_zero: rtz, neurons_initial_value: 0,
    destinations: [{ layer: 0, enable: false, pooling: pool }, { layer: 0, enable: false, pooling: 1 }], scale: 1,
  }],
});
const run = (cfg: SpeckConfig, counts: number[][]) => {
  const T = counts.length, n = counts[0].length;
  const r = emulate(cfg, { dtype: "float64", shape: [T, 1, 1, n], data: Float64Array.from(counts.flat()) }, { record: ["n:v", "n:spikes"] });
  return { v: Array.from(r.records["n.v"].data), s: Array.from(r.records["n.spikes"].data), out: Array.from(r.output.data) };
};

describe("Speck integer IAF", () => {
  it("fires floor(v/threshold) spikes per step and subtracts them (or resets to zero)", () => {
    // w 5, thr 3: t0 two events → v = 10 → 3 spikes; subtract: v = 10 − 9 = 1; zero: v = 0.
    // t1 one event → subtract: v = 1 + 5 = 6 → 2 spikes, v = 0; zero: v = 5 → 1 spike, v = 0.
    expect(run(core(5, 3, -4, false), [[2], [1]])).toMatchObject({ v: [1, 0], s: [3, 2] });
    expect(run(core(5, 3, -4, true), [[2], [1]])).toMatchObject({ v: [0, 0], s: [3, 1] });
  });
  it("clips the membrane at threshold_low and saturates at 16 bits", () => {
    // w −5: two events → v = −10 → clipped to −4 (min_v_mem); one more → −9 → −4.
    expect(run(core(-5, 3, -4, false), [[2], [1]]).v).toEqual([-4, -4]);
    // w 127, 300 events → 38100 → saturates at 32767 → floor(32767/3) = 10922 spikes, v = 32767 − 32766 = 1.
    expect(run(core(127, 3, -4, false), [[300]])).toMatchObject({ v: [1], s: [10922] });
  });
  it("sum-pools the spikes sent to the destination", () => {
    // one channel, 2×2 map, pool 2
    const cfg = core(4, 3, -4, false, 2, 2);
    cfg.inputShape = [1, 2, 2];
    cfg.outputShape = [1, 1, 1];
    const d = cfg.cnnLayers[0].dimensions;
    d.input_shape.size = { x: 2, y: 2 };
    d.output_shape.size = { x: 2, y: 2 };
    // counts 1, 2, 0, 3 → v 4, 8, 0, 12 → spikes 1, 2, 0, 4 → pooled 7
    const r = emulate(cfg, { dtype: "float64", shape: [1, 1, 2, 2], data: Float64Array.from([1, 2, 0, 3]) });
    expect(Array.from(r.output.data)).toEqual([7]);
  });
});

const lifFile = refFile("paper", "01_lif", "lif_norse.nir");

describe.skipIf(!lifFile)("export errors and display", () => {
  it("refuses to export a graph that does not fit, naming node and rule", async () => {
    const g = await read(lifFile!);
    expect(() => exportTo("speck", g, { dt: 1e-4, reset: "subtract" })).toThrow(/node "1".*IAF only/);
    expect(() => exportTo("xylo", g, { dt: 1e-4, reset: "subtract" })).toThrow(/Xylo Audio 2/);
  });
  it("fit reports display as kind \"fit\"", async () => {
    const g = await read(lifFile!);
    const r = checkFit(g, "loihi2");
    expect((r as unknown as Record<symbol, string>)[DISPLAY_KIND]).toBe("fit");
    expect(Object.keys(r)).not.toContain(DISPLAY_KIND);
  });
});
